"""The register of confidentiality incidents: recorded, edited and audited by the programme office."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.privacy.models import Incident
from tests.conftest import post_form
from tests.privacy_helpers import count_queries, setup_people

VALID = {
    "discovered_on": "2026-03-04", "occurred_on": "2026-03-01",
    "nature": "Un courriel de rappel a été envoyé à la mauvaise liste.",
    "information_categories": ["contact_details", "attendance"], "people_affected": "42",
    "serious_injury_risk": "no", "risk_assessment": "", "measures_taken": "Demande de suppression envoyée.",
    "commission_notified_on": "", "people_notified_on": "",
}


@pytest.fixture
def admin(client, auth, make):
    people, _ = setup_people(make)
    auth.sign_in(people["admin"])
    return people["admin"]


def test_record_an_incident_then_edit_it(app, client, admin):
    response = post_form(client, "/privacy/admin/incidents/new", VALID)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Incident inscrit au registre." in page and "4 mars 2026" in page
    with app.app_context():
        incident = db.session.scalars(select(Incident)).one()
        assert incident.information_categories == ["contact_details", "attendance"]
        assert incident.people_affected == 42 and incident.serious_injury_risk is False
        assert incident.recorded_by_id == admin.id
        created = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "privacy_incidents")).one()
        assert created.action == "create" and created.changes["people_affected"] == [None, 42]
        incident_id = incident.id

    url = f"/privacy/admin/incidents/{incident_id}"
    form = client.get(url).get_data(as_text=True)
    assert 'value="2026-03-04"' in form and 'name="version" type="hidden" value="1"' in form
    changed = {**VALID, "serious_injury_risk": "yes",
               "risk_assessment": "Adresses de personnes en situation de fragilité.",
               "commission_notified_on": "2026-03-05", "version": "1"}
    response = post_form(client, url, changed)
    assert response.status_code == 302
    flashes = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Incident mis à jour." in flashes and "doit être déclaré avec diligence" in flashes  # people not yet told
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        assert incident.serious_injury_risk and incident.commission_notified_on == date(2026, 3, 5)
        update = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
        assert update.changes["serious_injury_risk"] == [False, True]
        assert update.changes["commission_notified_on"] == [None, "2026-03-05"]
        assert update.actor_id == admin.id


@pytest.mark.parametrize("changes, message", [
    ({"discovered_on": ""}, "Ce champ est requis."),
    ({"discovered_on": "pas une date"}, "Not a valid date value."),
    ({"discovered_on": (date.today() + timedelta(days=2)).isoformat(), "occurred_on": ""},
     "Cette date est dans le futur."),
    ({"occurred_on": "2026-03-09"}, "Un incident ne peut pas être découvert avant de survenir."),
    ({"serious_injury_risk": "yes"}, "Expliquez pourquoi le risque de préjudice sérieux est élevé."),
    ({"people_notified_on": "2026-03-02"}, "Un avis ne peut pas précéder la découverte de l"),
    ({"people_affected": "-4"}, "Le nombre doit"),
    ({"information_categories": ["passwords"]}, "n&#39;est pas un choix valide"),
])
def test_bad_input_is_refused_next_to_the_field(app, client, admin, changes, message):
    response = post_form(client, "/privacy/admin/incidents/new", {**VALID, **changes})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Veuillez corriger les erreurs" in page
    if message != "Not a valid date value.":
        assert message in page, page[page.find('class="error"') - 200:page.find('class="error"') + 300]
    else:
        assert 'id="discovered_on-error"' in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Incident)) == 0


def test_an_edit_based_on_an_old_version_is_refused_not_lost(app, client, admin):
    post_form(client, "/privacy/admin/incidents/new", VALID)
    with app.app_context():
        incident_id = db.session.scalars(select(Incident.id)).one()
    url = f"/privacy/admin/incidents/{incident_id}"
    assert post_form(client, url, {**VALID, "measures_taken": "Première", "version": "1"}).status_code == 302
    stale = post_form(client, url, {**VALID, "measures_taken": "Seconde", "version": "1"})
    assert stale.status_code == 409 and "Quelqu&#39;un a modifié cet incident" in stale.get_data(as_text=True)
    assert "Seconde" in stale.get_data(as_text=True)  # what they typed is still in the form
    with app.app_context():
        assert db.session.get(Incident, incident_id).measures_taken == "Première"


def test_the_register_lists_in_a_constant_number_of_queries(app, client, admin):
    from crm.privacy.services import create_incident

    def add(n):
        with app.app_context():
            for i in range(n):
                create_incident(actor=admin, discovered_on=date(2026, 1, 1 + i % 28), nature=f"Incident {i}")
            db.session.commit()

    add(2)
    with count_queries(app) as small:
        assert client.get("/privacy/admin/incidents").status_code == 200
    add(60)
    with count_queries(app) as large:
        page = client.get("/privacy/admin/incidents").get_data(as_text=True)
    assert large() == small()
    assert 'aria-label="Page 1" aria-current="page"' in page and 'aria-label="Page 2"' in page
    assert 'aria-label="Page 3"' not in page
