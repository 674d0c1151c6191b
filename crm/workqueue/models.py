"""The daily digest's outbox and the coaches who turned it off."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import utcnow
from crm.extensions import db
from crm.outbox import OutboxRow, outbox_table_args


class DigestEmail(OutboxRow, db.Model):
    """One coach's digest of one Québec day. The unique key (user, day) makes a second one impossible,
    even when two senders plan the same morning at the same moment. The address and language are
    read when it is sent, so a coach who left or changed language gets what is true then."""

    __tablename__ = "digest_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]

    user: Mapped[User] = relationship()

    __table_args__ = (*outbox_table_args("digest_emails"),
                      UniqueConstraint("user_id", "day", name="uq_digest_emails_once_a_day"))


class DigestOptOut(db.Model):
    """A coach who does not want the daily digest (it is on unless they turn it off on their account page)."""

    __tablename__ = "digest_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
