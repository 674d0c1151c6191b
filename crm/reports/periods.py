"""The report pack's periods: the Québec government's fiscal year (April 1 to March 31), the start of
the programme, or any dates.

Periods are Québec dates, inclusive: ``ReportScope.start`` and ``end`` turn them into UTC instants at
Québec's midnight (crm.domain.local_midnight), so a stage change at 00:30 on April 1 in Québec
(04:30 UTC, daylight time) belongs to the new fiscal year, one at 23:30 on March 31 (03:30 UTC the
next day) to the one that ends.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select

from crm.db import as_utc
from crm.domain import QUEBEC
from crm.enterprises.models import StageChange
from crm.extensions import db
from crm.i18n import _

FISCAL_YEAR_FIRST_MONTH = 4  # the Québec government's fiscal year begins on April 1

CURRENT_FISCAL_YEAR = "fiscal_current"
PREVIOUS_FISCAL_YEAR = "fiscal_previous"
SINCE_START = "programme"
CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    date_from: date | None
    date_to: date | None


def fiscal_year_of(day: date) -> Period:
    """The fiscal year that holds ``day`` (a Québec date)."""
    first_year = day.year if day.month >= FISCAL_YEAR_FIRST_MONTH else day.year - 1
    return Period(date(first_year, FISCAL_YEAR_FIRST_MONTH, 1), date(first_year + 1, FISCAL_YEAR_FIRST_MONTH - 1, 31))


def fiscal_year_name(period: Period) -> str:
    return _("Fiscal year %(first)s-%(last)s", first=period.date_from.year, last=period.date_to.year)


def today_in_quebec() -> date:
    return datetime.now(QUEBEC).date()


def programme_start() -> date | None:
    """``PROGRAMME_START`` when set, else the Québec date of the earliest stage change (one query)."""
    configured = current_app.config.get("PROGRAMME_START")
    if configured:
        return configured if isinstance(configured, date) else date.fromisoformat(str(configured))
    first = db.session.scalar(select(func.min(StageChange.changed_at)))
    return as_utc(first).astimezone(QUEBEC).date() if first else None


def resolve(preset: str, date_from: date | None, date_to: date | None, *, today: date | None = None) -> Period:
    """The dates a preset stands for; ``custom`` keeps the dates given."""
    today = today or today_in_quebec()
    if preset == CURRENT_FISCAL_YEAR:
        return fiscal_year_of(today)
    if preset == PREVIOUS_FISCAL_YEAR:
        current = fiscal_year_of(today)
        return fiscal_year_of(date(current.date_from.year - 1, FISCAL_YEAR_FIRST_MONTH, 1))
    if preset == SINCE_START:
        return Period(programme_start(), today)
    return Period(date_from, date_to)
