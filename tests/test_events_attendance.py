"""Who came: checked in at the door on a phone, or read from a Zoom or Teams attendance file; the
enterprise of a person who came reaches awareness once, whatever the number of events."""
import io

from sqlalchemy import select

from crm.enterprises.models import Enterprise, StageChange
from crm.events import attendance
from crm.extensions import db
from tests.conftest import Auth, csrf_token
from tests.events_helpers import make_event, register, registrations


def _stage_changes(app, enterprise_id):
    with app.app_context():
        return db.session.scalars(select(StageChange).where(StageChange.enterprise_id == enterprise_id)
                                  .order_by(StageChange.id)).all()


def test_a_coach_checks_people_in_on_a_phone_and_the_enterprise_moves_once(app, make):
    organization = make.organization()
    coach = make.user("coach", organization)
    first, second = make_event(app, organization, title="Premier midi"), make_event(app, organization)
    for event_id in (first, second):
        register(app.test_client(), event_id, neq="2222222222")
    register(app.test_client(), first, neq="2222222222", email="collegue@coop.example", first_name="Zoé")
    lea, zoe = registrations(app, first)
    staff = app.test_client()
    Auth(staff).sign_in(coach)
    page = staff.get(f"/events/manage/{first}/check-in?q=zoe").get_data(as_text=True)
    assert "Zoé Tremblay" in page and "Léa Tremblay" not in page
    token = csrf_token(staff, f"/events/manage/{first}/check-in")
    for row in (lea, zoe):
        assert staff.post(f"/events/manage/{first}/check-in/{row.id}", data={"csrf_token": token}).status_code == 302
    (other,) = registrations(app, second)
    staff.post(f"/events/manage/{second}/check-in/{other.id}", data={"csrf_token": token})
    changes = _stage_changes(app, lea.enterprise_id)
    assert [(c.from_stage, c.to_stage) for c in changes] == [(None, "identified"), ("identified", "awareness")]
    assert changes[-1].comment == "Événement « Premier midi »" and changes[-1].changed_by_id == coach.id
    assert all(r.attended for r in registrations(app, first))
    staff.post(f"/events/manage/{first}/check-in/{zoe.id}/undo", data={"csrf_token": token})
    assert [r.attended for r in registrations(app, first)] == [True, False]


def test_an_enterprise_further_in_its_journey_does_not_move_back(app, make):
    organization = make.organization()
    training = make.enterprise(organization, neq="3333333333", stage="training")
    event_id = make_event(app, organization)
    register(app.test_client(), event_id, neq="3333333333")
    (row,) = registrations(app, event_id)
    with app.app_context():
        from crm.events.models import Event, Registration

        attendance.check_in(db.session.get(Event, event_id), db.session.get(Registration, row.id), actor=None,
                            now=row.created_at)
        db.session.commit()
        assert db.session.get(Enterprise, training.id).stage == "training"


ZOOM = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n"
        "Léa Tremblay,LEA@coop.example,03/14/2030 12:00:05 PM,03/14/2030 12:31:00 PM,31,Yes\r\n"
        "Léa Tremblay,lea@coop.example,03/14/2030 12:35:00 PM,03/14/2030 01:00:00 PM,25,Yes\r\n"
        "Inconnu,inconnu@ailleurs.example,03/14/2030 12:00:05 PM,03/14/2030 01:00:00 PM,60,Yes\r\n")

TEAMS = ("1. Summary\n"
         "Meeting title\tMidi numérique\n"
         "Attended participants\t2\n"
         "\n"
         "2. Participants\n"
         "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
         "Sam Roy\t3/14/30, 12:01:00 PM\t3/14/30, 1:03:00 PM\t1h 2m 3s\tsam@coop.example\tsam@coop.example\tAttendee\n"
         "\n"
         "3. In-Meeting Activities\n"
         "Name\tJoin Time\tLeave Time\tDuration\tEmail\n"
         "Autre\t3/14/30\t3/14/30\t5m\tautre@coop.example\n")


