"""A registration: its enterprise found or created, its contact and consents, its email in the
person's language with the .ics, the waiting list, the cancel link, the double opt-in."""
import re

from icalendar import Calendar
from sqlalchemy import select

from crm.contacts.models import ConsentEvent, Contact
from crm.enterprises.models import Enterprise
from crm.events.models import EventEmail
from crm.extensions import db
from tests.conftest import csrf_token
from tests.events_helpers import make_event, register, registrations, send_outbox, statuses

LINK = re.compile(r"http://127\.0\.0\.1:5000(/events/registration/[^\s\"<?]+)")


def _link(message) -> str:
    return LINK.search(message.get_body(("plain",)).get_content()).group(1)


def test_a_new_enterprise_is_created_in_the_organizing_organization_with_the_person_and_consents(app, client, make):
    organization = make.organization()
    event_id = make_event(app, organization)
    register(client, event_id, neq="1234567890")
    (row,) = registrations(app, event_id)
    assert (row.status, row.match_status) == ("confirmed", "created")
    with app.app_context():
        enterprise = db.session.get(Enterprise, row.enterprise_id)
        assert (enterprise.organization_id, enterprise.neq, enterprise.stage) == (organization.id, "1234567890",
                                                                                  "identified")
        contact = db.session.get(Contact, row.contact_id)
        assert (contact.email, contact.title, contact.email_consent) == ("lea@coop.example", "Directrice", True)
        consents = db.session.scalars(select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)
                                      .order_by(ConsentEvent.id)).all()
        assert [(c.purpose, c.granted) for c in consents] == [("email_reminders", True),
                                                               ("programme_follow_up", True)]
        assert all("Midi numérique" in c.source for c in consents)


def test_each_consent_is_its_own_and_an_unticked_box_withdraws_nothing(app, make):
    from crm.contacts.services import consent_in_force

    organization = make.organization()
    known = make.enterprise(organization, neq="5555555555", contacts=1)
    first, second = make_event(app, organization), make_event(app, organization)
    with app.app_context():
        email = db.session.scalar(select(Contact.email).where(Contact.enterprise_id == known.id))
    register(app.test_client(), first, neq="5555555555", email=email, consent_reminders=None)
    register(app.test_client(), second, neq="5555555555", email=email, consent_follow_up=None,
             consent_reminders=None)
    with app.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.enterprise_id == known.id))
        assert [r.contact_id for r in registrations(app, first) + registrations(app, second)] == [contact.id] * 2
        assert consent_in_force(contact, "email_reminders")  # given before, kept
        assert consent_in_force(contact, "programme_follow_up")


def test_the_same_neq_finds_the_enterprise_of_another_organization_without_revealing_it(app, client, make):
    other = make.organization(name="Pôle secret")
    known = make.enterprise(other, name="Coop Connue", neq="1111111111", contacts=1)
    event_id = make_event(app, make.organization())
    response = register(client, event_id, neq="1111 111 111", enterprise_name="Un autre nom")
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Coop Connue" not in follow and "Pôle secret" not in follow
    (row,) = registrations(app, event_id)
    assert (row.match_status, row.enterprise_id) == ("neq", known.id)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Enterprise)) == 1
        assert db.session.get(Contact, row.contact_id).enterprise_id == known.id


def test_the_same_name_and_city_waits_for_a_manager_who_confirms_it(app, client, auth, make):
    organization = make.organization()
    manager = make.user("manager", organization)
    known = make.enterprise(organization, name="Coopérative du Marais inc.", city="Sherbrooke")
    event_id = make_event(app, organization)
    register(client, event_id, enterprise_name="coopérative DU marais", city="SHERBROOKE")
    (row,) = registrations(app, event_id)
    assert (row.match_status, row.proposed_enterprise_id, row.enterprise_id, row.contact_id) == (
        "to_confirm", known.id, None, None)
    staff = app.test_client()
    from tests.conftest import Auth

    Auth(staff).sign_in(manager)
    page = staff.get(f"/events/manage/{event_id}/matching").get_data(as_text=True)
    assert "Coopérative du Marais inc." in page
    token = csrf_token(staff, f"/events/manage/{event_id}/matching")
    staff.post(f"/events/manage/{event_id}/matching/{row.id}", data={"csrf_token": token, "decision": "same"})
    (row,) = registrations(app, event_id)
    assert (row.match_status, row.enterprise_id) == ("confirmed", known.id)
    with app.app_context():
        assert db.session.get(Contact, row.contact_id).enterprise_id == known.id


def test_the_same_name_in_another_organization_makes_a_new_enterprise(app, client, make):
    make.enterprise(make.organization(), name="Coopérative du Marais", city="Sherbrooke")
    organization = make.organization()
    event_id = make_event(app, organization)
    register(client, event_id)
    (row,) = registrations(app, event_id)
    assert row.match_status == "created"
    with app.app_context():
        assert db.session.get(Enterprise, row.enterprise_id).organization_id == organization.id


