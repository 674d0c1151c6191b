"""Sign-in rate limits (Flask-Limiter), per account and per address, in memory and in Redis."""
import json
import random
import re
import subprocess
import sys
import uuid
from contextlib import contextmanager

import pytest

from crm import create_app
from crm.extensions import db
from crm.ratelimit import default_key_prefix
from tests.conftest import BASE_CONFIG, DATABASE, Auth, migrate
from tests.security_helpers import require_redis
from tests.smtp import free_port

LOCKED = "Trop de tentatives. Attendez quelques minutes et réessayez."


def failed_login(client, email):
    return Auth(client).password_step(email, "not the password at all")


def test_an_account_is_locked_after_five_failed_sign_ins_then_even_the_right_password_waits(client, auth, make):
    user = make.user()
    for _ in range(5):
        assert failed_login(client, user.email).status_code == 400
    locked = failed_login(client, user.email)
    assert locked.status_code == 429
    assert LOCKED in locked.get_data(as_text=True)
    assert auth.login(user).status_code == 429  # the right password is refused while locked
    assert client.get("/").status_code == 302
    other = make.user()
    assert auth.login(other).status_code == 302  # other accounts are not affected


def test_the_lock_out_gives_no_hint_whether_the_email_exists(client, make):
    user = make.user()
    answers = {}
    for email in (user.email, "nobody@virage.example"):
        for _ in range(5):
            failed_login(client, email)
        response = failed_login(client, email)
        page = re.sub(r'value="[^"]*"', "", response.get_data(as_text=True).replace(email, "X"))
        answers[email] = (response.status_code, page)
    assert answers[user.email] == answers["nobody@virage.example"]
    assert answers[user.email][0] == 429


def test_the_account_key_ignores_case_and_spaces(client, make):
    user = make.user(email="julie@virage.example")
    for variant in ("julie@virage.example", "JULIE@virage.example", " Julie@Virage.Example ", "julie@VIRAGE.example",
                    "julie@virage.EXAMPLE"):
        failed_login(client, variant)
    assert failed_login(client, "julie@virage.example").status_code == 429
    assert user.id


def test_successful_sign_ins_do_not_count(client, auth, make):
    user = make.user()
    for _ in range(7):
        assert auth.login(user).status_code == 302
        auth.logout()


def test_an_address_is_limited_across_accounts(app, client, make):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for n in range(3):
        assert failed_login(client, f"guess{n}@virage.example").status_code == 400
    assert failed_login(client, "another@virage.example").status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert failed_login(elsewhere, "another@virage.example").status_code == 400


def test_the_second_step_is_limited_too(app, client, make):
    from tests.security_helpers import enrol

    user = make.user(role="admin")
    auth = Auth(client)
    auth.login(user)  # enrols
    auth.logout()
    auth.password_step(user, "correct horse battery")
    from tests.conftest import csrf_token

    for _ in range(5):
        response = client.post("/login/code", data={"code": "000000", "csrf_token": csrf_token(client, "/login/code")})
        assert response.status_code == 400
    response = client.post("/login/code", data={"code": "000000", "csrf_token": csrf_token(client, "/login/code")})
    assert response.status_code == 429
    assert enrol  # the helper module is importable for other tests


@pytest.fixture
def redis_app(database_uri):
    require_redis()
    with deployment(database_uri) as app:
        yield app


@contextmanager
def deployment(database_uri, **config):
    """An app counting in the local Redis. Flask-Limiter's one ``Limiter`` serves the app initialized
    last: use the apps one after the other, never interleaved."""
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", **config})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def fresh_address() -> str:
    # Counts in Redis outlive the test: a fresh account and address keep runs independent.
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


_OTHER_WORKER = """
import sys
from crm import create_app
from crm.auth import models
from tests.conftest import BASE_CONFIG, Auth, cheap_password_hasher
models._hasher = cheap_password_hasher()
uri, address, email = sys.argv[1:4]
app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = address
print(" ".join(str(Auth(client).password_step(email, "not the password at all").status_code) for _ in range(2)))
"""


