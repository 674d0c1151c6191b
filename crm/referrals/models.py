"""A referral of an enterprise from one organization to another, and the outbox of its emails."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.contacts.models import Contact
from crm.db import SingleLineString, TimestampMixin
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.outbox import OutboxRow, outbox_table_args

# move: the receiving organization owns the enterprise from then on. share: it owns it until
# ``share_ends_on``, while the referring organization keeps seeing it, read-only; then it returns.
KINDS = ("move", "share")
# What the contact agreed to communicate (Law 25: a consent specific to what is shared).
SHARED_PARTS = ("record", "contacts", "history", "diagnostics")
# recorded: by the referring coach, with its source. email: asked by a signed link.
CONSENT_METHODS = ("recorded", "email")
CONSENT_STATUSES = ("pending", "given", "refused")
# consent_pending: the contact has not answered the email yet (the receiver sees nothing).
# sent: the consent is on record, the receiving organization decides. accepted: done (a share is
# running). declined: by the receiver, or the contact refused. expired: nobody answered in time.
# ended: a share that reached its end date (a move stays accepted).
STATUSES = ("consent_pending", "sent", "accepted", "declined", "expired", "ended")
OPEN_STATUSES = ("consent_pending", "sent")


class Referral(TimestampMixin, db.Model):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    from_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    to_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    # Codes of SHARED_PARTS, space-separated.
    shared: Mapped[str] = mapped_column(String(100))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    consent_method: Mapped[str] = mapped_column(String(10))
    consent_status: Mapped[str] = mapped_column(String(10), default="pending")
    # How the consent was given ("by phone on 2 December"), or the email link's placeholder.
    consent_source: Mapped[str | None] = mapped_column(SingleLineString(200))
    consent_at: Mapped[datetime | None]
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Unanswered (by the contact or the receiver) after this moment: expired by the worker.
    expires_at: Mapped[datetime]
    share_ends_on: Mapped[date | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A share's coach before it, given the enterprise back when the share ends.
    previous_coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    enterprise: Mapped[Enterprise] = relationship()
    from_organization: Mapped[Organization] = relationship(foreign_keys=[from_organization_id], lazy="joined")
    to_organization: Mapped[Organization] = relationship(foreign_keys=[to_organization_id], lazy="joined")
    referred_by: Mapped[User | None] = relationship(foreign_keys=[referred_by_id])
    contact: Mapped[Contact | None] = relationship()
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("kind IN ('move', 'share')", name="kind"),
        CheckConstraint("status IN ('consent_pending', 'sent', 'accepted', 'declined', 'expired', 'ended')",
                        name="status"),
        CheckConstraint("consent_status IN ('pending', 'given', 'refused')", name="consent_status"),
        CheckConstraint("from_organization_id <> to_organization_id", name="two_organizations"),
        Index("ix_referrals_status_expires_at", "status", "expires_at"),
        Index("ix_referrals_kind_status_share_ends_on", "kind", "status", "share_ends_on"),
    )

    @property
    def shared_parts(self) -> tuple[str, ...]:
        return tuple(self.shared.split())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_running_share(self) -> bool:
        return self.kind == "share" and self.status == "accepted"


# consent_request: to the contact (the signed link). received: to the receiving organization's
# managers. assigned: to the coach chosen on acceptance. accepted, declined, consent_refused, expired,
# ended: to the person who referred. ended_early: to the receiving organization's managers and coach,
# when the sharing side ended the share before its date.
EMAIL_KINDS = ("consent_request", "received", "assigned", "accepted", "declined", "consent_refused", "expired",
               "ended", "ended_early")


class ReferralEmail(OutboxRow, db.Model):
    """One email about a referral, queued in the request that decided it and sent by ``flask reminders
    send`` (crm/outbox.py). It holds no address: the contact's or the user's is read at send time."""

    __tablename__ = "referral_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The staff member written to; None: the referral's contact.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    referral: Mapped[Referral] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = outbox_table_args("referral_emails")
