"""The signed link of a survey: its id, signed with the application's secret, so that whoever holds
the email may answer that survey (until it closes, ``Survey.closes_at``), nobody else."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "surveys-answer"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def survey_token(survey_id: int) -> str:
    return _serializer().dumps(survey_id)


def survey_id_from_token(token: str) -> int | None:
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
