"""The manager's side of registrations: the list and its filters, the export (logged for Law 25),
a cancellation by the manager, a message to everyone registered."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from crm.extensions import db
from crm.privacy.models import AccessLogEntry
from tests.conftest import csrf_token, post_form
from tests.events_helpers import make_event, register, registrations, send_outbox, statuses


def _world(app, make, capacity=2):
    organization = make.organization()
    manager = make.user("manager", organization)
    event_id = make_event(app, organization, capacity=capacity)
    register(app.test_client(), event_id, first_name="=HYPERLINK(\"x\")", email="a@coop.example")
    register(app.test_client(), event_id, first_name="Béatrice", email="b@coop.example", enterprise_name="Coop B")
    register(app.test_client(), event_id, first_name="Chloé", email="c@coop.example", enterprise_name="Coop C")
    return organization, manager, event_id


def test_the_list_filters_by_status_and_finds_names_without_accents(app, client, auth, make):
    _organization, manager, event_id = _world(app, make)
    auth.sign_in(manager)
    waiting = client.get(f"/events/manage/{event_id}/registrations?status=waiting").get_data(as_text=True)
    assert "Chloé" in waiting and "Béatrice" not in waiting
    found = client.get(f"/events/manage/{event_id}/registrations?q=beatrice").get_data(as_text=True)
    assert "Béatrice" in found and "Chloé" not in found
    assert client.get(f"/events/manage/{event_id}/registrations?status=nonsense").status_code == 200


def test_the_export_is_safe_to_open_and_logged(app, client, auth, make):
    _organization, manager, event_id = _world(app, make)
    auth.sign_in(manager)
    response = client.get(f"/events/manage/{event_id}/registrations/export.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffPrénom;Nom;Courriel")
    assert "'=HYPERLINK" in text and "Liste d'attente" in text
    workbook = load_workbook(io.BytesIO(client.get(f"/events/manage/{event_id}/registrations/export.xlsx").data))
    sheet = workbook.active
    assert sheet.cell(2, 1).value == '=HYPERLINK("x")' and sheet.cell(2, 1).data_type == "s"
    assert sheet.max_row == 4
    with app.app_context():
        log = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
        assert [(e.action, e.subject_type, e.subject_id, e.details["format"], e.details["count"]) for e in log] == [
            ("export_event_registrations", "events", event_id, "csv", 3),
            ("export_event_registrations", "events", event_id, "xlsx", 3)]
        assert all(e.user_id == manager.id for e in log)


def test_a_coach_reads_the_list_but_does_not_export(app, client, auth, make):
    organization, _manager, event_id = _world(app, make)
    auth.sign_in(make.user("coach", organization))
    assert client.get(f"/events/manage/{event_id}/registrations").status_code == 200
    assert client.get(f"/events/manage/{event_id}/registrations/export.csv").status_code == 403


def test_a_manager_cancels_a_registration_the_person_is_told_and_the_next_one_promoted(
        app, client, auth, make, smtp_server):
    _organization, manager, event_id = _world(app, make)
    send_outbox(app)
    auth.sign_in(manager)
    first = registrations(app, event_id)[0]
    token = csrf_token(client, f"/events/manage/{event_id}/registrations")
    client.post(f"/events/manage/{event_id}/registrations/{first.id}/cancel", data={"csrf_token": token})
    assert statuses(app, event_id) == ["cancelled", "confirmed", "confirmed"]
    assert send_outbox(app) == 2
    assert smtp_server.mailbox.to("a@coop.example")[-1]["Subject"].startswith("Inscription annulée")
    assert "place est à vous" in smtp_server.mailbox.to("c@coop.example")[-1]["Subject"]


def test_a_message_reaches_the_people_with_a_seat_and_on_request_the_waiting_list(
        app, client, auth, make, smtp_server):
    _organization, manager, event_id = _world(app, make)
    send_outbox(app)
    before = len(smtp_server.messages)
    auth.sign_in(manager)
    response = post_form(client, f"/events/manage/{event_id}/message",
                         {"subject": "Changement de salle", "body": "Nous serons à la salle 3."})
    assert response.status_code == 302
    assert send_outbox(app) == 2
    sent = smtp_server.messages[before:]
    assert {m["To"] for m in sent} == {"a@coop.example", "b@coop.example"}
    assert all(m["Subject"] == "Changement de salle" for m in sent)
    assert "Nous serons à la salle 3." in sent[0].get_body(("plain",)).get_content()
    post_form(client, f"/events/manage/{event_id}/message",
              {"subject": "Tous", "body": "Bonjour à tous.", "include_waiting": "y"})
    assert send_outbox(app) == 3
    assert post_form(client, f"/events/manage/{event_id}/message", {"subject": "", "body": ""}).status_code == 400
