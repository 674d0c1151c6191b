"""Events, their sessions, registrations (with the waiting list), messages and the events' outbox."""
import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.contacts.models import Contact
from crm.db import SingleLineString, TimestampMixin, as_utc, utcnow
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.outbox import OutboxRow, outbox_table_args

EVENT_KINDS = ("webinar", "workshop", "training")
# draft: not public. open and closed: published, registration open or closed.
EVENT_STATUSES = ("draft", "open", "closed")
# unconfirmed: the address is not confirmed yet (double opt-in), no seat. confirmed: a seat.
# waiting: on the waiting list, in the order of ``waiting_since``. cancelled: by the person or a manager.
REGISTRATION_STATUSES = ("unconfirmed", "confirmed", "waiting", "cancelled")
# How the registration found its enterprise: not yet (before the address is confirmed), by NEQ, by
# name and city (to be confirmed by a manager: ``proposed_enterprise_id``), a new enterprise, or a
# manager's decision.
MATCH_STATES = ("pending", "neq", "to_confirm", "created", "confirmed")
EMAIL_KINDS = ("address", "confirmed", "waiting", "promoted", "reminder", "message", "cancelled")


class Event(TimestampMixin, db.Model):
    """A public event of an organization, open to registration once published."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(SingleLineString(200))
    description: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(20), default="virtual")  # in_person | virtual | hybrid
    place: Mapped[str | None] = mapped_column(SingleLineString(300))
    # Sent to the people registered, never shown on the public pages.
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    region_code: Mapped[str | None] = mapped_column(String(2), index=True)
    # The languages the event is given in, space-separated codes ("fr", "fr en").
    languages: Mapped[str] = mapped_column(String(10), default="fr")
    capacity: Mapped[int]
    registration_deadline: Mapped[datetime | None]
    # The seat counts once the person confirms their address through the link emailed to them.
    double_opt_in: Mapped[bool] = mapped_column(default=False)
    # The event's own questions on the registration form, one per line.
    questions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    published_at: Mapped[datetime | None]
    # First start and last end of its sessions, kept by the services: lists sort and filter on them.
    starts_at: Mapped[datetime | None] = mapped_column(index=True)
    ends_at: Mapped[datetime | None]
    # iCalendar identity of the event's sessions: "<session id>-" + uid, SEQUENCE grows with each change.
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=lambda: f"{uuid.uuid4()}@virage")
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic locking of the manager's edits.
    version: Mapped[int] = mapped_column(default=1)

    organization: Mapped[Organization] = relationship(lazy="joined")
    sessions: Mapped[list["EventSession"]] = relationship(
        back_populates="event", order_by="EventSession.starts_at, EventSession.id", lazy="selectin",
        cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
        Index("ix_events_status_starts_at", "status", "starts_at"),
    )

    @property
    def is_published(self) -> bool:
        return self.status in ("open", "closed")

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(self.languages.split())

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in (self.questions or "").splitlines() if line.strip()]

    def accepts_registrations(self, now: datetime) -> bool:
        """Open, not past its deadline, and not started."""
        if self.status != "open":
            return False
        if self.registration_deadline is not None and as_utc(self.registration_deadline) <= now:
            return False
        return self.starts_at is not None and as_utc(self.starts_at) > now

    def __repr__(self) -> str:
        return f"<Event {self.id}>"


class EventSession(db.Model):
    """One dated part of an event (a webinar has one; a training several)."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    event: Mapped[Event] = relationship(back_populates="sessions")

    __table_args__ = (CheckConstraint("ends_at > starts_at", name="times"),)

    @property
    def starts_utc(self) -> datetime:
        return as_utc(self.starts_at)

    @property
    def ends_utc(self) -> datetime:
        return as_utc(self.ends_at)


class Registration(TimestampMixin, db.Model):
    """A person's registration to an event, as they typed it, and what became of it."""

    __tablename__ = "event_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(SingleLineString(100))
    last_name: Mapped[str] = mapped_column(SingleLineString(100))
    email: Mapped[str] = mapped_column(String(254))
    # Lowercase address: one registration per address and event.
    email_key: Mapped[str] = mapped_column(String(254))
    # Folded names, enterprise and address: the accent-insensitive search of the lists.
    search_text: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str | None] = mapped_column(SingleLineString(120))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    enterprise_name: Mapped[str] = mapped_column(SingleLineString(200))
    neq: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(SingleLineString(120))
    region_code: Mapped[str] = mapped_column(String(2))
    legal_form: Mapped[str] = mapped_column(String(30))
    # {question: answer} for the event's own questions.
    answers: Mapped[dict | None] = mapped_column(JSON)
    consent_reminders: Mapped[bool] = mapped_column(default=False)
    consent_follow_up: Mapped[bool] = mapped_column(default=False)
    address_confirmed_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    waiting_since: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    match_status: Mapped[str] = mapped_column(String(20), default="pending")
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    proposed_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    attended_at: Mapped[datetime | None]
    attendance_source: Mapped[str | None] = mapped_column(String(20))  # check_in | import
    attended_minutes: Mapped[int | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    anonymized_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship(foreign_keys=[enterprise_id])
    proposed_enterprise: Mapped[Enterprise | None] = relationship(foreign_keys=[proposed_enterprise_id])
    contact: Mapped[Contact | None] = relationship()

    __table_args__ = (
        Index("ix_event_registrations_event_id_status", "event_id", "status"),
        Index("ix_event_registrations_event_id_email_key", "event_id", "email_key"),
        Index("ix_event_registrations_event_id_match_status", "event_id", "match_status"),
        CheckConstraint("status IN ('unconfirmed', 'confirmed', 'waiting', 'cancelled')", name="status"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def attended(self) -> bool:
        return self.attended_at is not None

    @property
    def is_active(self) -> bool:
        return self.status in ("unconfirmed", "confirmed", "waiting")


class EventMessage(db.Model):
    """A message a manager sent to the people registered to an event."""

    __tablename__ = "event_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(SingleLineString(200))
    body: Mapped[str] = mapped_column(Text)
    include_waiting: Mapped[bool] = mapped_column(default=False)
    recipients: Mapped[int] = mapped_column(default=0)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sent_by: Mapped[User | None] = relationship()


class EventEmail(OutboxRow, db.Model):
    """One email to one registration, queued in the request and sent by ``flask reminders send``
    (crm/outbox.py). It holds no address: the registration's is read at send time, in its language."""

    __tablename__ = "event_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("event_registrations.id", ondelete="CASCADE"),
                                                 index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # A reminder's session and minutes before its start; a message's row.
    event_session_id: Mapped[int | None] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    offset_minutes: Mapped[int] = mapped_column(default=0)
    event_message_id: Mapped[int | None] = mapped_column(ForeignKey("event_messages.id", ondelete="CASCADE"))

    registration: Mapped[Registration] = relationship()
    event_session: Mapped[EventSession | None] = relationship()
    event_message: Mapped[EventMessage | None] = relationship()

    __table_args__ = outbox_table_args("event_emails")
