"""Law 25 and events: reminders only with the person's consent, and not once it is withdrawn; a
contact's erasure erases their registrations (the counts stay); their export includes them."""
from datetime import timedelta

from sqlalchemy import select

from crm.contacts import services as contact_services
from crm.contacts.models import EMAIL_PURPOSE, Contact
from crm.db import as_utc
from crm.events import emails
from crm.events.models import EventEmail, Registration
from crm.extensions import db
from crm.privacy import services as privacy
from tests.events_helpers import event, make_event, register, registrations


def _send(app, now) -> int:
    with app.app_context():
        sent = emails.send_due(me="test", now=now)
        db.session.remove()
        return sent


def test_reminders_go_to_those_who_agreed_and_stop_when_they_withdraw(app, make, smtp_server):
    event_id = make_event(app, make.organization())
    register(app.test_client(), event_id, email="oui@coop.example")
    register(app.test_client(), event_id, email="non@coop.example", consent_reminders=None, enterprise_name="Autre")
    starts = as_utc(event(app, event_id).starts_at)
    day_before = starts - timedelta(days=1) + timedelta(minutes=1)
    assert _send(app, day_before - timedelta(days=6)) == 3  # the confirmations and the 7-day reminder
    assert [m["Subject"].split(" :")[0] for m in smtp_server.mailbox.to("oui@coop.example")] == [
        "Inscription confirmée", "Rappel"]
    with app.app_context():
        contact = db.session.get(Contact, registrations(app, event_id)[0].contact_id)
        contact_services.withdraw_consent(contact, EMAIL_PURPOSE, source="lien de désabonnement", actor=None)
        db.session.commit()
    assert _send(app, day_before) == 0
    with app.app_context():
        states = db.session.scalars(select(EventEmail.state).where(EventEmail.kind == "reminder")).all()
    assert sorted(states) == ["cancelled", "sent"]
    assert len(smtp_server.mailbox.to("non@coop.example")) == 1


def test_erasing_a_contact_erases_their_registrations_and_keeps_the_counts(app, make):
    event_id = make_event(app, make.organization())
    register(app.test_client(), event_id)
    (row,) = registrations(app, event_id)
    with app.app_context():
        contact = db.session.get(Contact, row.contact_id)
        export = dict(privacy_sections(contact))
        assert export["event_registrations"][0]["email"] == "lea@coop.example"
        privacy.anonymize_contact(contact, actor=None)
        db.session.commit()
        erased = db.session.get(Registration, row.id)
        assert (erased.first_name, erased.email, erased.status) == ("—", "—", "confirmed")
        assert erased.anonymized_at is not None and erased.search_text == ""
        pending = db.session.scalars(select(EventEmail.state).where(EventEmail.registration_id == row.id)).all()
        assert set(pending) == {"cancelled"}
    from crm.events.tokens import registration_token

    with app.app_context():
        token = registration_token(row.id)
    assert app.test_client().get(f"/events/registration/{token}").status_code == 404


def privacy_sections(contact):
    from crm import signals

    return signals.answers(signals.contact_export_sections, contact)
