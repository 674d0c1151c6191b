"""The reminders outbox, and per-session reminder offsets.

Every email to send is a ``Reminder`` row before anything is sent. Its unique key (session,
recipient, kind, offset, sequence) makes queuing the same email twice impossible, and its
``message_id`` is chosen once, when the row is created, so that a retry after a crash carries the
same Message-ID and mail systems can drop the duplicate.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.cohorts.models import ProgrammeSession
from crm.contacts.models import Contact
from crm.extensions import db
from crm.outbox import OutboxRow, outbox_table_args

KINDS = ("reminder", "update", "cancel")
RECIPIENT_KINDS = ("contact", "facilitator")


class Reminder(OutboxRow, db.Model):
    """One email to one recipient about one session: a reminder, an update or a cancellation."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    recipient_kind: Mapped[str] = mapped_column(String(20))  # contact | facilitator
    # "contact:12" or "user:3": one column so the unique key works on every database.
    recipient_key: Mapped[str] = mapped_column(String(40))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    kind: Mapped[str] = mapped_column(String(10), default="reminder")  # reminder | update | cancel
    # Minutes before the start for reminders; 0 for updates and cancellations.
    offset_minutes: Mapped[int] = mapped_column(default=0)
    # 0 for reminders (one per offset, whatever the changes); for updates and cancellations, the
    # session SEQUENCE they announce, so each change is announced once.
    sequence: Mapped[int] = mapped_column(default=0)
    # The session SEQUENCE described by the email actually sent (decides whether an update is due).
    sent_sequence: Mapped[int | None]

    session: Mapped[ProgrammeSession] = relationship()
    contact: Mapped[Contact | None] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = (
        *outbox_table_args("reminders"),
        UniqueConstraint("session_id", "recipient_key", "kind", "offset_minutes", "sequence",
                         name="uq_reminders_once"),
        CheckConstraint("kind IN ('reminder', 'update', 'cancel')", name="kind"),
        CheckConstraint("(contact_id IS NULL) <> (user_id IS NULL)", name="one_recipient"),
    )

    def __repr__(self) -> str:
        return f"<Reminder {self.id} {self.kind} {self.state}>"


class SessionReminderOffsets(db.Model):
    """A session's own reminder offsets, replacing ``REMINDER_OFFSETS_MINUTES`` for it."""

    __tablename__ = "session_reminder_offsets"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    # Minutes before the start, comma-separated, e.g. "2880,60"; empty: no reminder at all.
    offsets: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def minutes(self) -> tuple[int, ...]:
        return parse_offsets(self.offsets)


def parse_offsets(text: str) -> tuple[int, ...]:
    """'10080, 1440' → (10080, 1440), largest first; raises ValueError on anything else."""
    values = {int(part) for part in str(text).replace(";", ",").split(",") if part.strip()}
    if any(v <= 0 for v in values):
        raise ValueError("offsets must be positive minutes")
    return tuple(sorted(values, reverse=True))
