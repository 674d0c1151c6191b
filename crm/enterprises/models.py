"""Enterprises, their journey, and what coaches record about them."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm import reference
from crm.auth.models import User
from crm.db import SingleLineString, TimestampMixin, utcnow
from crm.extensions import db
from crm.organizations.models import Organization


class Enterprise(TimestampMixin, db.Model):
    """A social-economy enterprise followed through the programme's funnel."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(SingleLineString(200))
    # Folded name (no case, no accents, no legal suffix): sorting and duplicate detection.
    name_key: Mapped[str] = mapped_column(String(200))  # indexed with city_key (below)
    neq: Mapped[str | None] = mapped_column(String(10), unique=True)
    legal_form: Mapped[str] = mapped_column(String(30), index=True)
    region_code: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(SingleLineString(120))
    city_key: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str | None] = mapped_column(String(7))
    # A code of crm.reference.SECTORS (the programme's reports count by it), and the activity in the
    # enterprise's own words ("Activity (details)").
    sector_code: Mapped[str | None] = mapped_column(String(30), index=True)
    sector: Mapped[str | None] = mapped_column(SingleLineString(120))
    employees: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(300))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))  # indexed with stage
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30), default="identified", index=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="fr")
    # Folded text of name, NEQ, city and contacts: accent-insensitive search on any database.
    search_text: Mapped[str] = mapped_column(Text, default="")
    last_activity_at: Mapped[datetime | None] = mapped_column(index=True)
    archived_at: Mapped[datetime | None] = mapped_column(index=True)
    # Optimistic locking: a save based on an older version is refused, not lost.
    version: Mapped[int] = mapped_column(default=1)

    organization: Mapped[Organization] = relationship(lazy="joined")
    coach: Mapped[User | None] = relationship(lazy="joined")
    # Contact is in crm.contacts.models, which imports this module: named here, resolved when mapped.
    contacts: Mapped[list["Contact"]] = relationship(  # noqa: F821
        back_populates="enterprise", order_by="Contact.last_name, Contact.first_name"
    )
    stage_changes: Mapped[list["StageChange"]] = relationship(
        back_populates="enterprise", order_by="StageChange.changed_at.desc(), StageChange.id.desc()"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_enterprises_name_key_city_key", "name_key", "city_key"),
        Index("ix_enterprises_organization_id_stage", "organization_id", "stage"),
        # The list's default sort over active enterprises, for the programme office and for one
        # organization: the first page is read in index order, without sorting every row.
        Index("ix_enterprises_active_name_key", "name_key", "id",
              postgresql_where=text("archived_at IS NULL"), sqlite_where=text("archived_at IS NULL")),
        Index("ix_enterprises_active_organization_name_key", "organization_id", "name_key", "id",
              postgresql_where=text("archived_at IS NULL"), sqlite_where=text("archived_at IS NULL")),
        # The list's filters by stage and region within an organization, and their counts.
        Index("ix_enterprises_active_organization_stage_region", "organization_id", "stage", "region_code",
              postgresql_where=text("archived_at IS NULL"), sqlite_where=text("archived_at IS NULL")),
        Index("ix_enterprises_active_organization_region", "organization_id", "region_code",
              postgresql_where=text("archived_at IS NULL"), sqlite_where=text("archived_at IS NULL")),
        # Accent-insensitive search (LIKE '%word%' on the folded text): a trigram index on
        # PostgreSQL (extension pg_trgm, created by migration 0010); a plain index elsewhere.
        Index("ix_enterprises_search_text_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Enterprise {self.id}>"


class StageChange(db.Model):
    """One step of an enterprise's journey; the latest one is its current stage."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    from_stage: Mapped[str | None] = mapped_column(String(30))
    to_stage: Mapped[str] = mapped_column(String(30), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    # The enterprise's organization when the step was taken: the step's credit stays with the
    # organization that did the work after the enterprise moves to another one (crm/referrals).
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)

    enterprise: Mapped[Enterprise] = relationship(back_populates="stage_changes")
    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_stage_changes_enterprise_id_changed_at", "enterprise_id", "changed_at"),)


ACTIVITY_KINDS = ("call", "meeting", "email", "note")


class Activity(db.Model):
    """An entry of an enterprise's timeline: a call, meeting, email or note.

    Coaching time is ``duration_minutes`` on entries marked ``is_coaching``: an integer, so the
    dashboard's sums are exact on every database (hours are shown as minutes / 60).
    """

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    kind: Mapped[str] = mapped_column(String(20))  # call | meeting | email | note
    occurred_on: Mapped[date]
    is_coaching: Mapped[bool] = mapped_column(default=False, index=True)
    duration_minutes: Mapped[int | None]
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_activities_enterprise_id_occurred_on", "enterprise_id", "occurred_on"),)

    @property
    def duration_hours(self):
        return None if self.duration_minutes is None else self.duration_minutes / 60


class FollowUpTask(db.Model):
    """Something to do for an enterprise by a given day; done when someone ticks it."""

    __tablename__ = "follow_up_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    title: Mapped[str] = mapped_column(SingleLineString(200))
    due_on: Mapped[date] = mapped_column(index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    enterprise: Mapped[Enterprise] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


DIAGNOSTIC_TOOLS = tuple(reference.DIAGNOSTIC_TOOLS)


class DigitalDiagnostic(db.Model):
    """A digital-maturity assessment of an enterprise, such as the Audit industrie 4.0, with its scores
    (1 to 5) on the dimensions of the programme's configuration (``DIAGNOSTIC_DIMENSIONS``): the first
    and the latest scored diagnostics of an enterprise give its gain on each dimension."""

    __tablename__ = "digital_diagnostics"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    performed_on: Mapped[date]
    tool: Mapped[str] = mapped_column(String(40))
    maturity_level: Mapped[int]  # 1 (beginning) to 5 (advanced)
    link: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scores: Mapped[list["DiagnosticScore"]] = relationship(
        back_populates="diagnostic", order_by="DiagnosticScore.id", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_digital_diagnostics_enterprise_id_performed_on", "enterprise_id", "performed_on"),)

    @property
    def score_by_dimension(self) -> dict[str, int]:
        return {score.dimension: score.score for score in self.scores}


class DiagnosticScore(db.Model):
    """A diagnostic's score on one dimension, from 1 (beginning) to 5 (advanced)."""

    __tablename__ = "diagnostic_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    diagnostic_id: Mapped[int] = mapped_column(ForeignKey("digital_diagnostics.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(40))
    score: Mapped[int]

    diagnostic: Mapped[DigitalDiagnostic] = relationship(back_populates="scores")

    __table_args__ = (
        UniqueConstraint("diagnostic_id", "dimension"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )
