"""Tokens and calls for the API's tests."""
from crm.api import tokens
from crm.auth.models import User
from crm.extensions import db
from crm.organizations.models import Organization


def personal_token(app, user, scopes=("read", "write"), days=30) -> str:
    with app.app_context():
        _token, raw = tokens.create_personal_token(db.session.get(User, user.id), name="test", scopes=scopes,
                                                   days=days)
        db.session.commit()
    return raw


def service_token(app, organization, admin, scopes=("read", "write"), days=30) -> str:
    with app.app_context():
        _token, raw = tokens.create_service_token(db.session.get(Organization, organization.id),
                                                  actor=db.session.get(User, admin.id), name="service",
                                                  scopes=scopes, days=days)
        db.session.commit()
    return raw


def bearer(raw: str, language: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {raw}"}
    if language:
        headers["Accept-Language"] = language
    return headers
