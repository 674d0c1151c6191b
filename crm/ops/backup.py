"""Consistent copies of the SQLite database while the application runs.

SQLite's online backup API copies every page under one read transaction; with the WAL journal
writers go on meanwhile and the copy is the database as it was when the copy started.
PostgreSQL is backed up with its own tools (``pg_dump -Fc``), never by this module.
"""
import logging
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class BackupError(RuntimeError):
    pass


def pg_dump_hint(uri: str) -> str:
    url = make_url(uri)
    parts = ["pg_dump", "-Fc"]
    if url.host:
        parts += ["-h", url.host]
    if url.port:
        parts += ["-p", str(url.port)]
    if url.username:
        parts += ["-U", url.username]
    parts += ["-f", "virage-$(date +%Y%m%d-%H%M%S).dump", url.database or "virage"]
    return " ".join(parts)


def sqlite_path(uri: str) -> Path:
    url = make_url(uri)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "This database is not SQLite: back it up with PostgreSQL's own tools, for example\n  "
            + pg_dump_hint(uri)
            + "\nand restore with pg_restore --clean --if-exists -d DATABASE FILE.dump"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    path = Path(url.database)
    if not path.is_file():
        raise BackupError(f"No SQLite database at {path}.")
    return path


def backup_sqlite(uri: str, output: Path) -> Path:
    """Copy the database at ``uri`` to ``output`` (which must not exist) and check the copy."""
    source_path = sqlite_path(uri)
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists: choose another file.")
    output.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(output)
    try:
        source.execute("PRAGMA busy_timeout=5000")
        source.backup(target)  # all pages in one step: one consistent snapshot
        status = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if status != "ok":
        output.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {status}")
    log.info("database backed up to %s", output)
    return output
