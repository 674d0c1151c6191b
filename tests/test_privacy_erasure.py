"""Anonymizing a contact erases what identifies them, everywhere, and keeps the statistics."""
import json

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.contacts.models import ConsentEvent, Contact
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.conftest import csrf_token, post_form
from tests.privacy_helpers import contact_ids, load_contact, setup_people


@pytest.fixture
def world(app, client, auth, make):
    people, enterprise = setup_people(make)
    contact_id = contact_ids(app, enterprise)[0]
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        contact.phone = "514-555-0199"
        contact.title = "Directrice générale"
        db.session.commit()
    auth.sign_in(people["admin"])
    # A consent recorded through the page, whose source names the person.
    page = f"/privacy/admin/contacts/{contact_id}"
    post_form(client, f"{page}/consent", {"purpose": "email_reminders", "decision": "withdraw",
                                          "source": "Appel de Prénom0 Nom au 514-555-0199"}, page=page)
    return people, enterprise, load_contact(app, contact_id)


def test_anonymize_through_the_confirmation_page(app, client, world):
    people, enterprise, contact = world
    url = f"/privacy/admin/contacts/{contact.id}/anonymize"
    page = client.get(url).get_data(as_text=True)
    assert "Cette opération est irréversible." in page and contact.full_name in page
    response = post_form(client, url, {"confirm": "y"})
    assert response.status_code == 302
    assert "La personne-ressource a été anonymisée." in client.get(response.headers["Location"]).get_data(as_text=True)

    after = load_contact(app, contact.id)
    assert after.first_name == "Personne anonymisée" and after.last_name == ""
    assert after.email is None and after.phone is None and after.title is None
    assert after.anonymized_at is not None and not after.email_consent and not after.can_receive_email
    with app.app_context():
        ent = db.session.get(Enterprise, enterprise.id)
        assert contact.email not in ent.search_text and "nom" in ent.search_text  # the other contact stays
        assert ent.stage == enterprise.stage
        assert db.session.scalar(select(func.count()).select_from(Contact)
                                 .where(Contact.enterprise_id == enterprise.id)) == 2  # statistics kept
        everything = json.dumps([[e.changes, e.context] for e in db.session.scalars(select(AuditEntry))],
                                ensure_ascii=False)
        for erased in (contact.email, "514-555-0199", "Directrice générale", "Prénom0"):
            assert erased not in everything
        assert all(e.source is None for e in db.session.scalars(
            select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)))
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "anonymize")).one()
        assert entry.actor_id == people["admin"].id and entry.entity_id == contact.id
        assert set(entry.context["erased_fields"]) >= {"first_name", "email", "phone", "title"}

    again = client.get(url).get_data(as_text=True)
    assert "Cette personne-ressource a déjà été anonymisée." in again
    assert post_form(client, url, {"confirm": "y"}, page=f"/privacy/admin/contacts/{contact.id}").status_code == 200


def test_without_the_confirmation_box_nothing_is_erased(app, client, world):
    _, _, contact = world
    url = f"/privacy/admin/contacts/{contact.id}/anonymize"
    response = post_form(client, url, {})
    assert response.status_code == 400 and "Cochez la case pour confirmer." in response.get_data(as_text=True)
    without_token = client.post(url, data={"confirm": "y"})
    assert without_token.status_code == 400
    assert load_contact(app, contact.id).anonymized_at is None


def test_a_failure_midway_leaves_nothing_half_written(app, client, world, monkeypatch):
    """The audit fails on its 2nd record (after the consent withdrawal): all is rolled back."""
    _, enterprise, contact = world
    url = f"/privacy/admin/contacts/{contact.id}"
    post_form(client, f"{url}/consent", {"purpose": "email_reminders", "decision": "grant", "source": "Oral"},
              page=url)
    with app.app_context():
        before_search = db.session.get(Enterprise, enterprise.id).search_text
        before_counts = (db.session.scalar(select(func.count()).select_from(AuditEntry)),
                         db.session.scalar(select(func.count()).select_from(ConsentEvent)))
    token = csrf_token(client, f"{url}/anonymize")

    from crm.audit import services as audit_services

    real_record = audit_services.record
    calls = []

    def failing_record(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(audit_services, "record", failing_record)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"{url}/anonymize", data={"confirm": "y", "csrf_token": token})
    assert calls == ["consent_withdrawn", "anonymize"]
    assert response.status_code == 500
    assert "Une erreur inattendue s&#39;est produite. Rien n&#39;a été enregistré" in response.get_data(as_text=True)

    after = load_contact(app, contact.id)
    assert after.first_name == contact.first_name and after.email == contact.email
    assert after.anonymized_at is None and after.email_consent is True
    with app.app_context():
        assert db.session.get(Enterprise, enterprise.id).search_text == before_search
        assert (db.session.scalar(select(func.count()).select_from(AuditEntry)),
                db.session.scalar(select(func.count()).select_from(ConsentEvent))) == before_counts
