"""Password reset by email: signed, expiring, single-use links.

The token carries the user's id, ``session_version`` and a digest of the password hash: once
the password is set (which also bumps ``session_version``), or the account is deactivated, every
earlier link stops working. It expires after ``PASSWORD_RESET_MAX_AGE`` seconds.
"""
import hashlib
import logging

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer

from crm import mail
from crm.auth.models import User
from crm.extensions import db
from crm.i18n import _

log = logging.getLogger(__name__)

_SALT = "virage-password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _password_digest(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "v": user.session_version, "p": _password_digest(user)})


def user_for_reset_token(token: str) -> User | None:
    """The active user the token was made for, if still valid, unused and not expired."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if (user is None or not user.is_active or user.session_version != data.get("v")
            or _password_digest(user) != data.get("p")):
        return None
    return user


def send_reset_email(user: User, *, welcome: bool = False) -> None:
    """Email the link in the user's language; raises ``mail.MailError`` when sending fails."""
    language = user.locale if user.locale in current_app.config["LANGUAGES"] else "fr"
    link = url_for("auth.reset_password", token=make_reset_token(user), _external=True)
    hours = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600)
    context = {"user": user, "link": link, "hours": hours, "welcome": welcome}
    with force_locale(language):
        subject = (_("Welcome to Virage: choose your password") if welcome
                   else _("Virage: reset your password"))
        text = render_template(f"auth/email/reset.{language}.txt", **context)
        html = render_template(f"auth/email/reset.{language}.html", **context)
    mail.send(mail.new_message(to=user.email, subject=subject, text=text, html=html))
    log.info("password reset link sent to user %s", user.id)
