"""HTTP hardening: security headers on every response, the proxy in front, the 2FA gate.

The Content-Security-Policy forbids inline scripts and styles: put JavaScript in
``crm/static/js/`` and styles in ``crm/static/css/``; templates carry no ``style=`` or
``<script>`` body.
"""
from flask import Flask, redirect, request, session, url_for
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

# What a signed-in person who must enrol in two-factor authentication may still reach.
_ENDPOINTS_BEFORE_ENROLMENT = frozenset({
    "account.two_factor_setup", "account.recovery_codes", "auth.logout", "main.set_language",
    "main.privacy", "static",
})


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html" and (
        current_user.is_authenticated or "pending_login" in session
    ):
        # Pages with personal information must not stay in a shared browser's cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def require_enrolment():
    """Admins (and members of organizations that require it) do nothing else before 2FA."""
    from crm.auth.two_factor import requires_two_factor

    if (
        request.endpoint not in _ENDPOINTS_BEFORE_ENROLMENT
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
