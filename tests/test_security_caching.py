"""Nothing personal stays in a cache (Cache-Control: no-store), and HTTPS is pinned in production
(Strict-Transport-Security)."""
import pytest

from crm import create_app
from tests.conftest import BASE_CONFIG
from tests.route_access import build_world, sign_in, url_for_rule

DOWNLOADS = ("/reports/enterprises.csv", "/reports/enterprises.xlsx", "/reports/funder.xlsx",
             "/imports/{batch_id}/report.csv", "/privacy/admin/contacts/{contact_id}/export.csv",
             "/privacy/admin/contacts/{contact_id}/export.json", "/sessions/{session_id}.ics")


def _get(client, url):
    response = client.get(url)
    response.get_data()  # streamed exports run to the end
    response.close()
    return response


def test_downloads_of_personal_information_are_never_stored(app, client, auth, make):
    world = build_world(app, make)
    sign_in(client, auth, world, "admin")
    for url in DOWNLOADS:
        response = _get(client, url.format(**world.ids))
        assert response.status_code == 200, url
        assert response.mimetype != "text/html", url
        assert response.headers.get("Cache-Control") == "no-store", url


def test_every_response_to_a_signed_in_person_is_never_stored_but_static_files(app, client, auth, make):
    world = build_world(app, make)
    sign_in(client, auth, world, "admin")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("auth.logout", "static"):
            continue
        response = _get(client, url_for_rule(rule, world.ids))
        assert response.headers.get("Cache-Control") == "no-store", (rule.rule, response.status_code)
        checked += 1
    assert checked > 50
    assert _get(client, "/nowhere").headers.get("Cache-Control") == "no-store"  # errors too
    assert "no-store" not in _get(client, "/static/css/virage.css").headers.get("Cache-Control", "")


def test_public_links_that_show_someone_are_never_stored(app, client, make):
    world = build_world(app, make)
    for url in (f"/calendar/feed/{world.ids['token']}.ics", f"/r/optout/{world.ids['optout_token']}"):
        response = _get(client, url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url
    assert "no-store" not in _get(client, "/login").headers.get("Cache-Control", "")


@pytest.mark.parametrize(("environment", "header"), [
    ({"ENV_NAME": "production"}, "max-age=31536000"),
    ({"ENV_NAME": "production", "HSTS_SECONDS": "0"}, None),
    ({"ENV_NAME": "production", "VIRAGE_HSTS_SECONDS": "63072000"}, "max-age=63072000"),
    ({}, None),
    ({"HSTS_SECONDS": "600"}, "max-age=600"),
])
def test_strict_transport_security_in_production_or_as_configured(monkeypatch, database_uri, environment, header):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    for url in ("/login", "/nowhere", "/static/css/virage.css"):
        response = app.test_client().get(url, base_url="https://localhost")
        assert response.headers.get("Strict-Transport-Security") == header, url
        response.close()
