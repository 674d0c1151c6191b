"""Every privacy route is for the programme office only: others get 403, anonymous people sign in."""
import pytest

from crm.extensions import db
from crm.privacy.services import create_incident
from tests.conftest import csrf_token
from tests.privacy_helpers import contact_ids, setup_people


def _routes(contact_id, incident_id):
    return [
        ("GET", "/privacy/admin/"),
        ("GET", "/privacy/admin/?q=nom"),
        ("GET", f"/privacy/admin/contacts/{contact_id}"),
        ("POST", f"/privacy/admin/contacts/{contact_id}/consent"),
        ("GET", f"/privacy/admin/contacts/{contact_id}/export.json"),
        ("GET", f"/privacy/admin/contacts/{contact_id}/export.csv"),
        ("GET", f"/privacy/admin/contacts/{contact_id}/anonymize"),
        ("POST", f"/privacy/admin/contacts/{contact_id}/anonymize"),
        ("GET", "/privacy/admin/access-log"),
        ("GET", "/privacy/admin/incidents"),
        ("GET", "/privacy/admin/incidents/new"),
        ("POST", "/privacy/admin/incidents/new"),
        ("GET", f"/privacy/admin/incidents/{incident_id}"),
        ("POST", f"/privacy/admin/incidents/{incident_id}"),
    ]


@pytest.fixture
def world(app, make):
    people, enterprise = setup_people(make)
    with app.app_context():
        from datetime import date

        incident = create_incident(actor=None, discovered_on=date(2026, 1, 5), nature="Courriel mal adressé")
        db.session.commit()
        incident_id = incident.id
    return people, contact_ids(app, enterprise)[0], incident_id


@pytest.mark.parametrize("role", ["manager", "coach", "other"])
def test_non_admins_get_403_everywhere(client, auth, world, role):
    people, contact_id, incident_id = world
    auth.sign_in(people[role])
    token = csrf_token(client, "/")
    for method, url in _routes(contact_id, incident_id):
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (role, method, url)
        assert "Accès refusé" in response.get_data(as_text=True)


def test_anonymous_people_are_sent_to_sign_in(client, world):
    _, contact_id, incident_id = world
    for method, url in _routes(contact_id, incident_id):
        response = client.open(url, method=method)
        if method == "POST":
            assert response.status_code in (302, 400), url  # the CSRF check may come first
        else:
            assert response.status_code == 302, url
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), url


def test_admin_reaches_every_page(client, auth, world):
    people, contact_id, incident_id = world
    auth.sign_in(people["admin"])
    for method, url in _routes(contact_id, incident_id):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_missing_records_are_404_for_admins(client, auth, world):
    people, _, _ = world
    auth.sign_in(people["admin"])
    for url in ("/privacy/admin/contacts/999999", "/privacy/admin/contacts/999999/export.json",
                "/privacy/admin/contacts/999999/anonymize", "/privacy/admin/incidents/999999",
                "/privacy/admin/contacts/1/export.xml"):
        assert client.get(url).status_code == 404, url


def test_only_admins_see_the_privacy_menu(client, auth, world):
    people, _, _ = world
    auth.sign_in(people["manager"])
    assert "Vie privée" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.sign_in(people["admin"])
    home = client.get("/").get_data(as_text=True)
    assert 'href="/privacy/admin/"' in home and "Vie privée" in home
