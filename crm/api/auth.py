"""Who calls the API: the bearer token of the Authorization header, never the session cookie.

A personal token acts as its owner (the same ``User`` the pages' rules of crm/access.py receive). A
service token acts as a manager of its organization (``ServicePrincipal``); what it writes is
audited under the person of the programme office who made it, with the token's id in the context.
"""
import hashlib
from dataclasses import dataclass

from flask import abort, current_app, g, request
from flask_limiter.util import get_remote_address

from crm import problems
from crm.api import tokens
from crm.api.models import ApiToken
from crm.auth.models import User
from crm.extensions import db
from crm.i18n import _

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ServicePrincipal:
    """The rights of a service token: those of a manager of ``organization_id``. Its ``id`` is no
    user's (0), so no rule takes it for a coach or a facilitator."""

    organization_id: int
    id: int = 0
    role: str = "manager"
    is_admin: bool = False
    is_manager: bool = True
    is_coach: bool = False
    is_active: bool = True


def presented_token() -> str | None:
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def rate_limit_key() -> str:
    """Counted per token (its hash: the secret never reaches the limiter's storage), else per address."""
    raw = presented_token()
    if raw:
        return "token:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    return "address:" + (get_remote_address() or "")


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def authenticate() -> None:
    """Before every API call but the OpenAPI document: 401 without a usable token, 403 for a write
    with a read-only token."""
    raw = presented_token()
    if raw is None:
        abort(problems.problem(401, headers={"WWW-Authenticate": 'Bearer realm="virage"'}))
    token = tokens.find(raw)
    if token is None:
        abort(problems.problem(
            401, _("This access token is not valid: it is unknown, expired or revoked, or its owner's account "
                   "is inactive."), code="invalid-token",
            headers={"WWW-Authenticate": 'Bearer realm="virage", error="invalid_token"'}))
    if request.method not in READ_METHODS and not token.allows("write"):
        abort(problems.problem(
            403, _("This access token may only read. Make a token with the write scope."), code="insufficient-scope",
            headers={"WWW-Authenticate": 'Bearer realm="virage", error="insufficient_scope", scope="write"'}))
    tokens.note_use(token)
    g.api_token = token


def token() -> ApiToken:
    return g.api_token


def principal():
    """Whose rights apply: the owner of a personal token, a manager of a service token's organization."""
    current = g.api_token
    if current.is_service:
        return ServicePrincipal(organization_id=current.organization_id)
    return current.user


def actor():
    """Whom the audit names: the owner, or for a service token the person who made it."""
    current = g.api_token
    return current.user if not current.is_service else _creator(current)


def _creator(current: ApiToken):
    return db.session.get(User, current.created_by_id) if current.created_by_id else None


def audit_context() -> dict:
    return {"api_token": g.api_token.id}