def test_the_confirmation_is_emailed_in_the_persons_language_with_the_ics_and_the_cancel_link(
        app, client, make, smtp_server):
    event_id = make_event(app, make.organization())
    register(client, event_id)
    register(app.test_client(), event_id, lang="en", email="sam@coop.example", first_name="Sam")
    assert send_outbox(app) == 2
    french, english = smtp_server.mailbox.to("lea@coop.example")[0], smtp_server.mailbox.to("sam@coop.example")[0]
    assert french["Subject"].startswith("Inscription confirmée : Midi numérique")
    assert "Bonjour Léa" in french.get_body(("plain",)).get_content()
    assert "https://zoom.example/j/123" in french.get_body(("plain",)).get_content()
    assert english["Subject"].startswith("Registration confirmed: Midi numérique")
    assert "Hello Sam" in english.get_body(("plain",)).get_content()
    (ics,) = [part for part in french.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(ics.get_payload(decode=True))
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["summary"]) == "Midi numérique : l'infonuagique"
    assert entry["dtstart"].dt.tzinfo is not None and calendar.walk("VTIMEZONE")
    page = app.test_client().get(_link(french)).get_data(as_text=True)
    assert "votre place est confirmée" in page
    assert send_outbox(app) == 0  # each email once


def test_waiting_list_position_and_promotion_when_someone_cancels(app, client, make, smtp_server):
    event_id = make_event(app, make.organization(), capacity=1)
    register(app.test_client(), event_id, email="a@coop.example", first_name="Ana")
    register(app.test_client(), event_id, email="b@coop.example", first_name="Ben")
    register(app.test_client(), event_id, email="c@coop.example", first_name="Cléo")
    assert statuses(app, event_id) == ["confirmed", "waiting", "waiting"]
    send_outbox(app)
    waiting = smtp_server.mailbox.to("c@coop.example")[0]
    assert "au rang 2" in waiting.get_body(("plain",)).get_content()
    assert "rang 2" in client.get(_link(waiting)).get_data(as_text=True)
    cancel_link = _link(smtp_server.mailbox.to("a@coop.example")[0])
    person = app.test_client()
    token = csrf_token(person, cancel_link)
    response = person.post(cancel_link + "/cancel", data={"csrf_token": token})
    assert response.status_code == 302
    assert statuses(app, event_id) == ["cancelled", "confirmed", "waiting"]
    assert send_outbox(app) == 1
    (promoted,) = [m for m in smtp_server.mailbox.to("b@coop.example") if "place est à vous" in m["Subject"]]
    assert any(p.get_content_type() == "text/calendar" for p in promoted.iter_attachments())
    assert "au rang 1." in client.get(_link(waiting)).get_data(as_text=True)
    # Cancelling twice changes nothing more.
    person.post(cancel_link + "/cancel", data={"csrf_token": token})
    assert statuses(app, event_id) == ["cancelled", "confirmed", "waiting"]


def test_double_opt_in_gives_the_seat_once_the_address_is_confirmed(app, client, make, smtp_server):
    event_id = make_event(app, make.organization(), capacity=1, double_opt_in=True)
    response = register(client, event_id)
    assert "confirmez votre adresse" in client.get(response.headers["Location"]).get_data(as_text=True)
    (row,) = registrations(app, event_id)
    assert (row.status, row.enterprise_id, row.contact_id) == ("unconfirmed", None, None)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Enterprise)) == 0
    send_outbox(app)
    (asking,) = smtp_server.mailbox.to("lea@coop.example")
    assert asking["Subject"].startswith("Confirmez votre inscription")
    confirm = re.search(r"http://127\.0\.0\.1:5000(/events/registration/\S+/confirm)",
                        asking.get_body(("plain",)).get_content()).group(1)
    person = app.test_client()
    person.get(confirm)  # a mail scanner opening the link confirms nothing
    assert statuses(app, event_id) == ["unconfirmed"]
    person.post(confirm.split("?")[0], data={"csrf_token": csrf_token(person, confirm)})
    (row,) = registrations(app, event_id)
    assert (row.status, row.match_status) == ("confirmed", "created")
    send_outbox(app)
    assert [m["Subject"].split(":")[0] for m in smtp_server.mailbox.to("lea@coop.example")] == [
        "Confirmez votre inscription ", "Inscription confirmée "]


def test_a_registration_again_sends_its_email_again_and_nothing_else(app, client, make, smtp_server):
    event_id = make_event(app, make.organization())
    register(client, event_id)
    register(app.test_client(), event_id)
    with app.app_context():
        kinds = db.session.scalars(select(EventEmail.kind).order_by(EventEmail.id)).all()
    assert [k for k in kinds if k != "reminder"] == ["confirmed", "confirmed"]
    assert len(registrations(app, event_id)) == 1


def test_a_forged_registration_link_finds_nothing(app, client, make):
    assert client.get("/events/registration/1").status_code == 404
    assert client.get("/events/registration/1.forged").status_code == 404
