"""`flask crm backup`: a consistent SQLite copy taken while the app writes; PostgreSQL is refused."""
import sqlite3
import threading
import time

from crm import create_app
from crm.extensions import db
from tests.conftest import BASE_CONFIG, migrate
from tests.factories import Factory


def test_backup_while_writing_then_restore(tmp_path):
    """Runs on its own SQLite database, whatever the suite's database, since only SQLite is copied."""
    path = tmp_path / "live.sqlite3"
    uri = f"sqlite:///{path}"
    migrate(uri)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    make = Factory(app)
    org = make.organization(code="estrie")
    for i in range(20):
        make.enterprise(org, name=f"Coop avant {i}", contacts=1)

    stop = threading.Event()
    written = []

    def writer():  # another process's connection, writing during the copy
        connection = sqlite3.connect(path, timeout=5)
        connection.execute("PRAGMA journal_mode=WAL")
        deadline = time.monotonic() + 10
        while not stop.is_set() and time.monotonic() < deadline and len(written) < 2000:
            with connection:
                connection.execute(
                    "INSERT INTO organizations (code, name, kind, is_active, created_at, updated_at) "
                    "VALUES (?, ?, 'regional', 1, '2026-01-01', '2026-01-01')",
                    (f"w{len(written)}", f"Pendant {len(written)}"))
            written.append(1)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    while len(written) < 5:
        time.sleep(0.01)
    output = tmp_path / "backups" / "copy.sqlite3"
    result = app.test_cli_runner().invoke(args=["crm", "backup", "--output", str(output)])
    during = len(written)
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    with app.app_context():
        db.engine.dispose()

    # Restore: open the copy as Virage would and read the data back.
    copy = sqlite3.connect(output)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    names = {row[0] for row in copy.execute("SELECT name FROM enterprises")}
    assert {f"Coop avant {i}" for i in range(20)} <= names
    assert copy.execute("SELECT count(*) FROM contacts").fetchone()[0] == 20
    copied_writes = copy.execute("SELECT count(*) FROM organizations WHERE code LIKE 'w%'").fetchone()[0]
    assert 5 <= copied_writes <= during
    copy.close()
    restored = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{output}"})
    with restored.app_context():
        from sqlalchemy import text

        assert db.session.execute(text("SELECT count(*) FROM enterprises")).scalar() == 20
        db.engine.dispose()

    again = app.test_cli_runner().invoke(args=["crm", "backup", "--output", str(output)])
    assert again.exit_code != 0 and "already exists" in again.output


def test_backup_refuses_postgresql_and_shows_pg_dump():
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://virage@db.example:5433/virage"})
    result = app.test_cli_runner().invoke(args=["crm", "backup"])
    assert result.exit_code != 0
    assert "pg_dump -Fc -h db.example -p 5433 -U virage" in result.output
    assert "pg_restore" in result.output
