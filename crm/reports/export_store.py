"""Export files stored in the database and sent again while what they show is unchanged.

A manager's export of a whole organization is 7,300 rows and 1.7 MB at ten times the province, the
same file for everyone who sees that organization until someone changes one of its enterprises.
Files of ``EXPORT_STORE_MIN_ROWS`` to ``EXPORT_STORE_MAX_ROWS`` rows are stored in
``stored_exports`` (shared by every worker and host, like the database itself) under a key made of
the export's query (its SQL and parameters: the user's scope and the filters, as the access rules
built them), the language and the format. A stored file is sent while both hold:
- the exports' version has not moved: every transaction that writes an enterprise, an organization
  or a user's name, through the ORM or a bulk statement, bumps it when it commits (crm.reports.cache);
- it is younger than ``REPORT_CACHE_SECONDS`` (0 turns storing off).
When a file is stored, the files of an older version or age are deleted (they can no longer be
sent), then the oldest beyond ``EXPORT_STORE_BYTES`` in all.
"""
import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, and_, event, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.exc import SQLAlchemyError

from crm.db import utcnow
from crm.extensions import db
from crm.reports.cache import EXPORTS, cache_key, current_version
from crm.reports.models import StoredExport

log = logging.getLogger(__name__)

# Part of every key: change it with the columns or the cells of an export, so that the files
# stored before are never sent again.
LAYOUT = 1
_BINARY = "virage_binary_results"


@event.listens_for(PGDialect_psycopg, "do_execute")
def _binary_results(cursor, statement, parameters, context):
    """Results in PostgreSQL's binary format for the statements that ask for it: in text, a bytea
    travels hex-encoded, twice its size, and encoding and decoding a 1.7 MB file cost 8 ms of CPU,
    more than the rest of the request."""
    if context.execution_options.get(_BINARY):
        cursor.execute(statement, parameters, binary=True)
        return True
    return None


@dataclass
class Lookup:
    version: int  # the exports' version when looked up: a file made now is stored under it
    content: bytes | None  # the stored file, if fresh
    row_count: int | None


def _max_age() -> int:
    return current_app.config.get("REPORT_CACHE_SECONDS", 300)


def export_key(statement: Select, *, locale: str, fmt: str) -> str:
    compiled = statement.compile(dialect=db.engine.dialect)
    return cache_key("enterprises", LAYOUT, str(compiled), compiled.params, locale, fmt)


def lookup(key: str) -> Lookup:
    """The file stored under ``key`` if still fresh, and the exports' version now: one query."""
    if not _max_age():
        return Lookup(0, None, None)
    version = select(current_version(EXPORTS).label("version")).subquery()
    fresh = and_(StoredExport.key == key, StoredExport.version == version.c.version,
                 StoredExport.created_at >= utcnow() - timedelta(seconds=_max_age()))
    row = db.session.execute(select(version.c.version, StoredExport.content, StoredExport.row_count)
                             .select_from(version).outerjoin(StoredExport, fresh)
                             .execution_options(**{_BINARY: True})).one()
    return Lookup(*row)


def worth_storing(row_count: int) -> bool:
    """Smaller files cost less to make than to store; bigger ones would sit whole in memory."""
    config = current_app.config
    return bool(_max_age()) and config["EXPORT_STORE_MIN_ROWS"] <= row_count <= config["EXPORT_STORE_MAX_ROWS"]


def store(key: str, version: int, row_count: int, content: bytes) -> None:
    """Upsert, then prune, each in a transaction of its own: the request's own transaction stays
    as it was, and a failure costs only speed."""
    now = utcnow()
    table = StoredExport.__table__
    values = {"key": key, "version": version, "created_at": now, "row_count": row_count,
              "size": len(content), "content": content}
    try:
        with db.engine.begin() as connection:
            insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
            statement = insert(table).values(**values)
            connection.execute(statement.on_conflict_do_update(
                index_elements=[table.c.key], set_={k: statement.excluded[k] for k in values if k != "key"},
                where=table.c.version <= statement.excluded.version))  # never over a newer file
        with db.engine.begin() as connection:
            connection.execute(table.delete().where(or_(
                table.c.version < version, table.c.created_at < now - timedelta(seconds=_max_age()))))
            newest_first = select(table.c.key, func.sum(table.c.size).over(
                order_by=(table.c.created_at.desc(), table.c.key)).label("total")).subquery()
            connection.execute(table.delete().where(table.c.key.in_(
                select(newest_first.c.key).where(newest_first.c.total > current_app.config["EXPORT_STORE_BYTES"]))))
    except SQLAlchemyError:
        log.warning("export not stored", exc_info=True)
