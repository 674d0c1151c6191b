"""Tokens: made on the account page (shown once, stored hashed), revocable, expiring, scoped; the
API answers problems (RFC 9457) in the caller's language, never HTML nor a 500."""
from datetime import timedelta

from sqlalchemy import select

from crm.api import tokens
from crm.api.models import ApiToken
from crm.db import utcnow
from crm.extensions import db
from tests.api_helpers import bearer, personal_token
from tests.conftest import csrf_token


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_hashed(app, client, auth, make):
    coach = make.user("coach")
    auth.sign_in(coach)
    page = client.get("/account/")
    assert "/account/tokens" in page.get_data(as_text=True)
    response = client.post("/account/tokens", data={"name": "Tableur", "scopes": ["read"], "days": "30",
                                                    "csrf_token": csrf_token(client, "/account/tokens")})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    secret = text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert secret.startswith("vrg_") and len(secret) > 40
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash == tokens.hashed(secret) and secret not in (token.prefix, token.name)
        assert token.user_id == coach.id and token.scopes == "read"
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and secret[:10] in again and "Jamais" in again
    assert client.get("/api/v1/enterprises", headers=bearer(secret)).status_code == 200
    assert "Jamais" not in client.get("/account/tokens").get_data(as_text=True)  # last use shown


def test_revoked_expired_unknown_and_inactive_owners_tokens_are_refused(app, client, make):
    coach = make.user("coach")
    good, revoked, expired = (personal_token(app, coach) for _ in range(3))
    with app.app_context():
        tokens.revoke(db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.hashed(revoked))),
                      actor=None)
        db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.hashed(expired))).expires_at = \
            utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/enterprises", headers=bearer(good)).status_code == 200
    for raw in (revoked, expired, good + "x", "vrg_nothing", "not-a-token", "é" * 300):
        response = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 401, raw
        assert response.mimetype == "application/problem+json"
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    missing = client.get("/api/v1/enterprises")
    assert missing.status_code == 401 and missing.json["status"] == 401
    with app.app_context():
        from crm.auth.models import User

        db.session.get(User, coach.id).is_active = False
        db.session.commit()
    assert client.get("/api/v1/enterprises", headers=bearer(good)).status_code == 401


def test_a_read_only_token_may_not_write(app, client, make):
    manager = make.user("manager")
    raw = personal_token(app, manager, scopes=("read",))
    response = client.post("/api/v1/enterprises", json={"name": "Coop", "legal_form": "obnl", "region_code": "05",
                                                        "city": "Sherbrooke"}, headers=bearer(raw, "en"))
    assert response.status_code == 403
    assert response.json["detail"] == "This access token may only read. Make a token with the write scope."
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_the_session_cookie_does_not_open_the_api(client, auth, make):
    auth.sign_in(make.user("manager"))
    assert client.get("/api/v1/enterprises").status_code == 401


def test_problems_answer_in_the_callers_language_never_html(app, client, make):
    raw = personal_token(app, make.user("coach"))
    french = client.get("/api/v1/enterprises/999999", headers=bearer(raw, "fr-CA,fr;q=0.9"))
    english = client.get("/api/v1/enterprises/999999", headers=bearer(raw, "en-US,en;q=0.8"))
    assert french.status_code == english.status_code == 404
    assert french.mimetype == english.mimetype == "application/problem+json"
    assert french.headers["Content-Language"] == "fr" and english.headers["Content-Language"] == "en"
    assert french.json["title"] == "Introuvable" and english.json["title"] == "Not found"
    for path, method in (("/api/v1/nothing", "GET"), ("/api/v1/enterprises", "DELETE"),
                         ("/api/v1/enterprises/99999999999999", "GET")):
        response = client.open(path, method=method, headers=bearer(raw, "en"))
        assert response.status_code in (404, 405) and response.mimetype == "application/problem+json"
    bad_query = client.get("/api/v1/enterprises?stage=nowhere&limit=0&surprise=1", headers=bearer(raw, "fr"))
    assert bad_query.status_code == 400
    assert {e["field"] for e in bad_query.json["errors"]} == {"stage.0", "limit", "surprise"}
    assert all(e["location"] == "query" for e in bad_query.json["errors"])


def test_bad_bodies_are_4xx_problems(app, client, make):
    raw = personal_token(app, make.user("manager"))
    headers = bearer(raw, "en")
    not_json = client.post("/api/v1/enterprises", data="name=x", headers=headers,
                           content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 415
    broken = client.post("/api/v1/enterprises", data="{", headers=headers, content_type="application/json")
    assert broken.status_code == 400 and broken.json["detail"] == "The body is not valid JSON."
    wrong = client.post("/api/v1/enterprises", json={"name": "A\nB", "legal_form": "x", "city": "",
                                                     "neq": "12", "employees": -1}, headers=headers)
    assert wrong.status_code == 422
    fields = {e["field"]: e["message"] for e in wrong.json["errors"]}
    assert set(fields) == {"name", "legal_form", "region_code", "city", "neq", "employees"}
    assert fields["neq"] == "The NEQ must have exactly 10 digits."
    assert fields["region_code"] == "This field is required."


def test_rate_limit_per_token(app, client, make):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    first, second = personal_token(app, make.user("coach")), personal_token(app, make.user("coach"))
    answers = [client.get("/api/v1/enterprises", headers=bearer(first, "en")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/api/v1/enterprises", headers=bearer(first, "en"))
    assert limited.mimetype == "application/problem+json" and limited.json["status"] == 429
    assert client.get("/api/v1/enterprises", headers=bearer(second)).status_code == 200


def test_service_tokens_are_the_programme_offices(app, client, auth, make):
    organization = make.organization(name="Pôle Est")
    admin = make.user("admin")
    auth.sign_in(make.user("manager", organization))
    assert client.get("/admin/api-tokens").status_code == 403
    auth.sign_in(admin)
    response = client.post("/admin/api-tokens", data={
        "organization_id": str(organization.id), "name": "CRM des membres", "scopes": ["read", "write"],
        "days": "365", "csrf_token": csrf_token(client, "/admin/api-tokens")})
    assert response.status_code == 200
    secret = response.get_data(as_text=True).split('id="new-token">', 1)[1].split("<", 1)[0]
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.organization_id == organization.id and token.user_id is None and token.scopes == "read write"
    mine = make.enterprise(organization, name="Coop de l'Est")
    make.enterprise(make.organization(), name="Coop d'ailleurs")
    listed = client.get("/api/v1/enterprises", headers=bearer(secret))
    assert [item["id"] for item in listed.json["items"]] == [mine.id]
    revoke = client.post(f"/api-tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/admin/api-tokens")})
    assert revoke.status_code == 302
    assert client.get("/api/v1/enterprises", headers=bearer(secret)).status_code == 401


def test_a_person_revokes_only_their_own_tokens(app, client, auth, make):
    owner, other = make.user("coach"), make.user("coach")
    personal_token(app, owner)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    auth.sign_in(other)
    response = client.post(f"/api-tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 404
