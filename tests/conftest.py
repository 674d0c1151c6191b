"""Test fixtures: one app per test session, on a database set back before each test, SQLite or PostgreSQL.

VIRAGE_TEST_DATABASE=sqlite (default) or postgresql picks the database; the PostgreSQL server is
VIRAGE_TEST_PG_URL (default postgresql+psycopg://127.0.0.1/test), in which each test session
creates and later drops a database of its own, so parallel runs never meet.
"""
import os
import re
import shutil
import sqlite3
import uuid
from contextlib import closing
from datetime import datetime

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, event, text

from crm import create_app
from crm.extensions import db
from tests import factories

# Property-based tests check results, not time: on a shared 2-core machine an example may take
# longer than Hypothesis' default 200 ms deadline, which is no failure of Virage.
settings.register_profile("virage", deadline=None)
settings.load_profile("virage")

DATABASE = os.environ.get("VIRAGE_TEST_DATABASE", "sqlite")
PG_URL = os.environ.get("VIRAGE_TEST_PG_URL", "postgresql+psycopg://127.0.0.1/test")

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SERVER_NAME": "localhost",
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 1,  # nothing listens: a test that sends mail starts its own server
    "PRIVACY_OFFICER_EMAIL": "vie-privee@virage.example",
    "CACHE_TYPE": "SimpleCache",  # in memory, emptied before each test (the database starts anew)
}


def pytest_report_header(config):
    return f"Virage test database: {DATABASE}"


# A test that asks for one of these uses the session's database.
DATABASE_FIXTURES = {"database_uri", "migrated_database", "live_database", "pg_server", "session_app"}


def pytest_addoption(parser):
    parser.addoption("--deselect-database-independent", action="store_true",
                     help="leave out the tests marked database_independent (tools/run_tests.sh does it on the "
                          "PostgreSQL pass: they ran on the SQLite pass)")
    parser.addoption("--deselect-browser", action="store_true",
                     help="leave out the browser tests (tools/run_tests.sh does it on the PostgreSQL pass: what "
                          "they check, the pages as Chromium draws and runs them, is the same on either database, "
                          "whose behaviour the HTTP tests check on both)")


def pytest_collection_modifyitems(config, items):
    independent = [item for item in items if "database_independent" in item.keywords]
    for item in independent:
        used = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        if used:
            raise pytest.UsageError(f"{item.nodeid} is marked database_independent but uses {sorted(used)}")
    if config.getoption("deselect_database_independent") and independent:
        config.hook.pytest_deselected(items=independent)
        items[:] = [item for item in items if "database_independent" not in item.keywords]
    if config.getoption("deselect_browser"):
        in_browser = [item for item in items if "tests/browser/" in str(item.fspath)]
        config.hook.pytest_deselected(items=in_browser)
        items[:] = [item for item in items if item not in in_browser]
    if DATABASE == "postgresql":
        return
    skip = pytest.mark.skip(reason="PostgreSQL-only behaviour; run with VIRAGE_TEST_DATABASE=postgresql")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def migrate(uri: str, revision: str = "head") -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        if uri.startswith("sqlite"):
            event.listen(db.engine, "connect", _commit_without_waiting_for_the_disk)
        upgrade(revision=revision)
        db.engine.dispose()


class PostgresServer:
    """Creates throw-away databases on the test server.

    They commit without waiting for the disk (``synchronous_commit`` off, for them only): a crash
    may lose their last commits, which tests never look for, and no commit waits behind the
    flushes of whatever else the machine is writing."""

    def __init__(self, url: str):
        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def new_database(self, prefix: str = "virage_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
        self.created.append(name)
        return re.sub(r"/[^/]*$", f"/{name}", self.url)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server():
    if DATABASE != "postgresql":
        pytest.skip("needs PostgreSQL")
    server = PostgresServer(PG_URL)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory, request):
    """A database at the latest migration, made once per test session."""
    if DATABASE == "postgresql":
        server = request.getfixturevalue("pg_server")
        uri = server.new_database()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        uri = f"sqlite:///{path}"
    migrate(uri)
    return uri


