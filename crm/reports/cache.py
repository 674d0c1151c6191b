"""Dashboard figures computed once and reused until the data they count changes.

The dashboard aggregates the whole stage history, timeline and attendance of its scope: at ten
times the province that is hundreds of thousands of rows, hundreds of milliseconds per view, the
same answer for every manager of an organization until someone changes something. So the raw
results of the aggregate queries are stored in ``stored_figures`` (shared by every worker and
host, like the database itself), under a key made of the scope and filters.

They are reused only while both hold:
- the figures' version has not moved: every transaction that writes a row the figures count
  (enterprises, stage changes, timeline, sessions, attendance, cohort memberships,
  organizations), through the ORM or a bulk statement, bumps it when it commits, so a change
  shows on the next view of every dashboard;
- they are younger than ``REPORT_CACHE_SECONDS`` (5 minutes by default; 0 turns storing off),
  for what changes with the clock alone (a session becomes "held" once it has started).

The stored exports (crm.reports.export_store) have a version of their own, bumped the same way by
a write to what an export shows: enterprises, organizations and users' names.
"""
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crm.db import utcnow
from crm.extensions import db
from crm.reports.models import FiguresVersion, StoredFigures

log = logging.getLogger(__name__)

FIGURES, EXPORTS = 1, 2  # the rows of figures_version: the dashboard's figures, the stored exports
# The tables each version depends on: a transaction that writes one of them bumps it.
WATCHED_TABLES = {
    FIGURES: frozenset({"enterprises", "stage_changes", "activities", "sessions", "attendances",
                        "cohort_memberships", "organizations"}),
    EXPORTS: frozenset({"enterprises", "organizations"}),  # and users' names: see _stale_versions
}
_CHANGED = "virage.figures_changed"
_KEEP_FOR = timedelta(days=1)  # older stored figures are deleted when new ones are stored


def _versions_of(table_name: str | None) -> set[int]:
    return {version for version, tables in WATCHED_TABLES.items() if table_name in tables}


def _stale_versions(obj, change: str) -> set[int]:
    """The versions that a flushed change ("new", "dirty" or "deleted") to ``obj`` makes stale. The
    exports show coaches' names, but a user is written on every sign-in: only a new name or a deleted
    user counts."""
    name = getattr(getattr(obj, "__table__", None), "name", None)
    if name == "users":
        renamed = change == "dirty" and inspect(obj).attrs.full_name.history.has_changes()
        return {EXPORTS} if renamed or change == "deleted" else set()
    return _versions_of(name)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session, _context) -> None:
    changed = set()
    for change, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            changed |= _stale_versions(obj, change)
    if changed:
        session.info.setdefault(_CHANGED, set()).update(changed)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        name = getattr(getattr(state.statement, "table", None), "name", None)
        changed = {EXPORTS} if name == "users" else _versions_of(name)
        if changed:
            state.session.info.setdefault(_CHANGED, set()).update(changed)


@event.listens_for(Session, "before_commit")
def _bump_version(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit bumps, so the row is locked only at the very end
    session.flush()  # what commit would flush next, so that its changes are noted too
    changed = session.info.pop(_CHANGED, None)
    if changed:
        bump_versions(session, changed)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session) -> None:
    session.info.pop(_CHANGED, None)


def bump_versions(session, versions) -> None:
    """Mark stale whatever was stored at these versions (in the caller's transaction): one row
    each, upserted in one statement, always in the same order so that two writers never deadlock."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = FiguresVersion.__table__
    statement = insert(table).values([{"id": version, "version": 1} for version in sorted(versions)])
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.id],
                                                    set_={"version": table.c.version + 1}))


def current_version(version_id: int):
    """The version now, as a scalar subquery (0 before the first bump)."""
    return select(func.coalesce(select(FiguresVersion.version).where(FiguresVersion.id == version_id)
                                .scalar_subquery(), 0)).scalar_subquery()


def cache_key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def stored_or_computed(key: str, compute: Callable[[], dict]) -> dict:
    """The figures stored under ``key`` if still fresh (one query), else ``compute()``, stored."""
    seconds = current_app.config.get("REPORT_CACHE_SECONDS", 300)
    if not seconds:
        return compute()
    version = current_version(FIGURES)
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
