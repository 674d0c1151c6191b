"""Bad input gets a clear, translated error next to its field and changes nothing."""
import html
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from crm.cohorts.models import Cohort, ProgrammeSession, SessionChange
from crm.extensions import db
from tests.cohorts_helpers import freeze, make_cohort, make_session
from tests.conftest import post_form


@pytest.fixture
def planner(app, make, auth):
    org = make.organization()
    manager = make.user(role="manager", organization=org)
    coach = make.user(role="coach", organization=org)
    enterprises = [make.enterprise(org) for _ in range(3)]
    cohort = make_cohort(app, org, facilitators=[coach], enterprises=enterprises,
                         start=date(2027, 3, 1), end=date(2027, 11, 30))
    auth.sign_in(manager)
    return org, manager, coach, cohort


def _session_form(coach, **overrides):
    data = {"title": "Atelier", "start_date": "2027-10-14", "start_time": "09:00", "end_date": "",
            "end_time": "12:00", "mode": "virtual", "place": "", "meeting_url": "https://visio.example.org/a",
            "facilitator_id": coach.id, "agenda": ""}
    return {**data, **overrides}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _error_of(page: str, field: str) -> str:
    start = page.index(f'id="{field}-error"')
    return html.unescape(page[start:page.index("</p>", start)])


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"start_time": "02:30", "start_date": "2027-03-14", "end_time": "04:00"}, "start_time",
     "2\xa0h\xa030 n'existe pas le 14 mars 2027 au Québec"),
    ({"end_time": "08:00"}, "end_time", "La fin doit être après le début."),
    ({"start_date": "2027-12-01"}, "start_date", "La séance doit avoir lieu entre les dates de la cohorte."),
    ({"start_date": "2027-14-01"}, "start_date", "date"),
    ({"end_time": "25:00"}, "end_time", "horaire valide"),
    ({"meeting_url": "pas une adresse"}, "meeting_url", "https://example.org"),
])
def test_session_times_are_checked_with_clear_messages(app, client, planner, overrides, field, message):
    _org, _manager, coach, cohort = planner
    before = _count(app, ProgrammeSession)
    response = post_form(client, f"/cohorts/{cohort}/sessions/new", _session_form(coach, **overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message.lower() in _error_of(page, field).lower()
    assert "rien n'a été enregistré" in page.lower()
    assert _count(app, ProgrammeSession) == before


def test_an_ambiguous_november_time_takes_the_first_occurrence_and_says_so(app, client, planner):
    _org, _manager, coach, cohort = planner
    page = client.get(f"/cohorts/{cohort}/sessions/new").get_data(as_text=True)
    assert "première occurrence (heure avancée)" in page  # the hint, before anyone types
    response = post_form(client, f"/cohorts/{cohort}/sessions/new", _session_form(
        coach, start_date="2027-11-07", start_time="01:30", end_time="02:30"), follow_redirects=True)
    assert "la première occurrence, à l'heure avancée, a été retenue" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        session = db.session.scalars(select(ProgrammeSession)).one()
        # 01:30 EDT (UTC−4) is 05:30 UTC; 02:30 happens once, in EST: 07:30 UTC. Two real hours.
        assert (session.starts_utc, session.ends_utc, session.duration_minutes) == (
            datetime(2027, 11, 7, 5, 30, tzinfo=UTC), datetime(2027, 11, 7, 7, 30, tzinfo=UTC), 120)


def test_cohort_capacity_cannot_go_below_its_enterprises_nor_dates_be_reversed(app, client, planner):
    org, _manager, coach, cohort = planner
    base = {"name": "Cohorte test", "kind": "coaching_collective", "organization_id": org.id,
            "facilitator_ids": [coach.id], "start_date": "2027-03-01", "end_date": "2027-11-30", "capacity": "3",
            "mode": "virtual", "place": "", "region_code": "", "status": "running", "description": ""}
    response = post_form(client, f"/cohorts/{cohort}/edit", {**base, "capacity": "2"})
    assert response.status_code == 400
    assert "compte déjà 3 entreprises" in _error_of(response.get_data(as_text=True), "capacity")
    response = post_form(client, f"/cohorts/{cohort}/edit", {**base, "end_date": "2027-02-01"})
    assert "égale ou postérieure" in _error_of(response.get_data(as_text=True), "end_date")
    response = post_form(client, "/cohorts/new", {**base, "mode": "in_person"})
    assert "Indiquez le lieu" in _error_of(response.get_data(as_text=True), "place")
    make_session(app, cohort_id=cohort, day=date(2027, 11, 20))
    response = post_form(client, f"/cohorts/{cohort}/edit", {**base, "end_date": "2027-11-10"})
    assert "reportez-les d'abord" in _error_of(response.get_data(as_text=True), "start_date")
    with app.app_context():
        saved = db.session.get(Cohort, cohort)
        assert (saved.capacity, saved.end_date) == (60, date(2027, 11, 30))
    assert post_form(client, f"/cohorts/{cohort}/edit", {**base, "capacity": "3"}).status_code == 302


def test_reschedule_and_cancel_are_recorded_and_bump_the_sequence(app, client, planner, monkeypatch):
    _org, _manager, coach, cohort = planner
    freeze(monkeypatch, datetime(2027, 10, 1, 9))
    session_id = make_session(app, cohort_id=cohort, facilitator=coach, day=date(2027, 10, 14))
    url = f"/sessions/{session_id}"
    form = client.get(f"{url}/reschedule").get_data(as_text=True)
    assert 'value="2027-10-14"' in form and 'value="09:00"' in form
    bad = post_form(client, f"{url}/reschedule", {"start_date": "2027-03-14", "start_time": "02:15",
                                                  "end_time": "03:30", "reason": ""})
    assert bad.status_code == 400 and "existe pas le 14 mars 2027" in bad.get_data(as_text=True)
    response = post_form(client, f"{url}/reschedule", {"start_date": "2027-10-21", "start_time": "13:00",
                                                       "end_time": "16:30", "reason": "Salle occupée"})
    assert response.status_code == 302
    response = post_form(client, f"{url}/cancel", {"reason": "Tempête de neige"}, page=url)
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Annulée" in page and "Salle occupée" in page and "Tempête de neige" in page
    assert post_form(client, f"{url}/reschedule", {"start_date": "2027-10-22", "start_time": "13:00",
                                                   "end_time": "14:00"}, page=url).status_code == 400
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        assert session.status == "cancelled" and session.sequence == 2
        assert (session.starts_utc, session.duration_minutes) == (datetime(2027, 10, 21, 17, tzinfo=UTC), 210)
        kinds = db.session.scalars(select(SessionChange.kind).where(SessionChange.session_id == session_id)
                                   .order_by(SessionChange.id)).all()
        assert kinds == ["created", "rescheduled", "cancelled"]
        from crm.audit.models import AuditEntry

        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "sessions")))
        assert {"reschedule", "cancel"} <= actions


