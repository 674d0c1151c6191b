"""The event's sessions as iCalendar (.ics): attached to the confirmation, downloadable from the
public page. Times in America/Montreal with its VTIMEZONE; each session's UID is stable and the
event's SEQUENCE grows with each change."""
from datetime import date
from functools import lru_cache

from icalendar import Calendar, Event, Timezone

from crm.cohorts import timeutil
from crm.db import as_utc

PRODID = "-//Virage//Événements//FR"


def session_uid(event, session) -> str:
    return f"{session.id}-{event.uid}"


def calendar_bytes(event, *, url: str | None = None, meeting_url: str | None = None, dtstamp=None,
                   method: str = "PUBLISH") -> bytes:
    """The event's sessions; ``meeting_url`` only for the people registered."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    years = set()
    for session in event.sessions:
        entry = Event()
        entry.add("uid", session_uid(event, session))
        entry.add("sequence", event.sequence)
        entry.add("dtstamp", as_utc(dtstamp or event.updated_at))
        starts, ends = timeutil.to_local(session.starts_at), timeutil.to_local(session.ends_at)
        years.add(starts.year)
        entry.add("dtstart", starts)
        entry.add("dtend", ends)
        entry.add("summary", event.title)
        entry.add("status", "CONFIRMED")
        location = ", ".join(p for p in (event.place, meeting_url) if p)
        if location:
            entry.add("location", location)
        description = "\n\n".join(p for p in (event.description, meeting_url, url) if p)
        if description:
            entry.add("description", description)
        if url:
            entry.add("url", url)
        calendar.add_component(entry)
    if years:
        calendar.add_component(_quebec_timezone(min(years), max(years)))
    return calendar.to_ical()


@lru_cache(maxsize=16)
def _quebec_timezone(first_year: int, last_year: int) -> Timezone:
    """America/Montreal's VTIMEZONE over the years of the sessions: built once per process."""
    return Timezone.from_tzinfo(timeutil.QUEBEC, tzid="America/Montreal", first_date=date(first_year - 1, 1, 1),
                                last_date=date(last_year + 1, 12, 31))
