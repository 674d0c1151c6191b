"""Write operations of the administration screens: users and organizations (audited)."""
import logging
import re

from sqlalchemy import func, select

from crm.audit.services import changed_fields, record, snapshot
from crm.auth import emails, two_factor
from crm.auth.models import User
from crm.auth.services import create_user, normalize_email
from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _l
from crm.organizations.models import Organization
from crm.reference import LANGUAGES, ORGANIZATION_KINDS, REGIONS, ROLES

log = logging.getLogger(__name__)

USER_FIELDS = ("email", "full_name", "role", "organization_id", "locale", "is_active")
ORGANIZATION_FIELDS = ("code", "name", "kind", "region_code", "is_active", "require_two_factor")
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _check_user_values(values: dict, *, user: User | None = None) -> None:
    if values["role"] not in ROLES:
        raise DomainError(_l("Unknown role."), field="role")
    if values.get("locale") not in (None, *LANGUAGES):
        raise DomainError(_l("Unknown language."), field="locale")
    organization = db.session.get(Organization, values["organization_id"])
    if organization is None or (not organization.is_active
                                and (user is None or user.organization_id != organization.id)):
        raise DomainError(_l("Choose an active organization."), field="organization_id")
    query = select(func.count()).select_from(User).where(User.email == values["email"])
    if user is not None:
        query = query.where(User.id != user.id)
    if db.session.scalar(query):
        raise DomainError(_l("A user with this email already exists."), field="email")


def create_account(*, actor, email: str, full_name: str, role: str, organization_id: int,
                   locale: str | None) -> User:
    """A new account without a password: the person chooses one through the emailed link (queued)."""
    values = {"email": normalize_email(email), "role": role, "organization_id": organization_id,
              "locale": locale or None}
    _check_user_values(values)
    organization = db.session.get(Organization, organization_id)
    user = create_user(email=values["email"], full_name=full_name, password=None, role=role,
                       organization=organization, locale=values["locale"], actor=actor)
    record("user.created", user, actor=actor, changes=snapshot(user, USER_FIELDS))
    emails.queue_password_link(user, actor=actor, welcome=True)
    return user


def update_account(user: User, *, actor, email: str, full_name: str, role: str,
                   organization_id: int, locale: str | None) -> dict:
    values = {"email": normalize_email(email), "full_name": full_name.strip(), "role": role,
              "organization_id": organization_id, "locale": locale or None}
    _check_user_values(values, user=user)
    if user.id == actor.id and role != user.role:
        raise DomainError(_l("You cannot change your own role."), field="role")
    for name, value in values.items():
        setattr(user, name, value)
    changes = changed_fields(user, USER_FIELDS)
    if changes:
        if {"email", "role", "organization_id"} & changes.keys():
            user.end_all_sessions()  # new rights or identity: sign in again
        record("user.updated", user, actor=actor, changes=changes)
        log.info("user %s updated by %s", user.id, actor.id)
    return changes


def set_active(user: User, active: bool, *, actor) -> None:
    """Deactivating ends every session of the user at once."""
    if user.id == actor.id:
        raise DomainError(_l("You cannot deactivate your own account."), field=None)
    if user.is_active == active:
        return
    user.is_active = active
    user.end_all_sessions()
    record("user.reactivated" if active else "user.deactivated", user, actor=actor)
    log.info("user %s %s by %s", user.id, "reactivated" if active else "deactivated", actor.id)


def reset_two_factor(user: User, *, actor) -> None:
    """A lost phone: the person enrols again at the next sign-in if 2FA is required of them."""
    if user.id == actor.id:
        raise DomainError(_l("Use your own account page for your two-factor authentication."), field=None)
    two_factor.disable(user, actor=actor)


def _check_organization_values(values: dict, *, organization: Organization | None = None) -> None:
    if not _CODE_RE.match(values["code"]):
        raise DomainError(_l("Lower-case letters, digits and hyphens only (40 at most)."), field="code")
    if values["kind"] not in ORGANIZATION_KINDS:
        raise DomainError(_l("Unknown kind of organization."), field="kind")
    if values["kind"] == "regional" and values["region_code"] not in REGIONS:
        raise DomainError(_l("A regional hub needs its region."), field="region_code")
    if values["kind"] == "national" and values["region_code"]:
        raise DomainError(_l("A national partner has no region."), field="region_code")
    for name, message in (("code", _l("Another organization already has this code.")),
                          ("name", _l("Another organization already has this name."))):
        column = getattr(Organization, name)
        query = select(func.count()).select_from(Organization).where(func.lower(column) == values[name].lower())
        if organization is not None:
            query = query.where(Organization.id != organization.id)
        if db.session.scalar(query):
            raise DomainError(message, field=name)


def _organization_values(code, name, kind, region_code, is_active, require_two_factor) -> dict:
    return {"code": (code or "").strip().lower(), "name": (name or "").strip(), "kind": kind,
            "region_code": region_code or None, "is_active": bool(is_active),
            "require_two_factor": bool(require_two_factor)}


def create_organization(*, actor, **fields) -> Organization:
    values = _organization_values(**fields)
    _check_organization_values(values)
    organization = Organization(**values)
    db.session.add(organization)
    db.session.flush()
    record("organization.created", organization, actor=actor,
           changes=snapshot(organization, ORGANIZATION_FIELDS))
    log.info("organization %s created by %s", organization.id, actor.id)
    return organization


def update_organization(organization: Organization, *, actor, **fields) -> dict:
    values = _organization_values(**fields)
    _check_organization_values(values, organization=organization)
    for name, value in values.items():
        setattr(organization, name, value)
    changes = changed_fields(organization, ORGANIZATION_FIELDS)
    if changes:
        record("organization.updated", organization, actor=actor, changes=changes)
        log.info("organization %s updated by %s", organization.id, actor.id)
    return changes


def send_password_link(user: User, *, actor) -> None:
    """Queue a link to choose a password (the worker sends it: crm/auth/emails.py)."""
    if not user.is_active:
        raise DomainError(_l("Reactivate the account first."), field=None)
    emails.queue_password_link(user, actor=actor)
    record("user.password_link_sent", user, actor=actor)