class LiveDatabase:
    """The database every test of the session uses, set back to the migrated template before each.

    SQLite: the template file is copied over the live file (after the app's connections are closed,
    so no write-ahead log outlives them). PostgreSQL: the rows of every table are deleted and the
    sequences restarted, in one statement sent on a connection kept for it (``TRUNCATE`` makes new
    files for every table and waits for the disk: seconds on a busy machine, where deleting the few
    rows a test wrote takes milliseconds).

    ``save(name)`` keeps what the live database holds, ``restore(name)`` puts it back instead of the
    template (a demo seeded once per session): on SQLite a copy of the file, on PostgreSQL copies of
    the tables in a schema of their own.
    """

    def __init__(self, template_uri: str, tmp_dir):
        self.template_uri = template_uri
        self.tmp_dir = tmp_dir
        if DATABASE == "postgresql":
            self.uri = template_uri
            self.connection = create_engine(template_uri).connect()
            self.tables = self._tables_in_delete_order()
            self.sequences = self.connection.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).scalars().all()
            self.connection.commit()
        else:
            self.uri = f"sqlite:///{tmp_dir / 'virage.sqlite3'}"
        self.engines = []  # engines to close before a reset (the session's app)
        self.saved: dict[str, list[tuple[str, int, bool]]] = {}

    def reset(self) -> None:
        if DATABASE == "postgresql":
            self._execute(self._empty_sql())
        else:
            self._copy_over_live(self.template_uri.removeprefix("sqlite:///"))

    def save(self, name: str) -> None:
        if DATABASE == "postgresql":
            state = self.connection.execute(text(" UNION ALL ".join(
                f"SELECT '{seq}', last_value, is_called FROM \"{seq}\"" for seq in self.sequences))).all()  # noqa: S608
            self.saved[name] = [tuple(row) for row in state]
            self._execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE; CREATE SCHEMA "{name}"; ' + "; ".join(
                f'CREATE TABLE "{name}"."{table}" AS TABLE "{table}"' for table in self.tables))
        else:
            with closing(sqlite3.connect(self._live_path())) as live, \
                    closing(sqlite3.connect(self.tmp_dir / f"{name}.sqlite3")) as copy:
                live.backup(copy)  # what is committed, write-ahead log included
            self.saved[name] = []

    def restore(self, name: str) -> None:
        if DATABASE == "postgresql":
            inserts = [f'INSERT INTO "{table}" SELECT * FROM "{name}"."{table}"'  # noqa: S608
                       for table in reversed(self.tables)]
            setvals = [f"setval('\"{seq}\"', {value}, {'true' if called else 'false'})"
                       for seq, value, called in self.saved[name]]
            self._execute(self._empty_sql() + "; " + "; ".join(inserts) + "; SELECT " + ", ".join(setvals))
        else:
            self._copy_over_live(self.tmp_dir / f"{name}.sqlite3")

    def _live_path(self) -> str:
        return self.uri.removeprefix("sqlite:///")

    def _copy_over_live(self, source) -> None:
        for engine in self.engines:
            engine.dispose()
        target = self._live_path()
        for suffix in ("-wal", "-shm", "-journal"):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
        shutil.copyfile(source, target)

    def _tables_in_delete_order(self) -> list[str]:
        """The tables, each before those it refers to."""
        present = self.connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        known = [table.name for table in reversed(db.metadata.sorted_tables) if table.name in present]
        return [table for table in present if table not in known] + known

    def _empty_sql(self) -> str:
        deletes = [f'DELETE FROM "{table}"' for table in self.tables]  # noqa: S608 - names from the catalog
        restarts = [f"setval('\"{seq}\"', 1, false)" for seq in self.sequences]
        # A test that left a transaction open fails the next reset instead of hanging the session.
        return "SET lock_timeout = '30s'; " + "; ".join(deletes) + "; SELECT " + ", ".join(restarts)

    def _execute(self, sql: str) -> None:
        self.connection.execute(text(sql))
        self.connection.commit()

    def close(self) -> None:
        if DATABASE == "postgresql":
            self.connection.close()
            self.connection.engine.dispose()


@pytest.fixture(scope="session")
def live_database(migrated_database, tmp_path_factory):
    live = LiveDatabase(migrated_database, tmp_path_factory.mktemp("live"))
    yield live
    live.close()


@pytest.fixture
def database_uri(live_database):
    """A clean database for one test (the template's copy on SQLite, emptied tables on PostgreSQL)."""
    live_database.reset()
    return live_database.uri


@pytest.fixture(scope="session")
def session_app(live_database):
    """One app for the whole test session: its templates and SQL statements compile once."""
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": live_database.uri})
    with app.app_context():
        live_database.engines.append(db.engine)
        if DATABASE == "sqlite":
            event.listen(db.engine, "connect", _commit_without_waiting_for_the_disk)
    yield app
    with app.app_context():
        db.engine.dispose()


