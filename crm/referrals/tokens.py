"""The signed link of a consent request: the referral's id, signed with the application's secret and
dated, so that whoever holds the email may answer for that referral until it expires, nobody else."""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONSENT_SALT = "referrals-consent"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONSENT_SALT)


def consent_token(referral_id: int) -> str:
    return _serializer().dumps(referral_id)


def referral_id_from_token(token: str) -> int | None:
    max_age = int(current_app.config["REFERRAL_EXPIRY_DAYS"]) * 24 * 3600 + 24 * 3600
    try:
        value = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
