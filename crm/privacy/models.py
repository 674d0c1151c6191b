"""Records Law 25 asks us to keep: access to personal information, incidents (the consent history is
kept by crm.contacts)."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import TimestampMixin, utcnow
from crm.extensions import db


class AccessLogEntry(db.Model):
    """Someone viewed or exported personal information (who, when, what, about whom)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)  # crm.privacy.access_log.ACTIONS
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    # Ids and formats only, never the personal information itself.
    details: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_access_log_subject", "subject_type", "subject_id"),)


class Incident(TimestampMixin, db.Model):
    """A confidentiality incident, as the register Law 25 requires (art. 3.8)."""

    __tablename__ = "privacy_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    discovered_on: Mapped[date]
    occurred_on: Mapped[date | None]
    nature: Mapped[str] = mapped_column(Text)
    # Codes of crm.privacy.incidents.INFORMATION_CATEGORIES.
    information_categories: Mapped[list] = mapped_column(JSON, default=list)
    people_affected: Mapped[int | None]
    serious_injury_risk: Mapped[bool] = mapped_column(default=False)
    risk_assessment: Mapped[str | None] = mapped_column(Text)
    measures_taken: Mapped[str | None] = mapped_column(Text)
    commission_notified_on: Mapped[date | None]
    people_notified_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic locking: an edit based on an older version is refused, not lost.
    version: Mapped[int] = mapped_column(default=1)

    recorded_by: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
