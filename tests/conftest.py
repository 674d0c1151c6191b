"""Test fixtures: an app per test on a clean database, SQLite or PostgreSQL.

VIRAGE_TEST_DATABASE=sqlite (default) or postgresql picks the database; the PostgreSQL server is
VIRAGE_TEST_PG_URL (default postgresql+psycopg://127.0.0.1/test), in which each test session
creates and later drops a database of its own, so parallel runs never meet.
"""
import os
import re
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text

from crm import create_app
from crm.extensions import db
from tests import factories

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


def pytest_collection_modifyitems(config, items):
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
        upgrade(revision=revision)
        db.engine.dispose()


class PostgresServer:
    """Creates throw-away databases on the test server."""

    def __init__(self, url: str):
        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def new_database(self, prefix: str = "virage_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
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
    so no write-ahead log outlives them). PostgreSQL: every table is emptied and its ids restarted.
    """

    def __init__(self, template_uri: str, tmp_dir):
        self.template_uri = template_uri
        if DATABASE == "postgresql":
            self.uri = template_uri
        else:
            self.uri = f"sqlite:///{tmp_dir / 'virage.sqlite3'}"
        self.engines = []  # engines to close before a reset (the session's app)

    def reset(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if DATABASE == "postgresql":
            self._truncate()
        else:
            target = self.uri.removeprefix("sqlite:///")
            for suffix in ("-wal", "-shm", "-journal"):
                if os.path.exists(target + suffix):
                    os.remove(target + suffix)
            shutil.copyfile(self.template_uri.removeprefix("sqlite:///"), target)

    def _truncate(self) -> None:
        engine = create_engine(self.uri)
        with engine.begin() as conn:
            tables = conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )).scalars().all()
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        engine.dispose()


@pytest.fixture(scope="session")
def live_database(migrated_database, tmp_path_factory):
    return LiveDatabase(migrated_database, tmp_path_factory.mktemp("live"))


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
    yield app
    with app.app_context():
        db.engine.dispose()


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


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Every test hashes passwords with the cheapest Argon2 parameters (still real Argon2).

    At its production cost Argon2 takes about 0.6 s per hash on these machines, and every sign-in
    and every factory user pays it. Undone at the end of the session.
    """
    from argon2 import PasswordHasher

    from crm.auth import models

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield
