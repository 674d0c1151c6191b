"""Accounts: creation, authentication, sessions."""
import logging

from sqlalchemy import func, select

from crm.auth.models import User
from crm.db import utcnow
from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _l
from crm.reference import ROLES

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(*, email: str, full_name: str, password: str, role: str, organization,
                locale: str | None = None, actor=None) -> User:
    if role not in ROLES:
        raise DomainError(_l("Unknown role."), field="role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
            field="password",
        )
    email = normalize_email(email)
    taken = db.session.scalar(select(func.count()).select_from(User).where(User.email == email))
    if taken:
        raise DomainError(_l("A user with this email already exists."), field="email")
    user = User(email=email, full_name=full_name.strip(), role=role,
                organization_id=organization.id, locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log.info("user %s created (role %s) by %s", user.id, role, getattr(actor, "id", "cli"))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user when the password matches an active account, else None (no hint why)."""
    user = find_user_by_email(email)
    if user is None:
        User(password_hash="").set_password(password)  # same work whether or not it exists
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def load_user_from_session(session_id: str) -> User | None:
    """Flask-Login's loader: ``id:version``; a stale version is a logged-out cookie."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def end_all_sessions(user: User) -> None:
    user.end_all_sessions()
    log.info("all sessions of user %s ended", user.id)
