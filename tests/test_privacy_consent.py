"""Consent is specific to a purpose, recorded with its history, audited and withdrawable at once."""
import pytest
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.contacts import services
from crm.contacts.models import ConsentEvent, Contact
from crm.domain import DomainError
from crm.extensions import db
from crm.privacy.services import anonymize_contact
from tests.conftest import post_form
from tests.privacy_helpers import contact_ids, load_contact, setup_people


@pytest.fixture
def admin_and_contact(app, client, auth, make):
    people, enterprise = setup_people(make)
    auth.sign_in(people["admin"])
    return people["admin"], contact_ids(app, enterprise)[0]


def _consent(client, contact_id, decision, source="Formulaire papier, séance du 3 mars"):
    page = f"/privacy/admin/contacts/{contact_id}"
    return post_form(client, f"{page}/consent",
                     {"purpose": "email_reminders", "decision": decision, "source": source}, page=page)


def test_withdrawal_through_the_page_stops_reminders_and_is_recorded(app, client, admin_and_contact):
    admin, contact_id = admin_and_contact
    assert load_contact(app, contact_id).can_receive_email
    response = _consent(client, contact_id, "withdraw", "Courriel du 12 avril")
    assert response.status_code == 302
    contact = load_contact(app, contact_id)
    assert contact.can_receive_email is False and contact.email_consent is False
    assert contact.consent_source == "Courriel du 12 avril" and contact.consent_recorded_by_id == admin.id
    page = client.get(f"/privacy/admin/contacts/{contact_id}").get_data(as_text=True)
    assert "Consentement consigné." in page
    assert "Retiré" in page and "Courriel du 12 avril" in page
    assert "Cette personne ne reçoit pas de rappels par courriel." in page
    with app.app_context():
        events = db.session.scalars(select(ConsentEvent).where(ConsentEvent.contact_id == contact_id)
                                    .order_by(ConsentEvent.id)).all()
        # The consent given when the contact was created, then its withdrawal.
        assert [(e.purpose, e.granted, e.recorded_by_id) for e in events] == [
            ("email_reminders", True, None), ("email_reminders", False, admin.id)]
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "consent_withdrawn")).one()
        assert entry.entity_id == contact_id and entry.actor_id == admin.id
        assert entry.changes == {"email_consent": [True, False]}
        assert entry.context == {"purpose": "email_reminders", "source": "Courriel du 12 avril"}


def test_grant_again_keeps_the_whole_history(app, client, admin_and_contact):
    _, contact_id = admin_and_contact
    _consent(client, contact_id, "withdraw")
    _consent(client, contact_id, "grant", "Formulaire en ligne")
    assert load_contact(app, contact_id).can_receive_email
    with app.app_context():
        granted = db.session.scalars(select(ConsentEvent.granted).where(ConsentEvent.contact_id == contact_id)
                                     .order_by(ConsentEvent.id)).all()
    assert granted == [True, False, True]  # given at creation, withdrawn, given again


def test_recording_the_state_already_in_force_changes_nothing(app, client, admin_and_contact):
    _, contact_id = admin_and_contact
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(ConsentEvent))
    response = _consent(client, contact_id, "grant")
    assert response.status_code == 302
    assert "c&#39;était déjà le cas" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ConsentEvent)) == before


def test_the_form_needs_a_source_and_a_known_purpose(app, client, admin_and_contact):
    _, contact_id = admin_and_contact
    response = _consent(client, contact_id, "withdraw", source="  ")
    assert response.status_code == 400
    assert "Veuillez corriger les erreurs" in response.get_data(as_text=True)
    page = f"/privacy/admin/contacts/{contact_id}"
    bad = post_form(client, f"{page}/consent", {"purpose": "marketing", "decision": "grant", "source": "x"}, page=page)
    assert bad.status_code == 400
    assert load_contact(app, contact_id).email_consent is True


def test_services_refuse_unknown_purposes_and_anonymized_people(app, make):
    _, enterprise = setup_people(make)
    contact_id = contact_ids(app, enterprise)[0]
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        with pytest.raises(DomainError):
            services.grant_consent(contact, "newsletter", source="x", actor=None)
        anonymize_contact(contact, actor=None)
        with pytest.raises(DomainError):
            services.grant_consent(contact, "email_reminders", source="x", actor=None)
        assert services.withdraw_consent(contact, "email_reminders", source="x", actor=None) is None


def test_a_new_contact_can_consent_through_the_service(app, make):
    """What the contact form does: add the contact without consent, then grant it."""
    from crm.enterprises.models import Enterprise

    people, enterprise = setup_people(make)
    with app.app_context():
        ent = db.session.get(Enterprise, enterprise.id)
        coach = db.session.get(type(people["coach"]), people["coach"].id)
        contact = services.add_contact(ent, actor=coach, first_name="Léa", last_name="Roy", email="lea@coop.example")
        assert not contact.can_receive_email
        event = services.grant_consent(contact, "email_reminders", source="Case cochée au formulaire", actor=coach)
        db.session.commit()
        assert contact.can_receive_email and event.recorded_by_id == coach.id
        assert contact.consent_at is not None
