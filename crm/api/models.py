"""Access tokens of the API: personal (a person's own rights) or a service's (an organization's)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import SingleLineString, TimestampMixin, as_utc, utcnow
from crm.extensions import db
from crm.organizations.models import Organization

SCOPES = ("read", "write")


class ApiToken(TimestampMixin, db.Model):
    """A bearer token, stored as its SHA-256 (the token is random): shown once, at creation.

    Personal tokens (``user_id``) act with their owner's rights; service tokens (``organization_id``,
    made by the programme office) with those of a manager of the organization. ``scopes`` is
    ``read`` or ``read write``.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(SingleLineString(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a person recognizes the token in the list (never enough to use it).
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(40), default="read")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    organization: Mapped[Organization | None] = relationship()

    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (organization_id IS NULL)", name="owner"),
    )

    @property
    def is_service(self) -> bool:
        return self.organization_id is not None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes.split()

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and as_utc(self.expires_at) > (now or utcnow())
