"""Signed links and form tokens of the public pages.

- A registration's link (in every email: see, confirm the address, cancel) is its id signed with
  the application's secret: whoever holds the email may act on that registration, nobody else.
- The registration form carries a token signed with the event's id and the time it was shown,
  instead of a CSRF token tied to a session: a form embedded on a partner's site has no cookie
  (a session cookie is ``SameSite=Lax``), and an anonymous form has no session to protect.
"""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

REGISTRATION_SALT = "events-registration"
FORM_SALT = "events-registration-form"
FORM_MAX_AGE = 24 * 3600  # a form left open longer is shown again with a fresh token


def registration_token(registration_id: int) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=REGISTRATION_SALT).dumps(registration_id)


def registration_id_from_token(token: str) -> int | None:
    try:
        value = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=REGISTRATION_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def form_token(event_id: int) -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FORM_SALT).dumps(event_id)


def form_token_valid(token: str | None, event_id: int) -> bool:
    if not token:
        return False
    try:
        value = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FORM_SALT).loads(
            token, max_age=FORM_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return False
    return value == event_id