def test_attendance_waits_for_the_session_and_accepts_only_its_enterprises(app, client, planner, monkeypatch):
    _org, _manager, coach, cohort = planner
    session_id = make_session(app, cohort_id=cohort, facilitator=coach, day=date(2027, 10, 14))
    freeze(monkeypatch, datetime(2027, 10, 14, 8))
    url = f"/sessions/{session_id}/attendance"
    assert "une fois la séance commencée" in client.get(url).get_data(as_text=True)
    freeze(monkeypatch, datetime(2027, 10, 14, 12, 5))
    response = post_form(client, url, {"status-999999": "present"})
    assert response.status_code == 400 and "pour chaque entreprise" in response.get_data(as_text=True)


def test_unknown_calendar_parameters_are_not_found(client, planner):
    for url in ("/calendar/month?month=2027-13", "/calendar/month?month=abc", "/calendar/week?date=hier"):
        assert client.get(url).status_code == 404, url


def test_a_refusal_without_a_field_shows_above_the_form_and_saves_nothing(app, client, planner):
    _org, _manager, coach, cohort = planner
    with app.app_context():
        db.session.get(Cohort, cohort).status = "cancelled"
        db.session.commit()
    before = _count(app, ProgrammeSession)
    response = post_form(client, f"/cohorts/{cohort}/sessions/new", _session_form(coach),
                         page=f"/cohorts/{cohort}")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert '<p class="error" role="alert">Cette cohorte est annulée : aucune séance ne peut être planifiée.</p>' in page
    assert "rien n'a été enregistré" in page.lower()
    assert page.count("aucune séance ne peut être planifiée") == 1  # next to the form, not flashed as well
    assert _count(app, ProgrammeSession) == before
