"""Declarative base, naming convention and time helpers shared by every model."""
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

from crm.text import single_line

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    # Timestamps are stored as UTC with a time zone on PostgreSQL (a plain Mapped[datetime] would be a naive timestamp).
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: DateTime(timezone=True)},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SingleLineString(TypeDecorator):
    """A ``String`` column of one-line text that people read (names, cities, titles).

    Forms refuse line breaks and control characters and drop bidirectional controls; this type
    makes the same true of whatever else writes the column (an import, a CLI command, a service
    called from a test): bidirectional controls are removed and line breaks become spaces as the
    value is sent to the database. The schema is a plain VARCHAR: no migration.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return single_line(value)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
