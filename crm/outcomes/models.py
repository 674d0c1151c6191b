"""Digital plans and projects of an enterprise."""
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import SingleLineString, TimestampMixin, utcnow
from crm.extensions import db


class DigitalPlan(db.Model):
    """A digital plan the enterprise produced (after an Audit industrie 4.0, for instance)."""

    __tablename__ = "digital_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    produced_on: Mapped[date] = mapped_column(index=True)
    link: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigitalProject(TimestampMixin, db.Model):
    """A digital project of the enterprise, from planned to carried out (or abandoned)."""

    __tablename__ = "digital_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    title: Mapped[str] = mapped_column(SingleLineString(200))
    category: Mapped[str] = mapped_column(String(40))  # a code of crm.reference.PROJECT_CATEGORIES
    status: Mapped[str] = mapped_column(String(20), default="planned")  # crm.reference.PROJECT_STATUSES
    # Whole dollars, as the funder counts them: integers add up exactly on every database.
    amount_invested: Mapped[int | None] = mapped_column(BigInteger)
    public_funding: Mapped[int | None] = mapped_column(BigInteger)
    jobs_created: Mapped[int | None]
    jobs_maintained: Mapped[int | None]
    started_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic locking: a save based on an older version is refused, not lost.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_digital_projects_status_completed_on", "status", "completed_on"),)
