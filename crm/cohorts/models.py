"""Cohorts, memberships, sessions, attendance and private calendar feeds."""
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.contacts.models import Contact
from crm.db import SingleLineString, TimestampMixin, as_utc, utcnow
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.organizations.models import Organization

cohort_facilitators = Table(
    "cohort_facilitators",
    db.metadata,
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)

attendance_contacts = Table(
    "attendance_contacts",
    db.metadata,
    Column("attendance_id", ForeignKey("attendances.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id"), primary_key=True),
)


class Cohort(TimestampMixin, db.Model):
    """A group of enterprises following a training or a collective coaching together."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(SingleLineString(200))
    kind: Mapped[str] = mapped_column(String(30))  # training | coaching_collective
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    capacity: Mapped[int]
    mode: Mapped[str] = mapped_column(String(20), default="in_person")  # in_person | virtual | hybrid
    place: Mapped[str | None] = mapped_column(SingleLineString(300))
    region_code: Mapped[str | None] = mapped_column(String(2), index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned", index=True)
    description: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(lazy="joined")
    facilitators: Mapped[list[User]] = relationship(
        secondary=cohort_facilitators, order_by=User.full_name, lazy="selectin"
    )
    memberships: Mapped[list["CohortMembership"]] = relationship(
        back_populates="cohort", order_by="CohortMembership.joined_on"
    )

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("capacity > 0", name="capacity"),
    )

    def __repr__(self) -> str:
        return f"<Cohort {self.id}>"


class CohortMembership(db.Model):
    """An enterprise's stay in a cohort; leaving keeps the row, with the date."""

    __tablename__ = "cohort_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
    enterprise: Mapped[Enterprise] = relationship()

    __table_args__ = (
        Index("ix_cohort_memberships_cohort_id_enterprise_id", "cohort_id", "enterprise_id"),
    )

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class ProgrammeSession(TimestampMixin, db.Model):
    """A dated meeting: of a cohort (collective) or of one enterprise (individual coaching)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # iCalendar identity: UID never changes, SEQUENCE grows with each change sent out.
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=lambda: f"{uuid.uuid4()}@virage")
    sequence: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)  # scheduled | cancelled
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    # The owner's organization, copied so calendars filter sessions in one indexed query.
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(SingleLineString(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    # Minutes between start and end (in UTC, so right across time changes): summed as coaching hours.
    duration_minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(String(20), default="in_person")
    place: Mapped[str | None] = mapped_column(SingleLineString(300))
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    agenda: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]
    attendance_taken_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cohort: Mapped[Cohort | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    organization: Mapped[Organization] = relationship()
    facilitator: Mapped[User | None] = relationship(foreign_keys=[facilitator_id])
    changes: Mapped[list["SessionChange"]] = relationship(
        back_populates="session", order_by="SessionChange.at.desc(), SessionChange.id.desc()"
    )

    __table_args__ = (
        CheckConstraint("(cohort_id IS NULL) <> (enterprise_id IS NULL)", name="cohort_or_enterprise"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    @property
    def is_individual(self) -> bool:
        return self.enterprise_id is not None

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def facilitator_name(self) -> str | None:
        return self.facilitator.full_name if self.facilitator else None

    @property
    def starts_utc(self) -> datetime:
        return as_utc(self.starts_at)

    @property
    def ends_utc(self) -> datetime:
        return as_utc(self.ends_at)

    def __repr__(self) -> str:
        return f"<ProgrammeSession {self.id}>"


class SessionChange(db.Model):
    """A reschedule, cancellation or edit of a session, kept for the record and for reminders."""

    __tablename__ = "session_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # created | updated | rescheduled | cancelled
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    old_starts_at: Mapped[datetime | None]
    old_ends_at: Mapped[datetime | None]
    new_starts_at: Mapped[datetime | None]
    new_ends_at: Mapped[datetime | None]
    # Where, before and after the change (every kind but edits made before they were kept: NULL).
    old_place: Mapped[str | None] = mapped_column(SingleLineString(300))
    new_place: Mapped[str | None] = mapped_column(SingleLineString(300))
    old_meeting_url: Mapped[str | None] = mapped_column(String(500))
    new_meeting_url: Mapped[str | None] = mapped_column(String(500))
    sequence: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)

    session: Mapped[ProgrammeSession] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()


class Attendance(db.Model):
    """Whether an enterprise came to a session, and which of its contacts did."""

    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # present | absent | excused
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ProgrammeSession] = relationship()
    contacts: Mapped[list[Contact]] = relationship(secondary=attendance_contacts)

    __table_args__ = (UniqueConstraint("session_id", "enterprise_id"),)


class CalendarFeed(db.Model):
    """A user's private calendar subscription: only the token's SHA-256 is stored."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
