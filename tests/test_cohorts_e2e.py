"""The issue's "Done when", through the real routes: a manager of the Estrie hub creates a
collective-coaching cohort of 8 enterprises, plans four sessions (one across the November time
change), a coach takes attendance on the first; the calendars and the .ics show the right local times.
"""
import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from crm.cohorts.models import Attendance, Cohort, CohortMembership, ProgrammeSession
from crm.domain import QUEBEC
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from tests.cohorts_helpers import freeze
from tests.conftest import csrf_token, post_form


def test_manager_builds_an_estrie_cohort_and_a_coach_takes_attendance(app, client, auth, make, monkeypatch):
    reses = make.organization(code="reses", name="Réseau des entreprises d'économie sociale de l'Estrie",
                              kind="regional", region_code="05")
    manager = make.user(role="manager", organization=reses, full_name="Luc Bérubé")
    coach = make.user(role="coach", organization=reses, full_name="Olivier Gauthier")
    enterprises = [make.enterprise(reses, coach=coach, stage="awareness", contacts=2, region_code="05",
                                   name=f"Coopérative Estrie {i}") for i in range(1, 9)]
    extra = make.enterprise(reses, stage="awareness", name="Coopérative Estrie 9", region_code="05")
    freeze(monkeypatch, datetime(2027, 9, 20, 10, 0))

    # 1. The manager creates the cohort.
    auth.sign_in(manager)
    response = post_form(client, "/cohorts/new", {
        "name": "Accompagnement collectif Estrie — automne 2027", "kind": "coaching_collective",
        "organization_id": reses.id, "facilitator_ids": [coach.id], "start_date": "2027-10-01",
        "end_date": "2027-12-15", "capacity": "8", "mode": "in_person", "place": "Sherbrooke, salle 2",
        "region_code": "05", "status": "planned", "description": "Huit entreprises, quatre séances.",
    })
    assert response.status_code == 302
    cohort_url = response.headers["Location"]
    cohort_id = int(cohort_url.rsplit("/", 1)[1])

    # 2. Assigns enterprises: two from the cohort page's search, six in bulk from the enterprise list.
    page = client.get(f"{cohort_url}?q=Estrie 1").get_data(as_text=True)
    assert "Coopérative Estrie 1" in page
    for enterprise in enterprises[:2]:
        response = post_form(client, f"{cohort_url}/members", {"enterprise_id": enterprise.id, "move_stage": "y"},
                             page=f"{cohort_url}?q=Estrie")
        assert response.status_code == 302
    response = post_form(client, "/cohorts/enrol", {
        "cohort_id": cohort_id, "enterprise_ids": [e.id for e in enterprises[2:]], "move_stage": "y",
        "next": "/cohorts?kind=coaching_collective"}, page=cohort_url)
    assert response.headers["Location"] == "/cohorts?kind=coaching_collective"
    # The ninth does not fit: a clear message, nothing changes.
    post_form(client, f"{cohort_url}/members", {"enterprise_id": extra.id, "move_stage": "y"}, page=cohort_url)
    page = client.get(cohort_url).get_data(as_text=True)
    assert "La cohorte est complète" in page
    assert "8 sur 8" in page
    with app.app_context():
        members = db.session.scalars(select(CohortMembership.enterprise_id)
                                     .where(CohortMembership.cohort_id == cohort_id)).all()
        assert sorted(members) == sorted(e.id for e in enterprises)
        moved = db.session.scalars(select(StageChange).where(StageChange.to_stage == "coaching_collective")).all()
        assert {c.enterprise_id for c in moved} == {e.id for e in enterprises}
        assert all(c.changed_by_id == manager.id for c in moved)
        assert db.session.get(Enterprise, extra.id).stage == "awareness"

    # 3. Plans four sessions, one across the night the clocks fall back (Sunday 7 November 2027).
    plans = [
        ("Séance 1 : diagnostic numérique", "2027-10-14", "09:00", "", "12:00"),
        ("Séance 2 : nuit du changement d'heure", "2027-11-06", "23:00", "2027-11-07", "03:00"),
        ("Séance 3 : plan d'action", "2027-11-18", "09:00", "", "12:00"),
        ("Séance 4 : bilan", "2027-12-02", "13:30", "", "16:00"),
    ]
    session_urls = []
    for title, day, start, end_day, end in plans:
        response = post_form(client, f"{cohort_url}/sessions/new", {
            "title": title, "start_date": day, "start_time": start, "end_date": end_day, "end_time": end,
            "mode": "in_person", "place": "Sherbrooke, salle 2", "facilitator_id": coach.id,
            "agenda": "Ordre du jour"})
        assert response.status_code == 302, response.get_data(as_text=True)
        session_urls.append(response.headers["Location"])
    with app.app_context():
        sessions = db.session.scalars(select(ProgrammeSession).where(ProgrammeSession.cohort_id == cohort_id)
                                      .order_by(ProgrammeSession.starts_at)).all()
        got = [(s.starts_utc, s.ends_utc, s.duration_minutes) for s in sessions]
    assert got == [
        (datetime(2027, 10, 14, 13, tzinfo=UTC), datetime(2027, 10, 14, 16, tzinfo=UTC), 180),
        # 23:00 daylight time to 03:00 standard time: five real hours, not four.
        (datetime(2027, 11, 7, 3, tzinfo=UTC), datetime(2027, 11, 7, 8, tzinfo=UTC), 300),
        (datetime(2027, 11, 18, 14, tzinfo=UTC), datetime(2027, 11, 18, 17, tzinfo=UTC), 180),
        (datetime(2027, 12, 2, 18, 30, tzinfo=UTC), datetime(2027, 12, 2, 21, tzinfo=UTC), 150),
    ]
    auth.logout()

    # 4. After the first session, the coach takes attendance.
    freeze(monkeypatch, datetime(2027, 10, 14, 12, 30))
    auth.sign_in(coach)
    first_url = session_urls[0]
    form_page = client.get(f"{first_url}/attendance").get_data(as_text=True)
    assert all(e.name in form_page for e in enterprises)
    with app.app_context():
        contact_id = db.session.get(Enterprise, enterprises[0].id).contacts[0].id
    marks = {f"status-{e.id}": "present" for e in enterprises[:6]}
    marks |= {f"status-{enterprises[6].id}": "absent", f"status-{enterprises[7].id}": "excused",
              f"contacts-{enterprises[0].id}": [contact_id]}
    response = post_form(client, f"{first_url}/attendance", marks)
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Attendance)).all()
        assert sorted(a.status for a in rows) == ["absent", "excused"] + ["present"] * 6
        assert [c.id for a in rows if a.enterprise_id == enterprises[0].id for c in a.contacts] == [contact_id]
        assert db.session.get(Cohort, cohort_id).name.startswith("Accompagnement collectif Estrie")
    cohort_page = client.get(cohort_url).get_data(as_text=True)
    assert cohort_page.count("100 %") == 6 and "0 %" in cohort_page
    assert ">À propos<" in cohort_page  # the section heading, not the access log's « Concerne »

    # 5. "Mes séances" lists the three upcoming sessions in Québec time.
    mine = client.get("/calendar/mine").get_data(as_text=True)
    assert "Séance 1" not in mine
    assert "Séance 2" in mine and "Séance 3" in mine and "Séance 4" in mine
    assert re.search(r"23\sh\s*–\s*7 novembre 2027, 3\sh", mine)

    # 6. The month and week views place the sessions at their local times.
    november = client.get("/calendar/month?month=2027-11").get_data(as_text=True)
    assert "novembre 2027" in november
    assert re.search(r"23\sh</span> Séance 2", november)
    assert re.search(r">9\sh</span> Séance 3", november)
    week = client.get("/calendar/week?date=2027-11-03").get_data(as_text=True)
    assert re.search(r"samedi 6 novembre 2027</th>\s*<td>\s*<p[^>]*>\s*<a[^>]*><span[^>]*>23\sh<", week)
    assert "Séance 3" not in week

    # 7. The .ics imports at the right local time, with its time zone.
    response = client.get(f"{session_urls[1]}.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Montreal"]
    event = calendar.walk("VEVENT")[0]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.replace(tzinfo=None) == datetime(2027, 11, 6, 23) and start.utcoffset() == timedelta(hours=-4)
    assert end.replace(tzinfo=None) == datetime(2027, 11, 7, 3) and end.utcoffset() == timedelta(hours=-5)
    assert start.astimezone(QUEBEC).tzname() == "EDT" and end.astimezone(QUEBEC).tzname() == "EST"
    assert str(event["SUMMARY"]) == "Séance 2 : nuit du changement d'heure"
    assert event["UID"] and int(event["SEQUENCE"]) == 0
    assert csrf_token(client, "/calendar/mine")  # the page still works after everything
