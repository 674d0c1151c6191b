"""Stored dashboard figures and export files, and the counters that say when they went stale."""
from datetime import datetime

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base


class FiguresVersion(Base):
    """One row per kind of stored result (crm.reports.cache: FIGURES, EXPORTS), bumped by every
    transaction that changes what they show."""

    __tablename__ = "figures_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class StoredFigures(Base):
    """The raw results of a dashboard's aggregate queries for one scope, at one version."""

    __tablename__ = "stored_figures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(index=True)
    payload: Mapped[str] = mapped_column(Text)


class StoredExport(Base):
    """An export file as sent, for one query (scope and filters), language and format, at one version."""

    __tablename__ = "stored_exports"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(index=True)
    row_count: Mapped[int]
    size: Mapped[int]  # bytes of content
    content: Mapped[bytes] = mapped_column(LargeBinary)