def test_zoom_and_teams_attendance_files_mark_the_people_registered(app, client, auth, make):
    organization = make.organization()
    event_id = make_event(app, organization)
    register(app.test_client(), event_id)
    register(app.test_client(), event_id, email="sam@coop.example", first_name="Sam", enterprise_name="Coop Sam")
    register(app.test_client(), event_id, email="autre@coop.example", first_name="Absent", enterprise_name="Coop A")
    auth.sign_in(make.user("manager", organization))
    path = f"/events/manage/{event_id}/attendance-import"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "file": (io.BytesIO(ZOOM.encode("utf-8-sig")), "participants.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Personnes dans le fichier : 2" in page and "(laissées de côté) : 1" in page
    assert "Marquées présentes : 1" in page
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "file": (io.BytesIO(TEAMS.encode("utf-16")), "attendance.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    lea, sam, absent = registrations(app, event_id)
    assert (lea.attended, lea.attended_minutes, lea.attendance_source) == (True, 56, "import")
    assert (sam.attended, sam.attended_minutes) == (True, 62)
    assert not absent.attended  # the activities section after the participants is not attendance
    for row in (lea, sam):
        assert [c.to_stage for c in _stage_changes(app, row.enterprise_id)] == ["identified", "awareness"]


def test_a_file_without_emails_is_refused_with_a_message(app, client, auth, make):
    organization = make.organization()
    event_id = make_event(app, organization)
    auth.sign_in(make.user("manager", organization))
    path = f"/events/manage/{event_id}/attendance-import"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "file": (io.BytesIO(b"Name,Duration\nLea,30\n"), "a.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Aucune colonne d&#39;adresses courriel" in response.get_data(as_text=True)


def test_durations_as_the_tools_write_them():
    assert [attendance.minutes_of(t) for t in ("45", "1h 2m 3s", "45 min", "01:02:03", "12:30", "", "n/a")] == [
        45, 62, 45, 62, 12, None, None]


def test_an_attended_registration_whose_enterprise_is_confirmed_later_moves_then(app, make):
    organization = make.organization()
    manager = make.user("manager", organization)
    known = make.enterprise(organization, name="Coopérative du Marais", city="Sherbrooke")
    event_id = make_event(app, organization)
    register(app.test_client(), event_id)
    (row,) = registrations(app, event_id)
    staff = app.test_client()
    Auth(staff).sign_in(manager)
    token = csrf_token(staff, f"/events/manage/{event_id}/check-in")
    staff.post(f"/events/manage/{event_id}/check-in/{row.id}", data={"csrf_token": token})
    assert [c.to_stage for c in _stage_changes(app, known.id)] == ["identified"]
    staff.post(f"/events/manage/{event_id}/matching/{row.id}", data={"csrf_token": token, "decision": "same"})
    assert [c.to_stage for c in _stage_changes(app, known.id)] == ["identified", "awareness"]


def test_broken_attendance_files_are_refused_without_an_error_page(app, client, auth, make, monkeypatch):
    # A small limit: an upload above 500 kB would sit in a temporary file the test client never closes.
    monkeypatch.setattr(attendance, "MAX_FILE_BYTES", 50_000)
    organization = make.organization()
    event_id = make_event(app, organization)
    auth.sign_in(make.user("manager", organization))
    path = f"/events/manage/{event_id}/attendance-import"
    for content in (b"Email,Duration\nlea@coop.example,3\x000\n", b"Email\n\"" + b"x" * 40_000 + b"\n",
                    b"\xff\xfe" + "Email\tDuration\n".encode("utf-16-le") + b"\x00", b"x" * 50_100):
        response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                           "file": (io.BytesIO(content), "a.csv")},
                               content_type="multipart/form-data")
        assert response.status_code in (200, 400), response.status_code
