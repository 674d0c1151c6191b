"""The issue's "done when", end to end, through the real pages and the reminders worker: people
register without an account, the last seat goes, the waiting list fills, a cancellation promotes,
the manager checks people in and the dashboard's reach goes up by the enterprises that came."""
import re

from icalendar import Calendar
from sqlalchemy import select

from crm.enterprises.models import StageChange
from crm.extensions import db
from tests.conftest import Auth, csrf_token
from tests.events_helpers import make_event, register, registrations, statuses

REACH = re.compile(r"([\d\s\u202f]+) entreprises? rejointes? sur une cible")
LINK = re.compile(r"http://127\.0\.0\.1:5000(/events/registration/[^\s?]+)")


def _reach(client) -> int:
    page = client.get("/reports/").get_data(as_text=True)
    return int(re.sub(r"\D", "", REACH.search(page).group(1)))


def _worker(runner) -> None:
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output


def test_register_fill_wait_cancel_promote_check_in_and_reach(app, make, runner, smtp_server):
    organization = make.organization(name="Pôle de l'Estrie")
    manager = make.user("manager", organization)
    make.enterprise(organization, name="Coop déjà sensibilisée", neq="4444444444", stage="awareness")
    event_id = make_event(app, organization, capacity=2)
    staff = app.test_client()
    Auth(staff).sign_in(manager)

    # 1. A person registers in French, without an account, and receives the confirmation and its .ics.
    first = register(app.test_client(), event_id, email="ana@coop.example", first_name="Ana",
                     enterprise_name="Coop Ana")
    assert first.status_code == 302
    _worker(runner)
    (confirmation,) = smtp_server.mailbox.to("ana@coop.example")
    assert confirmation["Subject"].startswith("Inscription confirmée : Midi numérique")
    (ics,) = [p for p in confirmation.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")) == 1

    # 2. A second fills the last seat (her enterprise, found by its NEQ, is already at awareness);
    # 3. a third goes on the waiting list.
    register(app.test_client(), event_id, email="ben@coop.example", first_name="Ben", neq="4444444444")
    register(app.test_client(), event_id, email="cleo@coop.example", first_name="Cléo", enterprise_name="Coop Cléo")
    assert statuses(app, event_id) == ["confirmed", "confirmed", "waiting"]
    _worker(runner)
    assert "Liste d'attente" in smtp_server.mailbox.to("cleo@coop.example")[0]["Subject"]

    # 4. The first cancels through the link of her email; the third is promoted and emailed.
    link = LINK.search(confirmation.get_body(("plain",)).get_content()).group(1)
    person = app.test_client()
    person.post(f"{link}/cancel", data={"csrf_token": csrf_token(person, link)})
    assert statuses(app, event_id) == ["cancelled", "confirmed", "confirmed"]
    _worker(runner)
    promoted = smtp_server.mailbox.to("cleo@coop.example")
    assert len(promoted) == 2 and promoted[1]["Subject"].startswith("Une place est à vous")
    assert len(smtp_server.mailbox.to("ana@coop.example")) == 1  # nothing more to the one who cancelled

    # 5. The manager checks the two people in; only the enterprise still at "identified" moves, once.
    reach_before = _reach(staff)
    _ana, ben, cleo = registrations(app, event_id)
    token = csrf_token(staff, f"/events/manage/{event_id}/check-in")
    for row in (ben, cleo, cleo):
        staff.post(f"/events/manage/{event_id}/check-in/{row.id}", data={"csrf_token": token})
    with app.app_context():
        moved = db.session.scalars(select(StageChange.enterprise_id).where(StageChange.to_stage == "awareness",
                                                                          StageChange.comment.like("Événement%"))).all()
    assert moved == [cleo.enterprise_id]
    assert _reach(staff) == reach_before + len(moved)
