"""iCalendar (.ics) for sessions: times in America/Montreal with its VTIMEZONE, stable UID/SEQUENCE."""
from datetime import date

from icalendar import Calendar, Event

from crm.cohorts import timeutil
from crm.db import as_utc
from crm.domain import QUEBEC

PRODID = "-//Virage//Cohortes et séances//FR"


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", QUEBEC.key)
    return calendar


def session_event(session, *, url: str | None = None, dtstamp=None) -> Event:
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", as_utc(dtstamp or session.updated_at))
    event.add("dtstart", timeutil.to_local(session.starts_at))
    event.add("dtend", timeutil.to_local(session.ends_at))
    event.add("summary", session.title)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    location = ", ".join(p for p in (session.place, session.meeting_url) if p)
    if location:
        event.add("location", location)
    description = "\n\n".join(p for p in (session.agenda, session.meeting_url, url) if p)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    return event


def calendar_bytes(sessions, *, name: str | None = None, url_for_session=None) -> bytes:
    """A calendar of ``sessions``; ``url_for_session(session)`` gives each one's page address."""
    calendar = _calendar(name)
    sessions = list(sessions)
    for session in sessions:
        calendar.add_component(session_event(session, url=url_for_session(session) if url_for_session else None))
    if sessions:
        first = min(timeutil.to_local(s.starts_at).date() for s in sessions)
        last = max(timeutil.to_local(s.ends_at).date() for s in sessions)
        calendar.add_missing_timezones(first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 1, 12, 31))
    return calendar.to_ical()
