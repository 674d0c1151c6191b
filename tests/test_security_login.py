"""Sign-in rate limits (Flask-Limiter), per account and per address, in memory and in Redis."""
import os
import random
import re
import socket
import subprocess
import sys
import uuid

import pytest

from crm import create_app
from crm.extensions import db
from tests.conftest import BASE_CONFIG, Auth

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


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_app(database_uri):
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis must run at 127.0.0.1:6379 in CI (.ci/run starts it)")
        pytest.skip("Redis is not running at 127.0.0.1:6379 (start it with redis-server to run this test)")
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_OTHER_WORKER = """
import sys
from crm import create_app
from tests.conftest import BASE_CONFIG, Auth
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
    # Counts in Redis outlive the test: a fresh account and address keep runs independent.
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    client = redis_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    for _ in range(3):
        assert failed_login(client, user.email).status_code == 400
    other = subprocess.run([sys.executable, "-c", _OTHER_WORKER, database_uri,
                            address, user.email],
                           capture_output=True, text=True, timeout=60, check=True)
    assert other.stdout.split() == ["400", "400"], other.stderr
    assert failed_login(client, user.email).status_code == 429
