"""Stored dashboard figures and the counter that says when they went stale."""
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base


class FiguresVersion(Base):
    """One row: bumped by every transaction that changes what the figures count."""

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
