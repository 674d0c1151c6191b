"""Contacts of enterprises and the history of their consent to each purpose."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import SingleLineString, TimestampMixin, utcnow
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.i18n import _l

# Purposes a contact may consent to, each separately (Law 25: consent specific to each purpose).
PURPOSES = {
    "email_reminders": _l("Email reminders of sessions and follow-ups"),
}
# The purpose the Contact's email_consent columns mirror.
EMAIL_PURPOSE = "email_reminders"


class Contact(TimestampMixin, db.Model):
    """A person at an enterprise. Never signs in; may receive reminders by email."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    first_name: Mapped[str] = mapped_column(SingleLineString(100))
    last_name: Mapped[str] = mapped_column(SingleLineString(100), default="")
    title: Mapped[str | None] = mapped_column(SingleLineString(120))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    preferred_language: Mapped[str] = mapped_column(String(5), default="fr")
    # Law 25: consent specific to email reminders, recorded and withdrawable.
    email_consent: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None]
    consent_source: Mapped[str | None] = mapped_column(SingleLineString(200))
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    archived_at: Mapped[datetime | None]
    anonymized_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    enterprise: Mapped[Enterprise] = relationship(back_populates="contacts")

    __mapper_args__ = {"version_id_col": version}

    @staticmethod
    def join_name(first_name: str, last_name: str) -> str:
        return f"{first_name} {last_name}".strip()

    @property
    def full_name(self) -> str:
        return self.join_name(self.first_name, self.last_name)

    @property
    def can_receive_email(self) -> bool:
        return bool(
            self.email and self.email_consent and not self.archived_at and not self.anonymized_at
        )


class ConsentEvent(db.Model):
    """One grant or withdrawal of a contact's consent to one purpose; the latest one is in force."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    purpose: Mapped[str] = mapped_column(String(40))  # a key of PURPOSES
    granted: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # How the consent was given or withdrawn ("paper form at the 3 March session", "email link").
    source: Mapped[str | None] = mapped_column(SingleLineString(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recorded_by: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_consent_events_contact_id_at", "contact_id", "at"),)
