"""Locale-aware formatting for templates: dates in Québec time, numbers, money, labels."""
from flask import Flask
from flask_babel import format_currency as _format_currency
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
    get_locale,
)

from crm import reference
from crm.db import as_utc


def date_filter(value, format="long"):  # noqa: A002 - Jinja filter argument name
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return format_date(as_utc(value).astimezone(_tz()).date(), format)
    return format_date(value, format)


def datetime_filter(value, format="medium"):  # noqa: A002
    return "" if value is None else format_datetime(as_utc(value), format)


def time_filter(value, format="short"):  # noqa: A002
    return "" if value is None else format_time(as_utc(value), format)


def number_filter(value):
    return "" if value is None else format_decimal(value)


def percent_filter(value, digits=1):
    if value is None:
        return ""
    return format_percent(value, format="#,##0." + "#" * digits + " %" if digits else "#,##0 %")


def money_filter(value):
    return "" if value is None else _format_currency(value, "CAD")


def _tz():
    from flask_babel import get_timezone

    return get_timezone()


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=date_filter,
        datetime=datetime_filter,
        time=time_filter,
        number=number_filter,
        percent=percent_filter,
        money=money_filter,
        stage_label=lambda code: reference.label(reference.STAGES, code),
        region_label=reference.region_label,
        legal_form_label=lambda code: reference.label(reference.LEGAL_FORMS, code),
        role_label=lambda code: reference.label(reference.ROLES, code),
        language_label=lambda code: reference.label(reference.LANGUAGES, code),
    )
    app.jinja_env.globals.update(reference=reference, get_locale=lambda: str(get_locale()))
