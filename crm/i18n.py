"""Locale selection and translation helpers.

Order: the signed-in user's preference, then the language chosen in this session, then the
browser's Accept-Language, then French (Charte de la langue française: French by default). The API
(under /api/) has neither a signed-in person nor a session: its caller's Accept-Language, then French.
"""
from babel import numbers
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

__all__ = ["_", "_l", "ngettext", "pgettext", "lazy_pgettext", "select_locale", "LANGUAGE_NAMES"]

# Each language is named in itself, as language switches do.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    languages = supported_locales()
    if not has_request_context():  # CLI commands and background senders
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


# Translation lookups, the same as Flask-Babel's but with the catalog found once per request and
# locale. Flask-Babel resolves context, domain and locale again on every call (about ten context
# proxy lookups); a page of 50 rows makes several hundred calls, which cost more than its SQL.
def current_translations():
    try:
        state = g._flask_babel  # Flask-Babel's per-request state; its babel_locale honours force_locale()
    except (AttributeError, RuntimeError):
        return get_translations()
    locale = getattr(state, "babel_locale", None)
    cached = getattr(state, "virage_translations", None)
    if locale is None or cached is None or cached[0] is not locale:
        translations = get_translations()
        state.virage_translations = cached = (state.babel_locale, translations)
    return cached[1]


def current_locale() -> str:
    """The request's language code ("fr", "en"), honouring force_locale()."""
    try:
        state = g._flask_babel
    except (AttributeError, RuntimeError):
        return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        locale = get_locale()
    # Babel builds a locale's code anew on each str() (a dashboard formats hundreds of numbers).
    cached = getattr(state, "virage_locale_code", None)
    if cached is None or cached[0] is not locale:
        state.virage_locale_code = cached = (locale, str(locale))
    return cached[1]


def _(string, **variables):
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular, plural, num, **variables):
    """``%(num)s`` is the count, written as the language writes numbers (« 1 234 » in French)."""
    variables.setdefault("num", numbers.format_decimal(num, locale=current_locale()))
    return current_translations().ungettext(singular, plural, num) % variables


def pgettext(context, string, **variables):
    text = current_translations().upgettext(context, string)
    return text % variables if variables else text


def _l(string, **variables):
    return LazyString(_, string, **variables)


def lazy_pgettext(context, string, **variables):
    return LazyString(pgettext, context, string, **variables)


def install_template_gettext(app: Flask) -> None:
    """Templates' _(), gettext, ngettext, pgettext through the same per-request catalog."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
