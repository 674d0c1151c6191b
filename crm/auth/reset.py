"""Password reset by email: signed, expiring, single-use links.

The token carries the user's id, ``session_version`` and a digest of the password hash: once
the password is set (which also bumps ``session_version``), or the account is deactivated, every
earlier link stops working. It carries the time of the request too, and expires
``PASSWORD_RESET_MAX_AGE`` seconds after it, however late the worker sent it (crm/auth/emails.py).
"""
import hashlib
import time
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from crm import mail
from crm.auth.models import User
from crm.extensions import db
from crm.i18n import _, force_locale

_SALT = "virage-password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _password_digest(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User, requested_at: datetime) -> str:
    return _serializer().dumps({"u": user.id, "v": user.session_version, "p": _password_digest(user),
                                "t": int(requested_at.timestamp())})


def user_for_reset_token(token: str) -> User | None:
    """The active user the token was made for, if still valid, unused and not expired."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    requested = data.get("t")
    if not isinstance(requested, int) or time.time() - requested > current_app.config["PASSWORD_RESET_MAX_AGE"]:
        return None
    user = db.session.get(User, data["u"])
    if (user is None or not user.is_active or user.session_version != data.get("v")
            or _password_digest(user) != data.get("p")):
        return None
    return user


def reset_message(user: User, *, welcome: bool, requested_at: datetime, message_id: str) -> EmailMessage:
    """The email with the link, in the user's language (French by default), built outside requests."""
    language = user.locale if user.locale in current_app.config["LANGUAGES"] else "fr"
    link = mail.external_url("auth.reset_password", token=make_reset_token(user, requested_at))
    hours = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600)
    context = {"user": user, "link": link, "hours": hours, "welcome": welcome}
    with force_locale(language):
        subject = (_("Welcome to Virage: choose your password") if welcome
                   else _("Virage: reset your password"))
        text = mail.render_email(f"auth/email/reset.{language}.txt", context)
        html = mail.render_email(f"auth/email/reset.{language}.html", context)
    return mail.new_message(to=user.email, subject=subject, text=text, html=html, message_id=message_id)
