"""Helpers for two-factor authentication in tests, through the real pages.

``conftest.Auth.login`` calls ``complete_second_step`` after the password, so that tests of
other features can sign in as an admin (who must use 2FA) as before: it enrols the user on the
real enrolment page when needed, or types a real TOTP code (or a recovery code).
"""
import os
import re
import socket
import time

import pyotp
import pytest
from sqlalchemy import select

from crm.auth.models import User
from crm.extensions import db

_KEY_RE = re.compile(r'id="manual-key">([A-Z2-7 ]+)<')
_CODE_RE = re.compile(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>")


def secrets_of(client) -> dict:
    if not hasattr(client, "virage_two_factor"):
        client.virage_two_factor = {}
    return client.virage_two_factor


def manual_key(page: str) -> str:
    match = _KEY_RE.search(page)
    assert match, "no manual key on the enrolment page"
    return match.group(1).replace(" ", "")


def recovery_codes(page: str) -> list[str]:
    return _CODE_RE.findall(page)


def enrol(client, email: str):
    """Enrol the signed-in (or half-signed-in) user on the real page; returns the last response."""
    from tests.conftest import csrf_token

    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = manual_key(page)
    token = csrf_token(client, "/account/two-factor/setup")
    response = client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    codes = recovery_codes(client.get(response.headers["Location"]).get_data(as_text=True))
    secrets_of(client)[email.strip().lower()] = {"secret": secret, "codes": codes}
    return response


def fresh_code(client, email: str) -> str:
    """A TOTP code the server has not accepted yet (codes are single-use), else a recovery code."""
    email = email.strip().lower()
    app = client.application
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        secret, last = user.totp_secret, user.totp_last_counter
    known = secrets_of(client).get(email, {})
    counter = int(time.time()) // 30
    for candidate in (counter, counter + 1):
        if last is None or candidate > last:
            return pyotp.TOTP(secret).generate_otp(candidate)
    assert known.get("codes"), "no unused TOTP code nor recovery code left for this test user"
    return known["codes"].pop()


def complete_second_step(client, email: str, response):
    """After the password: type the code, or enrol, as a person would."""
    from tests.conftest import csrf_token

    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    if location.startswith("/login/code"):
        token = csrf_token(client, "/login/code")
        return client.post("/login/code", data={"code": fresh_code(client, email), "csrf_token": token})
    if location.startswith("/account/two-factor/setup"):
        return enrol(client, email)
    return response


def enrol_directly(client, user_id: int) -> str:
    """Enrols the user in two-factor authentication when they must use it and have not (through the
    service the enrolment page calls), keeping the secret and codes for ``fresh_code``; returns the
    user's session id. Call inside an app context."""
    from crm.auth import two_factor

    user = db.session.get(User, user_id)
    if two_factor.requires_two_factor(user) and not user.has_two_factor:
        secret = two_factor.new_secret()
        codes = two_factor.enable(user, secret, pyotp.TOTP(secret).now())
        db.session.commit()
        secrets_of(client)[user.email] = {"secret": secret, "codes": list(codes)}
    return user.get_id()


def require_redis() -> None:
    """Skip without Redis at 127.0.0.1:6379 (fail in CI, where .ci/run starts it)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return
    except OSError:
        pass
    if os.environ.get("CI") == "true":
        pytest.fail("Redis must run at 127.0.0.1:6379 in CI (.ci/run starts it)")
    pytest.skip("Redis is not running at 127.0.0.1:6379 (start it with redis-server to run this test)")


def send_account_emails(app, now=None) -> int:
    """What ``flask reminders send`` does first: send the account emails due (password links)."""
    from crm.auth import emails

    with app.app_context():
        return emails.send_due(me="test-sender", now=now)
