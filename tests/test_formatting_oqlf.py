"""Times and dates as Québec French writes them (OQLF): « 9 h », « 14 h 30 », « le 1er décembre »;
English as Babel writes it ("9:00 AM"). The one helper, then a page and an email that use it."""
from datetime import UTC, date, datetime, time, timedelta

import pytest

from crm.events import emails
from crm.extensions import db
from crm.formatting import clock, format_datetime, format_day, time_span_filter
from crm.i18n import force_locale
from crm.reminders import planning, sending
from tests.events_helpers import make_event, register
from tests.reminders_helpers import build_world, plain


@pytest.mark.parametrize(("at", "french", "english"), [
    (time(9, 0), "9 h", "9:00 AM"),
    (time(14, 30), "14 h 30", "2:30 PM"),
    (time(0, 5), "0 h 05", "12:05 AM"),
    (time(23, 59, 59), "23 h 59", "11:59 PM"),  # seconds are not written
])
def test_clock_writes_the_time_of_day_in_each_language(app, at, french, english):
    with app.app_context():
        assert clock(at, "fr") == french.replace(" ", "\xa0")  # no-break spaces: « 14 h 30 » never splits
        assert plain(clock(at, "en")) == english


def test_clock_reads_stored_instants_in_quebec_time(app):
    with app.app_context():
        assert clock(datetime(2026, 12, 1, 14, 0, tzinfo=UTC), "fr") == "9\xa0h"  # UTC−5 in winter
        assert clock(datetime(2026, 7, 1, 13, 30), "fr") == "9\xa0h\xa030"  # naive = UTC; UTC−4 in summer


def test_the_first_of_the_month_is_an_ordinal_in_french_only(app):
    with app.app_context():
        assert format_day(date(2026, 12, 1), "full", "fr") == "mardi 1er décembre 2026"
        assert format_day(date(2026, 12, 1), "long", "fr") == "1er décembre 2026"
        assert format_day(date(2026, 12, 1), "medium", "fr") == "1er déc. 2026"
        assert format_day(date(2026, 12, 2), "full", "fr") == "mercredi 2 décembre 2026"
        assert format_day(date(2026, 12, 11), "long", "fr") == "11 décembre 2026"  # not « 11er »
        assert format_day(date(2026, 12, 1), "short", "fr") == "01/12/2026"  # figures only: no ordinal
        assert format_day(date(2026, 12, 1), "full", "en") == "Tuesday, December 1, 2026"
        assert format_day(date(2026, 12, 2), "long", "en") == "December 2, 2026"


def test_dates_with_times_and_spans(app):
    start, end = datetime(2026, 12, 1, 14, 0, tzinfo=UTC), datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("fr"):
        assert plain(format_datetime(start, "medium")) == "1er déc. 2026, 9 h"
        assert plain(time_span_filter(start, end)) == "1er décembre 2026, 9 h – 12 h 30"
    with app.test_request_context(), force_locale("en"):
        assert plain(format_datetime(start, "medium")) == "Dec 1, 2026, 9:00 AM"
        assert plain(time_span_filter(start, end)) == "December 1, 2026, 9:00 AM – 12:30 PM"


# Tuesday 1 December 2026, 9:00 to 11:00 in Québec (UTC−5).
NINE = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def test_a_session_page_and_the_calendar_show_nine_h(app, make, client, auth, monkeypatch):
    monkeypatch.setattr("crm.db.utcnow", lambda: datetime(2026, 11, 20, 12, tzinfo=UTC))
    world = build_world(app, make, starts=NINE, ends=NINE + timedelta(hours=2))
    auth.sign_in(world.manager)
    page = plain(client.get(f"/sessions/{world.session_id}").get_data(as_text=True))
    assert "1er décembre 2026, 9 h – 11 h" in page
    assert "09 h 00" not in page and "09:00" not in page
    week = plain(client.get("/calendar/week?date=2026-12-01").get_data(as_text=True))
    assert '<span class="calendar-time">9 h</span> Atelier commerce en ligne' in week
    month = client.get("/calendar/month?month=2026-12").get_data(as_text=True)
    assert 'aria-label="mardi 1er décembre 2026">1er</a>' in month  # the visible text is in the name
    assert 'aria-label="mercredi 2 décembre 2026">2</a>' in month


def test_a_reminder_email_says_nine_h_on_the_first(app, make, smtp_server):
    world = build_world(app, make, starts=NINE, ends=NINE + timedelta(hours=2))
    with app.app_context():
        planning.plan_all(NINE - timedelta(days=8))
        db.session.commit()
        sending.send_due(now=NINE - timedelta(days=7) + timedelta(minutes=1), me="sender")
    french = smtp_server.mailbox.to("contact")[0]
    assert plain(french["Subject"]) == "Rappel : Atelier commerce en ligne le mardi 1er décembre 2026 à 9 h"
    text = plain(french.get_body(("plain",)).get_content())
    assert "Heure : de 9 h à 11 h (heure du Québec)" in text
    english = smtp_server.mailbox.to(world.coach.email)[0]
    assert plain(english["Subject"]) == "Reminder: Atelier commerce en ligne on Tuesday, December 1, 2026 at 9:00 AM"


def test_an_event_confirmation_says_nine_h_on_the_first_and_comes_from_its_organization(
        app, client, make, smtp_server, monkeypatch):
    nine = datetime(2027, 12, 1, 14, 0, tzinfo=UTC)  # Wednesday 1 December 2027, 9:00 in Québec
    monkeypatch.setattr("crm.db.utcnow", lambda: nine - timedelta(days=30))
    event_id = make_event(app, make.organization(name="Pôle de l'Estrie"), starts_in=timedelta(days=30))
    register(client, event_id)
    with app.app_context():
        assert emails.send_due(me="sender", now=nine - timedelta(days=30)) == 1
    (email,) = smtp_server.mailbox.to("lea@coop.example")
    assert plain(email["Subject"]).endswith("l'infonuagique le mercredi 1er décembre 2027")
    text = plain(email.get_body(("plain",)).get_content())
    assert "Date : mercredi 1er décembre 2027, de 9 h à 10 h (heure du Québec)" in text
    assert email["From"].addresses[0].display_name == "Virage — Pôle de l'Estrie"
