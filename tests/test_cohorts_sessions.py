"""Individual coaching through the routes, session edits, leaving and re-joining a cohort."""
from datetime import date, datetime

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.cohorts import queries
from crm.cohorts.models import CohortMembership, ProgrammeSession
from crm.extensions import db
from tests.cohorts_helpers import freeze, make_cohort, make_session
from tests.conftest import post_form


def test_a_coach_plans_individual_coaching_and_attended_hours_are_counted(app, client, auth, make, monkeypatch):
    freeze(monkeypatch, datetime(2027, 11, 1, 8))
    org = make.organization()
    coach = make.user(role="coach", organization=org)
    enterprise = make.enterprise(org, coach=coach, contacts=1)
    auth.sign_in(coach)
    response = post_form(client, f"/enterprises/{enterprise.id}/sessions/new", {
        "title": "Accompagnement : site transactionnel", "start_date": "2027-11-06", "start_time": "23:00",
        "end_date": "2027-11-07", "end_time": "01:30", "mode": "virtual", "place": "",
        "meeting_url": "https://visio.example.org/x", "facilitator_id": coach.id, "agenda": ""},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Séance planifiée." in page and "heure avancée" in page
    with app.app_context():
        session = db.session.scalars(select(ProgrammeSession)).one()
        # 23:00 EDT to 01:30 (first occurrence, EDT): two and a half hours.
        assert (session.enterprise_id, session.duration_minutes) == (enterprise.id, 150)
    freeze(monkeypatch, datetime(2027, 11, 7, 9))
    response = post_form(client, f"/sessions/{session.id}/attendance", {f"status-{enterprise.id}": "present"})
    assert response.status_code == 302
    with app.app_context():
        assert dict(db.session.execute(queries.coaching_hours([enterprise.id])).all()) == {enterprise.id: 150}
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.enterprise_id == enterprise.id,
                                                                  AuditEntry.action == "attendance")).all()


def test_editing_details_bumps_the_sequence_and_keeps_times(app, client, auth, make):
    org = make.organization()
    manager = make.user(role="manager", organization=org)
    coach = make.user(role="coach", organization=org)
    cohort = make_cohort(app, org, facilitators=[coach])
    session_id = make_session(app, cohort_id=cohort, facilitator=coach)
    auth.sign_in(manager)
    url = f"/sessions/{session_id}/edit"
    assert 'value="Séance test"' in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {"title": "Séance renommée", "mode": "in_person", "place": "Magog",
                                       "meeting_url": "", "facilitator_id": coach.id, "agenda": "Nouveau"})
    assert response.status_code == 302
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        assert (session.title, session.place, session.sequence, session.duration_minutes) == (
            "Séance renommée", "Magog", 1, 180)


def test_an_enterprise_leaves_with_a_date_and_can_join_again_later(app, client, auth, make, monkeypatch):
    freeze(monkeypatch, datetime(2027, 10, 20, 9))
    org = make.organization()
    manager = make.user(role="manager", organization=org)
    enterprise = make.enterprise(org, name="Coop Va-et-vient")
    cohort = make_cohort(app, org, enterprises=[enterprise], capacity=1)
    with app.app_context():
        membership = db.session.scalars(select(CohortMembership.id)).one()
    auth.sign_in(manager)
    url = f"/cohorts/{cohort}"
    bad = post_form(client, f"{url}/members/{membership}/leave", {"left_on": "2027-08-01"}, page=url,
                    follow_redirects=True)
    assert "ne peut pas précéder la date d&#39;arrivée" in bad.get_data(as_text=True)
    post_form(client, f"{url}/members/{membership}/leave", {"left_on": "2027-10-15"}, page=url)
    page = client.get(url).get_data(as_text=True)
    assert "Anciennes membres" in page and "0 sur 1" in page
    post_form(client, f"{url}/members", {"enterprise_id": enterprise.id}, page=url)
    with app.app_context():
        rows = db.session.scalars(select(CohortMembership).order_by(CohortMembership.id)).all()
        assert [(m.joined_on, m.left_on) for m in rows] == [(date(2027, 9, 1), date(2027, 10, 15)),
                                                             (date(2027, 10, 20), None)]
    assert post_form(client, f"{url}/members/999999/leave", {"left_on": "2027-10-21"}, page=url).status_code == 404


def test_only_the_current_menu_entry_is_marked(client, auth, make):
    auth.sign_in(make.user(role="manager"))
    page = client.get("/calendar/mine").get_data(as_text=True)
    assert page.count('aria-current="page"') == 1
    assert 'href="/calendar/mine" aria-current="page">Mes séances' in page
    assert 'href="/cohorts" aria-current="page">Cohortes' in client.get("/cohorts/new").get_data(as_text=True)
    week = client.get("/calendar/week").get_data(as_text=True)
    assert week.count('aria-current="page"') == 1
    assert 'href="/calendar/month" aria-current="page">Calendrier' in week  # not "Cohortes"
