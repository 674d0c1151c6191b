"""Surveys (one per person and session, or per person and cohort), their answers, the questions an
admin adds to the standard questionnaire, and each cohort's choice of when to survey."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.cohorts import timeutil
from crm.cohorts.models import Cohort, ProgrammeSession
from crm.contacts.models import Contact
from crm.db import SingleLineString, TimestampMixin, as_utc, utcnow
from crm.extensions import db
from crm.organizations.models import Organization
from crm.outbox import OutboxRow, outbox_table_args

# When a cohort's participants are surveyed: after each session, once at the cohort's end, or never.
TIMINGS = ("session", "cohort_end", "none")
INTENTIONS = ("yes", "maybe", "no")
QUESTION_KINDS = ("scale", "yes_no", "text")


class Survey(OutboxRow, db.Model):
    """A person's survey: its email (an outbox row: sent once) and, once answered, their answers.

    ``session_id`` is NULL for a survey at a cohort's end. Erasure (Law 25) removes ``contact_id``
    and the comment; the scores stay for statistics, with the enterprise and the organization.
    """

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    closes_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    satisfaction: Mapped[int | None]  # 1 to 5
    usefulness: Mapped[int | None]  # 1 to 5
    intention: Mapped[str | None] = mapped_column(String(10))  # INTENTIONS
    recommend: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    session: Mapped[ProgrammeSession | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    extra_answers: Mapped[list["SurveyExtraAnswer"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", passive_deletes=True)

    __table_args__ = (
        *outbox_table_args("surveys"),
        # One survey per person and session, and one per person at a cohort's end: created once,
        # whoever creates it (two senders insert and skip what exists).
        Index("uq_surveys_session_id_contact_id", "session_id", "contact_id", unique=True,
              sqlite_where=text("session_id IS NOT NULL"), postgresql_where=text("session_id IS NOT NULL")),
        Index("uq_surveys_cohort_id_contact_id", "cohort_id", "contact_id", unique=True,
              sqlite_where=text("session_id IS NULL"), postgresql_where=text("session_id IS NULL")),
        CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction"),
        CheckConstraint("usefulness BETWEEN 1 AND 5", name="usefulness"),
        CheckConstraint("session_id IS NOT NULL OR cohort_id IS NOT NULL", name="subject"),
    )

    @property
    def is_open(self) -> bool:
        return as_utc(self.closes_at) > timeutil.now()

    @property
    def closes_utc(self) -> datetime:
        return as_utc(self.closes_at)


class SurveyQuestion(TimestampMixin, db.Model):
    """A question an admin adds after the standard ones, in both languages; retired, not deleted."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # QUESTION_KINDS
    label_fr: Mapped[str] = mapped_column(SingleLineString(200))
    label_en: Mapped[str] = mapped_column(SingleLineString(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_fr


class SurveyExtraAnswer(db.Model):
    """An answer to an added question: a number (1–5), yes/no, or text."""

    __tablename__ = "survey_extra_answers"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

    survey: Mapped[Survey] = relationship(back_populates="extra_answers")
    question: Mapped[SurveyQuestion] = relationship()


class CohortSurveyTiming(db.Model):
    """A cohort's own choice of when to survey, instead of the ``SURVEY_TIMING`` setting."""

    __tablename__ = "cohort_survey_timings"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    timing: Mapped[str] = mapped_column(String(20))  # TIMINGS
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
