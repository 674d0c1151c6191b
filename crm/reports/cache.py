"""Dashboard figures computed once and reused until the data they count changes.

The dashboard aggregates the whole stage history, timeline and attendance of its scope: at ten
times the province that is hundreds of thousands of rows, hundreds of milliseconds per view, the
same answer for every manager of an organization until someone changes something. So the raw
results of the aggregate queries are stored in ``stored_figures`` (shared by every worker and
host, like the database itself), under a key made of the scope and filters.

They are reused only while both hold:
- ``figures_version`` has not moved: every transaction that writes a row the figures count
  (enterprises, stage changes, timeline, sessions, attendance, cohort memberships,
  organizations), through the ORM or a bulk statement, bumps it when it commits, so a change
  shows on the next view of every dashboard;
- they are younger than ``REPORT_CACHE_SECONDS`` (5 minutes by default; 0 turns storing off),
  for what changes with the clock alone (a session becomes "held" once it has started).
"""
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crm.db import utcnow
from crm.extensions import db
from crm.reports.models import FiguresVersion, StoredFigures

log = logging.getLogger(__name__)

COUNTED_TABLES = frozenset({"enterprises", "stage_changes", "activities", "sessions", "attendances",
                            "cohort_memberships", "organizations"})
_CHANGED = "virage.figures_changed"
_KEEP_FOR = timedelta(days=1)  # older stored figures are deleted when new ones are stored


def _counted(obj) -> bool:
    table = getattr(obj, "__table__", None)
    return table is not None and table.name in COUNTED_TABLES


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session, _context) -> None:
    if any(_counted(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in COUNTED_TABLES:
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _bump_version(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit bumps, so the row is locked only at the very end
    session.flush()  # what commit would flush next, so that its changes are noted too
    if session.info.pop(_CHANGED, False):
        bump_version(session)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session) -> None:
    session.info.pop(_CHANGED, None)


def bump_version(session) -> None:
    """Mark every stored figure stale (in the caller's transaction). One row, upserted."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = FiguresVersion.__table__
    statement = insert(table).values(id=1, version=1)
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.id],
                                                    set_={"version": table.c.version + 1}))


def cache_key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def stored_or_computed(key: str, compute: Callable[[], dict]) -> dict:
    """The figures stored under ``key`` if still fresh (one query), else ``compute()``, stored."""
    seconds = current_app.config.get("REPORT_CACHE_SECONDS", 300)
    if not seconds:
        return compute()
    version = select(func.coalesce(select(FiguresVersion.version).where(FiguresVersion.id == 1)
                                   .scalar_subquery(), 0)).scalar_subquery()
    payload = db.session.scalar(
        select(StoredFigures.payload).where(StoredFigures.key == key, StoredFigures.version == version,
                                            StoredFigures.computed_at >= utcnow() - timedelta(seconds=seconds)))
    if payload is not None:
        return json.loads(payload)
    current = db.session.scalar(select(version))
    figures = compute()
    _store(key, current, figures)
    return figures


def _store(key: str, version: int, figures: dict) -> None:
    """Upsert in a transaction of its own: the page stays read-only, a failure costs only speed."""
    now = utcnow()
    table = StoredFigures.__table__
    try:
        with db.engine.begin() as connection:
            insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
            values = {"key": key, "version": version, "computed_at": now, "payload": json.dumps(figures)}
            connection.execute(insert(table).values(**values).on_conflict_do_update(
                index_elements=[table.c.key], set_={k: v for k, v in values.items() if k != "key"}))
            connection.execute(table.delete().where(table.c.computed_at < now - _KEEP_FOR))
    except SQLAlchemyError:
        log.warning("dashboard figures not stored", exc_info=True)
