"""Locale-aware formatting for templates: dates in Québec time, numbers, money, labels.

Babel does the formatting; results are memoized per (value, format, locale), because Babel looks
up the locale's data and parses the pattern on every call (a month name cost 0.2 ms, a number
40 µs), and a dashboard formats hundreds of them.
"""
from datetime import date, datetime
from functools import lru_cache

from babel import dates, numbers
from flask import Flask

from crm import reference
from crm.db import as_utc
from crm.domain import QUEBEC
from crm.i18n import current_locale


@lru_cache(maxsize=16384)
def _babel(kind: str, value, format, locale: str):  # noqa: A002
    if kind == "date":
        return dates.format_date(value, format, locale=locale)
    if kind in ("datetime", "time"):
        formatter = dates.format_datetime if kind == "datetime" else dates.format_time
        return formatter(value, format, tzinfo=QUEBEC, locale=locale)
    if kind == "decimal":
        return numbers.format_decimal(value, format=format, locale=locale)
    if kind == "percent":
        return numbers.format_percent(value, format=format, locale=locale)
    return numbers.format_currency(value, format, locale=locale)  # kind "currency": format is the code


def format_date(value: date, format="medium") -> str:  # noqa: A002
    return _babel("date", value, format, current_locale())


def format_datetime(value: datetime, format="medium") -> str:  # noqa: A002
    return _babel("datetime", as_utc(value), format, current_locale())


def format_time(value: datetime, format="medium") -> str:  # noqa: A002
    return _babel("time", as_utc(value), format, current_locale())


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


def time_filter(value, format="short"):  # noqa: A002
    return "" if value is None else format_time(as_utc(value), format)


def time_span_filter(start, end) -> str:
    """From ``start`` to ``end`` in Québec time: "5 octobre 2027, 09:00–12:00", with the end's date
    only when it falls on another day. One call instead of four date and two time filters per row."""
    locale = current_locale()
    start, end = as_utc(start), as_utc(end)
    first = _babel("date", start.astimezone(QUEBEC).date(), "long", locale)
    last = _babel("date", end.astimezone(QUEBEC).date(), "long", locale)
    ending = _babel("time", end, "short", locale)
    return f"{first}, {_babel('time', start, 'short', locale)}–{ending if last == first else f'{last}, {ending}'}"


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
