"""Security headers, cookie flags, session lifetime, templates fit for the CSP, bandit."""
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crm import create_app
from tests.conftest import BASE_CONFIG

ROOT = Path(__file__).resolve().parent.parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def test_every_response_has_the_security_headers(client, auth, make):
    for response in (client.get("/login"), client.get("/nowhere"), client.get("/static/css/virage.css")):
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        response.close()
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    auth.login(make.user())
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/account/").headers["Cache-Control"] == "no-store"


def test_cookies_are_http_only_same_site_lax_and_the_session_expires(app, client, auth, make):
    app.config["PERMANENT_SESSION_LIFETIME"] = 2
    response = auth.login(make.user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # development over plain HTTP
    assert client.get("/").status_code == 200
    time.sleep(3.5)
    assert client.get("/").status_code == 302  # the signed cookie is too old


def test_cookies_are_secure_in_production_or_when_asked(monkeypatch, database_uri):
    monkeypatch.setenv("ENV_NAME", "production")
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    monkeypatch.delenv("ENV_NAME")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/login", base_url="https://localhost")  # sets the CSRF session
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)


@pytest.mark.database_independent
def test_templates_have_no_inline_script_or_style():
    offenders = []
    for path in (ROOT / "crm").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "/email/" in str(path):
            continue  # emails are not served under the CSP
        if re.search(r"\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.database_independent
def test_bandit_finds_nothing_of_medium_severity_or_above():
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent))
    assert bandit, "bandit is in the dev extra: make install"
    result = subprocess.run([bandit, "-r", "crm", "-ll", "-q", "-f", "txt"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("proxies, expected", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_address_behind_a_trusted_proxy(database_uri, proxies, expected):
    from flask import request

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri, "TRUSTED_PROXIES": proxies})

    @app.get("/_address")
    def address():
        return request.remote_addr

    response = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == expected
