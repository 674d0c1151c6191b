from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.sealed import SealedString
from crm.db import SingleLineString, TimestampMixin
from crm.extensions import db
from crm.organizations.models import Organization
from crm.outbox import OutboxRow, outbox_table_args

_hasher = PasswordHasher()


class User(TimestampMixin, db.Model):
    """A person who signs in: programme office (admin), manager or coach."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(SingleLineString(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)  # admin | manager | coach
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Part of the login cookie: bumping it ends every session of the user.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]
    # Two-factor authentication (TOTP): the secret, when it was confirmed, and the last time
    # step accepted, so that a code seen over someone's shoulder cannot be used a second time.
    # The secret is stored sealed (crm.auth.sealed): a copy of the database cannot make codes.
    totp_secret: Mapped[str | None] = mapped_column(SealedString(255))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_counter: Mapped[int | None]

    organization: Mapped[Organization] = relationship(lazy="joined")

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    def end_all_sessions(self) -> None:
        self.session_version += 1

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def has_usable_password(self) -> bool:
        return self.password_hash.startswith("$argon2")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def is_coach(self) -> bool:
        return self.role == "coach"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class RecoveryCode(db.Model):
    """A single-use two-factor recovery code, stored hashed (SHA-256: the codes are random)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class TwoFactorPending(db.Model):
    """What two-factor set-up keeps between two requests, on the server: Flask's session cookie is
    signed, not encrypted, so whoever sees it (a shared computer, a proxy's log) could read it.

    First the secret being enrolled, until a code from the app confirms it; then the new recovery
    codes, until the page that shows them once. Both sealed, like the secrets in use. One row per
    person, deleted when two-factor authentication is turned off.
    """

    __tablename__ = "two_factor_pending"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str | None] = mapped_column(SealedString(255))
    secret_created_at: Mapped[datetime | None]
    # Space-separated; ten codes sealed take about 230 characters.
    recovery_codes: Mapped[str | None] = mapped_column(SealedString(400))
    codes_created_at: Mapped[datetime | None]


ACCOUNT_EMAIL_KINDS = ("password_reset", "welcome")


class AccountEmail(OutboxRow, db.Model):
    """An email about a person's account (a link to choose a password), queued in the request and
    sent by ``flask reminders send`` (crm/auth/emails.py, crm/outbox.py).

    It holds no link and no address: the worker signs the link at send time from ``user_id`` and
    ``created_at`` (the request's time, which its expiry counts from), and reads the address then.
    ``user_id`` is empty for a request about an address without an active account: written all the
    same, already ``cancelled``, never sent, so that both answers cost the same.
    """

    __tablename__ = "account_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # password_reset | welcome
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        *outbox_table_args("account_emails"),
        CheckConstraint("kind IN ('password_reset', 'welcome')", name="kind"),
    )