def test_with_redis_the_counts_are_shared_by_every_worker(redis_app, database_uri):
    """Another process (a second gunicorn worker) adds its failures to the same counts."""
    from tests.factories import Factory

    user = Factory(redis_app).user(email=f"redis-{uuid.uuid4().hex[:8]}@virage.example")
    address = fresh_address()
    client = redis_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    for _ in range(3):
        assert failed_login(client, user.email).status_code == 400
    other = subprocess.run([sys.executable, "-c", _OTHER_WORKER, database_uri,
                            address, user.email],
                           capture_output=True, text=True, timeout=60, check=True)
    assert other.stdout.split() == ["400", "400"], other.stderr
    assert failed_login(client, user.email).status_code == 429


@pytest.mark.database_independent
def test_the_default_prefix_names_the_database_without_its_password():
    prefix = default_key_prefix("postgresql+psycopg://virage:s3cret@db.example/virage")
    assert prefix.startswith("virage-") and "s3cret" not in prefix
    assert prefix == default_key_prefix("postgresql+psycopg://virage:changed@db.example/virage")
    assert prefix != default_key_prefix("postgresql+psycopg://virage:s3cret@db.example/virage_staging")
    assert prefix != default_key_prefix("sqlite:////srv/other/virage.sqlite3")


@pytest.fixture
def other_database(request, migrated_database):
    """A second migrated database: another deployment's."""
    if DATABASE == "postgresql":
        uri = request.getfixturevalue("pg_server").new_database("virage_other")
        migrate(uri)
        return uri
    return migrated_database  # the template the per-test copies come from: only read here


def test_deployments_sharing_one_redis_keep_their_counts_apart(database_uri, other_database):
    """Same email, same address, same Redis: a lock-out in one deployment is not one in another."""
    require_redis()
    email, address = f"shared-{uuid.uuid4().hex[:8]}@virage.example", fresh_address()

    def attempts(app, count):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return [failed_login(client, email).status_code for _ in range(count)]

    with deployment(database_uri) as app:
        assert attempts(app, 6) == [400] * 5 + [429]
    with deployment(other_database) as app:  # another database: another prefix by default
        assert attempts(app, 2) == [400, 400]
    with deployment(database_uri, RATELIMIT_KEY_PREFIX="staging") as app:  # a prefix of its own
        assert attempts(app, 2) == [400, 400]
    with deployment(database_uri) as app:  # the first deployment again: still locked
        assert attempts(app, 1) == [429]


_UNREACHABLE_REDIS = """
import json, logging, sys
from crm import create_app
from crm.auth import models
from tests.conftest import BASE_CONFIG, Auth, cheap_password_hasher
models._hasher = cheap_password_hasher()  # as in the tests' process: signing in is not what is timed here
uri, email, port = sys.argv[1:4]
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.levelname, record.name, record.getMessage()])
logging.getLogger().addHandler(Keep())
logging.getLogger().setLevel(logging.INFO)
app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri,
                  "RATELIMIT_STORAGE_URI": f"redis://:hunter2@127.0.0.1:{port}"})
auth = Auth(app.test_client())
signed_in = auth.login(email).status_code
auth.logout()
failures = [auth.password_step(email, "not the password at all").status_code for _ in range(6)]
print(json.dumps({"signed_in": signed_in, "failures": failures, "records": records}))
"""


def test_an_unreachable_redis_still_lets_people_sign_in_counts_in_memory_and_says_so_loudly(make, database_uri):
    """A wrong RATELIMIT_STORAGE_URI: no 500, the limits still hold (per process), an ERROR in the log.
    In a process of its own: Flask-Limiter remembers a dead storage for its whole process."""
    user = make.user()
    done = subprocess.run([sys.executable, "-c", _UNREACHABLE_REDIS, database_uri, user.email, str(free_port())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["signed_in"] == 302
    assert result["failures"] == [400] * 5 + [429]
    alarms = [message for level, name, message in result["records"] if level == "ERROR" and name == "crm.ratelimit"]
    assert len(alarms) == 1, result["records"]  # at most one a minute
    assert "does not answer" in alarms[0] and "hunter2" not in alarms[0]
