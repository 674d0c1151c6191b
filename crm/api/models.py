"""Access tokens of the API (personal, or a service's for an organization) and webhooks (an
organization's subscriptions, and the outbox of their deliveries)."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.auth.sealed import SealedString
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


# What an organization may subscribe to; ``ping`` is the test a person sends from the page.
WEBHOOK_EVENTS = ("enterprise.created", "enterprise.stage_changed", "session.planned", "session.rescheduled",
                  "session.cancelled", "registration.created")
DELIVERY_STATES = ("pending", "sending", "sent", "failed", "cancelled")


class WebhookSubscription(TimestampMixin, db.Model):
    """An organization's endpoint, told of the events it chose about what the organization owns.

    The secret signs every payload (HMAC-SHA256); it is shown once and stored sealed
    (crm.auth.sealed), since the worker needs it to sign.
    """

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[str] = mapped_column(String(500))  # space-separated WEBHOOK_EVENTS
    secret: Mapped[str] = mapped_column(SealedString(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()

    def wants(self, event: str) -> bool:
        return event == "ping" or event in self.events.split()


class WebhookDelivery(TimestampMixin, db.Model):
    """One event for one subscription: a row of the outbox the worker drains (crm/outbox.py), and
    the delivery log the organization reads (state, attempts, the endpoint's last answer)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[int | None]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None]
    # The delivery's id for the receiver (X-Virage-Delivery): the same on every retry.
    message_id: Mapped[str] = mapped_column(String(64), unique=True)

    subscription: Mapped[WebhookSubscription] = relationship()

    __table_args__ = (
        Index("ix_webhook_deliveries_state_due_at", "state", "due_at"),
        Index("ix_webhook_deliveries_subscription_id_created_at", "subscription_id", "created_at"),
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name="state"),
    )
