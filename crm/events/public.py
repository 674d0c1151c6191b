"""What the public pages share: the language asked in the address, the frames allowed, the limits."""
import re

from flask import current_app, request, session

from crm.i18n import current_locale
from crm.security import allow_framing

# An origin as a browser sends it: a scheme, a host and an optional port; nothing a CSP could misread.
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?$")


def frame_origins() -> list[str]:
    """The configured partner origins that may frame the public pages (invalid entries left out)."""
    raw = str(current_app.config.get("EVENTS_FRAME_ANCESTORS") or "")
    return [origin for origin in raw.replace(",", " ").split() if _ORIGIN.match(origin)]


def remember_language() -> None:
    """``?lang=en`` on any public page: that language for this request and, where cookies work, after."""
    wanted = request.args.get("lang")
    if wanted in current_app.config["LANGUAGES"]:
        session["locale"] = wanted


def language() -> str:
    return current_locale() if current_locale() in current_app.config["LANGUAGES"] else "fr"


def embedded() -> str | None:
    """``"1"`` when the page is shown in a partner's frame (``?embed=1``): its links keep it."""
    return "1" if request.args.get("embed") == "1" else None


def embeddable(response):
    allow_framing(response, frame_origins())
    return response


def limit(key: str):
    return lambda: current_app.config[key]


def client_email() -> str:
    return "event-email:" + str(request.form.get("email", "")).strip().casefold()[:254]


def event_key() -> str:
    return "event:" + str((request.view_args or {}).get("event_id"))
