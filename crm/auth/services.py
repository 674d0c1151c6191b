"""Accounts: creation, authentication, sessions, passwords."""
import logging
import secrets
from functools import cache
from pathlib import Path

from sqlalchemy import func, select

from crm.audit.services import record
from crm.auth.models import User
from crm.db import utcnow
from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _l
from crm.reference import ROLES
from crm.validators import is_number

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
_COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The vendored list of the 10,000 most common passwords (no download at run time)."""
    lines = _COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str | None = None):
    """Why a new password is refused (a translated message), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
    if password.strip().lower() in common_passwords():
        return _l("This password is among the most common ones; choose another.")
    local_part = normalize_email(email or "").partition("@")[0]
    if len(local_part) >= 3 and local_part in password.lower():
        return _l("The password must not contain your email address.")
    return None


def check_password_policy(password: str, email: str | None = None) -> None:
    problem = password_problem(password, email)
    if problem is not None:
        raise DomainError(problem, field="password")


def unusable_password_hash() -> str:
    """A hash no password matches: the person chooses one through the emailed link."""
    return "!" + secrets.token_hex(16)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(*, email: str, full_name: str, password: str | None, role: str, organization,
                locale: str | None = None, actor=None) -> User:
    if role not in ROLES:
        raise DomainError(_l("Unknown role."), field="role")
    email = normalize_email(email)
    if password is not None:
        check_password_policy(password, email)
    taken = db.session.scalar(select(func.count()).select_from(User).where(User.email == email))
    if taken:
        raise DomainError(_l("A user with this email already exists."), field="email")
    user = User(email=email, full_name=full_name.strip(), role=role,
                organization_id=organization.id, locale=locale)
    if password is None:
        user.password_hash = unusable_password_hash()
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log.info("user %s created (role %s) by %s", user.id, role, getattr(actor, "id", "cli"))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user when the password matches an active account, else None (no hint why).

    A match is not yet a sign-in: the view may still ask for the second factor.
    """
    user = find_user_by_email(email)
    if user is None or not user.has_usable_password:
        User(password_hash="").set_password(password)  # same work whether or not it exists
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    log.info("user %s signed in", user.id)


def change_password(user: User, *, current: str, new: str) -> None:
    """The signed-in person's own change: ends every session (the caller signs this one in again)."""
    if not user.check_password(current):
        raise DomainError(_l("The current password is incorrect."), field="current_password")
    set_new_password(user, new, actor=user, action="user.password_changed")


def set_new_password(user: User, password: str, *, actor, action: str) -> None:
    """Set a password that follows the policy; every session and reset link of the user ends."""
    check_password_policy(password, user.email)
    user.set_password(password)
    user.end_all_sessions()
    record(action, user, actor=actor)
    log.info("password of user %s set (%s) by %s", user.id, action, getattr(actor, "id", None))


def load_user_from_session(session_id: str) -> User | None:
    """Flask-Login's loader: ``id:version``; a stale version is a logged-out cookie."""
    user_id, _, version = session_id.partition(":")
    if not is_number(user_id) or not is_number(version):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def end_all_sessions(user: User) -> None:
    user.end_all_sessions()
    log.info("all sessions of user %s ended", user.id)
