"""Locale-aware formatting for templates and emails: dates in Québec time, numbers, money, labels.

Times and dates follow Québec French usage (Office québécois de la langue française): « 9 h »,
« 14 h 30 », « 0 h 05 », « 1er décembre » (the first day of a month is an ordinal), with no-break
spaces so that « 14 h 30 » never splits across lines. English keeps Babel's own ("9:00 AM",
"December 1"). Pages (the Jinja filters below), emails and calendars all write times through
``clock`` and dates through ``format_date``.

Babel does the formatting; results are memoized per (value, format, locale), because Babel looks
up the locale's data and parses the pattern on every call (a month name cost 0.2 ms, a number
40 µs), and a dashboard formats hundreds of them.
"""
import re
from datetime import date, datetime, time
from functools import lru_cache

from babel import dates, numbers
from flask import Flask

from crm import reference
from crm.db import as_utc
from crm.domain import QUEBEC
from crm.i18n import current_locale

NBSP = "\u00a0"
# A lone « d » (day of the month) in a Babel date pattern, outside quoted literals.
_DAY_FIELD = re.compile(r"(?<![d'])d(?![d'])")


def _french_clock(value: time) -> str:
    """« 9 h », « 14 h 30 », « 0 h 05 »: the hour without a leading zero, minutes only when not zero."""
    if value.minute:
        return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"
    return f"{value.hour}{NBSP}h"


def _day_pattern(format, locale: str, day: int) -> str:  # noqa: A002
    """Babel's pattern for a named format (or ``format`` itself), with « 1er » for a month's first day."""
    try:
        pattern = dates.get_date_format(format, locale=locale).pattern
    except (KeyError, ValueError):  # not a named format: already a pattern ("MMMM y", "EEEE")
        pattern = format
    if locale.startswith("fr") and day == 1:
        pattern = _DAY_FIELD.sub("d'er'", pattern)
    return pattern


@lru_cache(maxsize=16384)
def _babel(kind: str, value, format, locale: str):  # noqa: A002
    if kind == "date":
        return dates.format_date(value, _day_pattern(format, locale, value.day), locale=locale)
    if kind == "time":  # value: a local wall-clock time
        return _french_clock(value) if locale.startswith("fr") else dates.format_time(value, "short", locale=locale)
    if kind == "datetime":  # value: an aware datetime; the date in ``format``, the time always short
        local = value.astimezone(QUEBEC)
        day = _babel("date", local.date(), format, locale)
        if format not in ("short", "medium", "long", "full"):
            return day
        return dates.get_datetime_format(format, locale=locale).format(_babel("time", local.time(), None, locale), day)
    if kind == "decimal":
        return numbers.format_decimal(value, format=format, locale=locale)
    if kind == "percent":
        return numbers.format_percent(value, format=format, locale=locale)
    return numbers.format_currency(value, format, locale=locale)  # kind "currency": format is the code


def format_date(value: date, format="medium") -> str:  # noqa: A002
    return _babel("date", value, format, current_locale())


def format_datetime(value: datetime, format="medium") -> str:  # noqa: A002
    """The date in ``format`` and the time of day (« 1er déc. 2026, 9 h »), in Québec time."""
    return _babel("datetime", as_utc(value), format, current_locale())


def clock(value: datetime | time, locale: str | None = None) -> str:
    """The time of day in Québec: « 9 h », « 14 h 30 » in French; "9:00 AM" in English.

    ``value``: an instant (naive values are UTC, as stored) or a wall-clock ``time``."""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(QUEBEC).time()
    return _babel("time", value.replace(second=0, microsecond=0, tzinfo=None), None, locale or current_locale())


def format_time(value: datetime, format="short") -> str:  # noqa: A002, ARG001 - one notation for every format
    return clock(value)


def format_day(value: date, format="full", locale: str | None = None) -> str:  # noqa: A002
    """A date in ``locale`` (default: the current one): « mardi 1er décembre 2026 »."""
    return _babel("date", value, format, locale or current_locale())


def format_decimal(value, format=None) -> str:  # noqa: A002
    return _babel("decimal", value, format, current_locale())


def format_percent(value, format=None) -> str:  # noqa: A002
    return _babel("percent", value, format, current_locale())


def _format_currency(value, currency: str) -> str:
    return _babel("currency", value, currency, current_locale())


def date_filter(value, format="long"):  # noqa: A002 - Jinja filter argument name
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return format_date(as_utc(value).astimezone(QUEBEC).date(), format)
    return format_date(value, format)


def datetime_filter(value, format="medium"):  # noqa: A002
    return "" if value is None else format_datetime(as_utc(value), format)


def time_filter(value, format="short"):  # noqa: A002, ARG001
    return "" if value is None else clock(value)


def time_span_filter(start, end) -> str:
    """From ``start`` to ``end`` in Québec time: « 5 octobre 2027, 9 h – 12 h », with the end's date
    only when it falls on another day. One call instead of four date and two time filters per row."""
    locale = current_locale()
    start, end = as_utc(start).astimezone(QUEBEC), as_utc(end).astimezone(QUEBEC)
    first = _babel("date", start.date(), "long", locale)
    last = _babel("date", end.date(), "long", locale)
    ending = clock(end, locale)
    # The spaced dash: « 9 h – 12 h » reads better than « 9 h–12 h » once times have spaces in them.
    return f"{first}, {clock(start, locale)} – {ending if last == first else f'{last}, {ending}'}"


def number_filter(value):
    return "" if value is None else format_decimal(value)


def percent_filter(value, digits=1):
    if value is None:
        return ""
    return format_percent(value, format="#,##0." + "#" * digits + " %" if digits else "#,##0 %")


def megabytes_filter(size_in_bytes) -> str:
    """A size in megabytes (10⁶ bytes), one decimal at least: « 10,0 » in French, "10.0" in English."""
    return format_decimal(size_in_bytes / 1_000_000, format="#,##0.0##")


def money_filter(value):
    return "" if value is None else _format_currency(value, "CAD")


def dollars_filter(value):
    """Whole dollars as the funder writes them: « 4 000 000 $ » in French, « $4,000,000 » in English."""
    if value is None:
        return ""
    amount = format_decimal(round(value))
    return f"{amount}\u00a0$" if current_locale() == "fr" else f"${amount}"


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=date_filter,
        datetime=datetime_filter,
        time=time_filter,
        time_span=time_span_filter,
        number=number_filter,
        percent=percent_filter,
        money=money_filter,
        dollars=dollars_filter,
        megabytes=megabytes_filter,
        stage_label=lambda code: reference.label(reference.STAGES, code),
        region_label=reference.region_label,
        legal_form_label=lambda code: reference.label(reference.LEGAL_FORMS, code),
        sector_label=lambda code: reference.label(reference.SECTORS, code),
        role_label=lambda code: reference.label(reference.ROLES, code),
        language_label=lambda code: reference.label(reference.LANGUAGES, code),
    )
    app.jinja_env.globals.update(reference=reference, get_locale=current_locale)
