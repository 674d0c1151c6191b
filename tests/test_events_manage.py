"""A manager creates an event as a draft, publishes it, closes and reopens registration, adds and
removes sessions; other organizations see none of it."""
from datetime import timedelta

from crm.cohorts import timeutil
from crm.events.models import Event
from crm.extensions import db
from tests.conftest import csrf_token, post_form
from tests.events_helpers import event, make_event


def _new_event_form(organization_id, day):
    return {"title": "Atelier : vendre en ligne", "kind": "workshop", "organization_id": organization_id,
            "languages": "fr en", "day": day.isoformat(), "start_time": "09:30", "end_time": "12:00",
            "mode": "in_person", "place": "Salle 2, 50 rue King, Sherbrooke", "region_code": "05",
            "meeting_url": "", "capacity": "30", "registration_deadline": "", "description": "Trois heures.",
            "questions": "Quel outil utilisez-vous ?\nVos attentes ?"}


def test_manager_creates_publishes_closes_and_reopens(app, client, auth, make):
    organization = make.organization()
    manager = make.user("manager", organization)
    auth.sign_in(manager)
    day = (timeutil.now() + timedelta(days=20)).date()
    response = post_form(client, "/events/manage/new", _new_event_form(organization.id, day))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        created = db.session.scalars(db.select(Event)).one()
        event_id = created.id
        assert (created.status, created.capacity, created.languages) == ("draft", 30, "fr en")
        assert created.question_list == ["Quel outil utilisez-vous ?", "Vos attentes ?"]
        assert timeutil.to_local(created.starts_at).strftime("%H:%M") == "09:30"
    # A draft is not public.
    assert client.get(f"/events/{event_id}").status_code == 404
    page = client.get(f"/events/manage/{event_id}").get_data(as_text=True)
    assert "Publier" in page
    token = csrf_token(client, f"/events/manage/{event_id}")
    assert client.post(f"/events/manage/{event_id}/publish", data={"csrf_token": token}).status_code == 302
    assert event(app, event_id).status == "open"
    assert client.get(f"/events/{event_id}").status_code == 200
    client.post(f"/events/manage/{event_id}/close", data={"csrf_token": token})
    assert event(app, event_id).status == "closed"
    public = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Inscriptions fermées" in public and f"/events/{event_id}/register" not in public
    client.post(f"/events/manage/{event_id}/reopen", data={"csrf_token": token})
    assert event(app, event_id).status == "open"


def test_sessions_are_added_and_the_last_one_stays(app, client, auth, make):
    organization = make.organization()
    manager = make.user("manager", organization)
    event_id = make_event(app, organization, publish=False)
    auth.sign_in(manager)
    day = (timeutil.now() + timedelta(days=40)).date()
    token = csrf_token(client, f"/events/manage/{event_id}")
    response = client.post(f"/events/manage/{event_id}/sessions", data={
        "csrf_token": token, "day": day.isoformat(), "start_time": "13:00", "end_time": "15:00"})
    assert response.status_code == 302
    created = event(app, event_id)
    with app.app_context():
        row = db.session.get(Event, event_id)
        assert len(row.sessions) == 2
        assert timeutil.to_local(row.ends_at).date() == day
        first, second = row.sessions
    client.post(f"/events/manage/{event_id}/sessions/{second.id}/remove", data={"csrf_token": token})
    response = client.post(f"/events/manage/{event_id}/sessions/{first.id}/remove", data={"csrf_token": token},
                           follow_redirects=True)
    assert "garde au moins une séance" in response.get_data(as_text=True)
    with app.app_context():
        assert [s.id for s in db.session.get(Event, event_id).sessions] == [first.id]
    assert created.sequence == 1


def test_a_time_skipped_by_the_clock_change_is_refused(app, client, auth, make):
    organization = make.organization()
    auth.sign_in(make.user("manager", organization))
    form = _new_event_form(organization.id, timeutil.now().date())
    form.update(day="2030-03-10", start_time="02:30", end_time="04:00")
    response = post_form(client, "/events/manage/new", form)
    assert response.status_code == 400
    assert "existe pas le 10 mars 2030 au Québec" in response.get_data(as_text=True)


def test_capacity_cannot_go_below_the_seats_taken(app, client, auth, make):
    from tests.events_helpers import register

    organization = make.organization()
    manager = make.user("manager", organization)
    event_id = make_event(app, organization, capacity=3)
    for n in range(2):
        register(app.test_client(), event_id, email=f"p{n}@coop.example")
    auth.sign_in(manager)
    form = {"title": "Midi", "kind": "webinar", "organization_id": organization.id, "languages": "fr",
            "mode": "virtual", "place": "", "region_code": "", "meeting_url": "", "capacity": "1",
            "registration_deadline": "", "description": "", "questions": ""}
    response = post_form(client, f"/events/manage/{event_id}/edit", form)
    assert response.status_code == 400
    assert "ont déjà une place" in response.get_data(as_text=True)


def test_another_organization_sees_no_event(app, client, auth, make):
    organization = make.organization()
    event_id = make_event(app, organization, publish=False)
    auth.sign_in(make.user("manager", make.organization()))
    assert client.get(f"/events/manage/{event_id}").status_code == 404
    assert "Midi numérique" not in client.get("/events/manage").get_data(as_text=True)
