"""Private calendar feeds and .ics files: parse with icalendar, right local times, revocable tokens."""
import re
from datetime import date, datetime, time, timedelta

from icalendar import Calendar
from sqlalchemy import select

from crm.cohorts.models import CalendarFeed
from crm.extensions import db
from tests.cohorts_helpers import freeze, make_cohort, make_session
from tests.conftest import post_form


def _feed_url(client) -> str:
    response = post_form(client, "/calendar/feed", {}, page="/calendar/mine", follow_redirects=True)
    match = re.search(r'id="feed-url" readonly value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the new address is shown once"
    return match.group(1).replace("http://localhost", "")


def test_private_feed_lists_visible_sessions_and_dies_when_revoked_or_regenerated(app, client, auth, make,
                                                                                  monkeypatch):
    freeze(monkeypatch, datetime(2027, 10, 1, 9))
    org = make.organization()
    coach = make.user(role="coach", organization=org)
    enterprise = make.enterprise(org, coach=coach)
    cohort = make_cohort(app, org, facilitators=[coach], enterprises=[enterprise])
    make_session(app, cohort_id=cohort, facilitator=coach, day=date(2027, 11, 8), start=time(9), end=time(11),
                 title="Après le changement d'heure")
    make_session(app, enterprise_id=enterprise.id, facilitator=coach, day=date(2027, 10, 20), start=time(14),
                 end=time(15, 30), title="Accompagnement individuel")
    make_session(app, cohort_id=make_cohort(app, make.organization()), title="Ailleurs")
    auth.sign_in(coach)
    url = _feed_url(client)
    assert "ne sera plus affichée" not in client.get("/calendar/mine").get_data(as_text=True)
    assert url not in client.get("/calendar/mine").get_data(as_text=True)  # shown once only
    with app.app_context():
        stored = db.session.scalars(select(CalendarFeed.token_hash)).one()
    assert url.rsplit("/", 1)[1].removesuffix(".ics") not in stored  # only a hash is kept
    auth.logout()

    response = client.get(url)  # no session: calendar applications do not sign in
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Après le changement d'heure", "Accompagnement individuel"}
    start = events["Après le changement d'heure"].decoded("DTSTART")
    assert (start.hour, start.utcoffset()) == (9, timedelta(hours=-5))
    start = events["Accompagnement individuel"].decoded("DTSTART")
    assert (start.hour, start.minute, start.utcoffset()) == (14, 0, timedelta(hours=-4))

    auth.sign_in(coach)
    second = _feed_url(client)
    assert client.get(url).status_code == 404  # regenerating replaces the old address
    assert client.get(second).status_code == 200
    post_form(client, "/calendar/feed/revoke", {}, page="/calendar/mine")
    assert client.get(second).status_code == 404
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404


def test_ics_of_a_cancelled_session_keeps_its_uid_with_a_higher_sequence(app, client, auth, make, monkeypatch):
    freeze(monkeypatch, datetime(2027, 3, 1, 9))
    org = make.organization()
    manager = make.user(role="manager", organization=org)
    cohort = make_cohort(app, org, start=date(2027, 3, 1), end=date(2027, 4, 30))
    session_id = make_session(app, cohort_id=cohort, day=date(2027, 3, 15), start=time(9), end=time(10))
    auth.sign_in(manager)
    first = Calendar.from_ical(client.get(f"/sessions/{session_id}.ics").data).walk("VEVENT")[0]
    assert first.decoded("DTSTART").utcoffset() == timedelta(hours=-4)  # the day after the change in March
    post_form(client, f"/sessions/{session_id}/cancel", {"reason": ""}, page=f"/sessions/{session_id}")
    response = client.get(f"/sessions/{session_id}.ics")
    assert 'filename="seance-' in response.headers["Content-Disposition"]
    cancelled = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(cancelled["UID"]) == str(first["UID"])
    assert int(cancelled["SEQUENCE"]) == int(first["SEQUENCE"]) + 1 and str(cancelled["STATUS"]) == "CANCELLED"


def test_month_and_week_views_show_cancelled_sessions_struck_and_navigate(app, client, auth, make, monkeypatch):
    freeze(monkeypatch, datetime(2027, 10, 1, 9))
    org = make.organization()
    coach = make.user(role="coach", organization=org)
    cohort = make_cohort(app, org, facilitators=[coach])
    make_session(app, cohort_id=cohort, facilitator=coach, day=date(2027, 10, 31), start=time(23, 30),
                 end=time(23, 59), title="Tard le soir")
    auth.sign_in(coach)
    month = client.get("/calendar/month").get_data(as_text=True)
    assert "octobre 2027" in month and "Tard le soir" in month and "?month=2027-11" in month
    week = client.get("/calendar/week?date=2027-10-31").get_data(as_text=True)
    assert re.search(r"dimanche 31 octobre 2027</th>\s*<td>\s*<p[^>]*>\s*<a[^>]*><span[^>]*>23\sh\s30", week)
    assert "?date=2027-11-01" in week
