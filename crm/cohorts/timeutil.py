"""Québec local time ⇄ UTC, with the daylight-saving edge cases spelled out.

Forms take a local date and time in America/Montreal; the database stores UTC.
- A local time skipped in March (clocks jump from 2:00 to 3:00) does not exist: refused.
- A local time repeated in November (1:00 to 1:59 happens twice) is ambiguous: the FIRST
  occurrence (daylight time, UTC−4) is used, and the form says so.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from crm import db as _db
from crm.domain import QUEBEC


def now() -> datetime:
    """The current time in UTC; tests replace ``crm.db.utcnow`` through this one door."""
    return _db.utcnow()


class NonexistentLocalTime(ValueError):
    """The local time falls in the hour skipped when clocks move forward."""


@dataclass(frozen=True)
class LocalTime:
    utc: datetime
    ambiguous: bool  # True when the local time happened twice and the first was taken


def to_utc(day: date, at: time) -> LocalTime:
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=QUEBEC, fold=0)
    utc = first.astimezone(UTC)
    # A skipped time does not survive the round trip through UTC.
    if utc.astimezone(QUEBEC).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(naive)
    ambiguous = first.utcoffset() != naive.replace(tzinfo=QUEBEC, fold=1).utcoffset()
    return LocalTime(utc=utc, ambiguous=ambiguous)


def to_local(value: datetime) -> datetime:
    return _db.as_utc(value).astimezone(QUEBEC)


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants covering local days ``first`` to ``last`` inclusive."""
    start = datetime.combine(first, time.min, tzinfo=QUEBEC).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=QUEBEC).astimezone(UTC)
    return start, end


def minutes_between(start: datetime, end: datetime) -> int:
    return int((_db.as_utc(end) - _db.as_utc(start)).total_seconds() // 60)