# The day the demo is seeded for the tests that need it, in Québec: a Thursday (the clocks fell back on
# Sunday, November 1).
DEMO_DAY = datetime(2026, 11, 26, 10)


@pytest.fixture(scope="session")
def demo_seeding(session_app, live_database):
    """``flask crm seed-demo`` run once per session on ``DEMO_DAY``, on the template: what it printed.
    The database it leaves is saved for the ``demo`` fixture."""
    from tests.cohorts_helpers import freeze

    live_database.reset()
    with pytest.MonkeyPatch.context() as patch:
        freeze(patch, DEMO_DAY)
        result = session_app.test_cli_runner().invoke(args=["crm", "seed-demo"])
    assert result.exit_code == 0, result.output
    live_database.save("demo")
    return result.output


@pytest.fixture
def demo(app, demo_seeding, live_database):
    """The database as ``flask crm seed-demo`` leaves it on ``DEMO_DAY`` (seeding the demo once per
    session, not once per test): what it printed. The clock is not frozen: freeze it to ``DEMO_DAY``
    (tests/cohorts_helpers.py) to seed again the same day."""
    live_database.restore("demo")
    return demo_seeding


def _commit_without_waiting_for_the_disk(dbapi_connection, _record) -> None:
    """Nothing is flushed to the disk, neither commits nor checkpoints: a power cut could lose or
    spoil this throw-away database, which no test looks for, and no test waits for a disk that the
    whole machine shares. The same for the session's PostgreSQL databases (``PostgresServer``)."""
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture
def app(session_app, database_uri):
    """The session's app on a clean database, with its configuration and rate-limit counts as new;
    what a test changes in ``app.config`` is undone after it."""
    from crm.extensions import cache, limiter

    config = dict(session_app.config)
    # Flask-Limiter keeps one storage per process, the last app's: tests that create apps of their
    # own (another Redis, a dead one) move it. Binding it to this app again gives fresh counts.
    limiter.init_app(session_app)
    # Ids and versions start again with the database: results cached by an earlier test would match.
    # Binding the cache again empties it, and undoes a test's own choice of cache.
    cache.init_app(session_app)
    yield session_app
    with session_app.app_context():
        db.session.remove()
    session_app.config.clear()
    session_app.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factories bound to the app: make.user(role="coach"), make.enterprise(...), …"""
    return factories.Factory(app)


class Auth:
    """Signs in and out through the real login form (CSRF on)."""

    def __init__(self, client):
        self.client = client

    def password_step(self, user_or_email, password=factories.PASSWORD):
        """Only the password form: for tests of the second step itself."""
        email = getattr(user_or_email, "email", user_or_email)
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def login(self, user_or_email, password=factories.PASSWORD):
        """The password, then the second step when the account uses 2FA (a TOTP code, or enrolment
        for admins who must use it), through the real pages: see tests/security_helpers.py."""
        from tests.security_helpers import complete_second_step

        email = getattr(user_or_email, "email", user_or_email)
        return complete_second_step(self.client, email, self.password_step(user_or_email, password))

    def sign_in(self, user) -> None:
        """Signed in without the form, as Flask-Login would leave the session after it: for tests of
        other features (tests of signing in use ``login``). An admin, who must use two-factor
        authentication, is enrolled first, as the enrolment page would do it."""
        from tests.security_helpers import enrol_directly

        app = self.client.application
        with app.app_context():
            session_id = enrol_directly(self.client, user.id)
        with self.client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
            session.permanent = True

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client, "/")})


@pytest.fixture
def auth(client):
    return Auth(client)


_TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, path="/") -> str:
    """The CSRF token of a page, as a browser would send it back with the form."""
    response = client.get(path, follow_redirects=True)
    match = _TOKEN_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post_form(client, path, data, *, page=None, **kwargs):
    """POST ``data`` to ``path`` with the CSRF token of ``page`` (default: the same path)."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or path)}, **kwargs)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server for this test; the app is configured to send to it."""
    from tests.smtp import SMTPServer

    with SMTPServer() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        yield server


def cheap_password_hasher():
    """Argon2 with its cheapest parameters (still real Argon2): for the tests, and for the processes
    they start (``models._hasher = cheap_password_hasher()``)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Every test hashes passwords with the cheapest Argon2 parameters (still real Argon2).

    At its production cost Argon2 takes about 0.6 s per hash on these machines, and every sign-in
    and every factory user pays it. Undone at the end of the session.
    """
    from crm.auth import models

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "_hasher", cheap_password_hasher())
        yield
