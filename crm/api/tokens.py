"""Access tokens: made, shown once, found again by their hash, revoked. Services flush, never commit."""
import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.api.models import SCOPES, ApiToken
from crm.audit import services as audit
from crm.db import as_utc, utcnow
from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _l

log = logging.getLogger(__name__)

TOKEN_PREFIX = "vrg_"  # noqa: S105 - the visible start of every token, no secret
MAX_DAYS = 366
# Writing the last use on every call would make each read a write: once a minute is enough to show it.
LAST_USE_PRECISION = timedelta(minutes=1)


def hashed(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _scopes(scopes) -> str:
    chosen = [s for s in SCOPES if s in set(scopes)]
    if "write" in chosen and "read" not in chosen:
        chosen.insert(0, "read")  # writing without reading what one wrote makes no sense
    if not chosen:
        raise DomainError(_l("Choose at least one scope."), field="scopes")
    return " ".join(chosen)


def _expiry(days: int):
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(_l("A token lasts from 1 to %(days)s days.", days=str(MAX_DAYS)), field="days")
    return utcnow() + timedelta(days=days)


def create_personal_token(user, *, name: str, scopes, days: int) -> tuple[ApiToken, str]:
    """A token acting with ``user``'s own rights. Returns it and its secret, to show once."""
    raw = _new_secret()
    token = ApiToken(name=name.strip(), token_hash=hashed(raw), prefix=raw[:10], scopes=_scopes(scopes),
                     user_id=user.id, created_by_id=user.id, expires_at=_expiry(days))
    db.session.add(token)
    db.session.flush()
    audit.record("create", token, actor=user, changes={"name": [None, token.name], "scopes": [None, token.scopes]})
    log.info("API token %s created by user %s", token.id, user.id)
    return token, raw


def create_service_token(organization, *, actor, name: str, scopes, days: int) -> tuple[ApiToken, str]:
    """A token for a tool of ``organization``, with the rights of one of its managers."""
    if organization is None or not organization.is_active:
        raise DomainError(_l("Choose an active organization."), field="organization_id")
    raw = _new_secret()
    token = ApiToken(name=name.strip(), token_hash=hashed(raw), prefix=raw[:10], scopes=_scopes(scopes),
                     organization_id=organization.id, created_by_id=actor.id, expires_at=_expiry(days))
    db.session.add(token)
    db.session.flush()
    audit.record("create", token, actor=actor, changes={"name": [None, token.name], "scopes": [None, token.scopes],
                                                        "organization_id": [None, organization.id]})
    log.info("API service token %s for organization %s created by user %s", token.id, organization.id, actor.id)
    return token, raw


def revoke(token: ApiToken, *, actor) -> None:
    if token.revoked_at is not None:
        raise DomainError(_l("This token is already revoked."))
    token.revoked_at = utcnow()
    audit.record("revoke", token, actor=actor, changes={"revoked_at": [None, token.revoked_at.isoformat()]})
    db.session.flush()
    log.info("API token %s revoked by user %s", token.id, getattr(actor, "id", None))


def find(raw: str) -> ApiToken | None:
    """The usable token whose secret is ``raw`` (not expired, not revoked, its owner active)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hashed(raw))
                              .options(joinedload(ApiToken.user), joinedload(ApiToken.organization)))
    if token is None or not token.is_usable():
        return None
    if token.is_service and not token.organization.is_active:
        return None
    if not token.is_service and not token.user.is_active:
        return None
    return token


def note_use(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - as_utc(token.last_used_at) >= LAST_USE_PRECISION:
        token.last_used_at = now


def personal_tokens(user):
    return select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.revoked_at.is_not(None),
                                                                        ApiToken.created_at.desc(), ApiToken.id)


def service_tokens():
    return (select(ApiToken).where(ApiToken.organization_id.is_not(None))
            .options(joinedload(ApiToken.organization))
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id))
