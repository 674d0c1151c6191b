"""HTTP hardening: security headers on every response, the proxy in front, the 2FA gate.

Nothing personal stays in a cache: every response to a signed-in person (pages, CSV and XLSX
exports, import reports, calendar files) and the public responses that show someone's information
carry ``Cache-Control: no-store``. With ``HSTS_SECONDS`` (a year when ``ENV_NAME=production``)
every response carries ``Strict-Transport-Security``.

The Content-Security-Policy forbids inline scripts and styles: put JavaScript in
``crm/static/js/`` and styles in ``crm/static/css/``; templates carry no ``style=`` or
``<script>`` body.
"""
from flask import Flask, current_app, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Public responses with someone's information: the link is the credential.
_PERSONAL_PUBLIC_ENDPOINTS = frozenset({
    "cohorts.feed",  # a coach's sessions, with the enterprises coached
    "reminders.optout",  # the contact's (masked) address
})

# What a signed-in person who must enrol in two-factor authentication may still reach.
_ENDPOINTS_BEFORE_ENROLMENT = frozenset({
    "account.two_factor_setup", "account.recovery_codes", "auth.logout", "main.set_language",
    "main.privacy", "static",
})


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if _may_be_personal():
        # Whatever its type (a page, a CSV, a spreadsheet, a calendar), nothing personal may stay
        # in a shared browser's cache, a proxy's or a download folder's copy served again.
        response.headers["Cache-Control"] = "no-store"
    hsts_seconds = current_app.config.get("HSTS_SECONDS")
    if hsts_seconds:
        # Sent whatever the scheme Virage sees: the TLS proxy in front may not say it was HTTPS, and
        # browsers ignore the header on plain HTTP.
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(hsts_seconds)}")
    return response


def allow_framing(response, origins) -> None:
    """Let this response be shown in a frame of the site itself and of ``origins`` (a partner's site
    embedding a public page); every other response stays ``frame-ancestors 'none'``. X-Frame-Options
    cannot name several origins: browsers that know frame-ancestors ignore it, and those that do not
    get SAMEORIGIN."""
    ancestors = " ".join(["'self'", *origins])
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"


def _may_be_personal() -> bool:
    if request.endpoint == "static":  # the same files for everyone
        return False
    return (request.endpoint in _PERSONAL_PUBLIC_ENDPOINTS or current_user.is_authenticated
            or "pending_login" in session)


def require_enrolment():
    """Admins (and members of organizations that require it) do nothing else before 2FA."""
    from crm.auth.two_factor import requires_two_factor

    if (
        request.endpoint not in _ENDPOINTS_BEFORE_ENROLMENT
        and not request.path.startswith("/api/")  # the API authenticates bearer tokens, never the session
        and current_user.is_authenticated
        and not current_user.has_two_factor
        and requires_two_factor(current_user)
    ):
        return redirect(url_for("account.two_factor_setup"))
    return None


def init_app(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES") or 0
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.after_request(add_security_headers)
    app.before_request(require_enrolment)
