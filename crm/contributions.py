"""What features answer the signals of crm/signals.py with: small types that belong to no feature.

A feature that adds an entry to the menu, a section to the enterprise page, a bulk action to the
enterprise list, terms to an enterprise's history or figures to the dashboard builds its answer
from this module alone; the feature that sends the signal reads the answers. Neither imports the
other.
"""
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select

from crm.db import as_utc
from crm.domain import local_midnight
from crm.formatting import date_filter, format_date, time_filter
from crm.i18n import _
from crm.reference import label

# --- signals.menu_items ---------------------------------------------------------------------------

def everyone(_user) -> bool:
    return True


# The header's groups of entries (crm/navigation.py): the daily work shows as links, each other
# group as a menu; « account » is the signed-in person's own link, beside the name.
MENU_GROUPS = ("work", "programme", "reports", "admin", "account")


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object  # a lazy string
    order: int
    shown_to: Callable = everyone  # a predicate of crm/access.py
    # Other pages under this entry (e.g. the week view under "Calendar").
    also: frozenset = frozenset()
    group: str = "work"  # one of MENU_GROUPS


# --- signals.enterprise_sections ------------------------------------------------------------------

# A section ordered below this comes right after the enterprise's profile; the others after the
# page's own sections (stage, timeline, follow-ups, diagnostics).
BESIDE_PROFILE = 20


@dataclass(frozen=True)
class SummaryItem:
    """A fact a section adds to the summary at the top of the enterprise page (« Prochaine séance »)."""

    label: object
    value: str
    url: str | None = None


@dataclass(frozen=True)
class Section:
    """A section of the enterprise page: its template, the context computed for it, its place.

    ``anchor`` and ``label`` (the id of its element and a short name) give it an entry in the page's
    local navigation; ``summary`` adds facts to the summary at the top of the page.
    """

    template: str
    context: dict
    order: int = 50
    anchor: str = ""
    label: object = None
    summary: tuple[SummaryItem, ...] = ()


# --- signals.enterprise_bulk_actions --------------------------------------------------------------

@dataclass(frozen=True)
class BulkAction:
    """An action on the enterprises ticked in the enterprise list (or all those its filters match).

    ``run(targets, form, actor)`` receives ``targets()``, which loads the targeted enterprises (limited
    by the access rules and the list's filters, and raises ``DomainError`` when there are none or too
    many), the submitted bulk form and the actor; it calls services (which flush), returns how many
    enterprises changed, and raises ``DomainError`` to refuse.
    """

    code: str
    label: object
    allowed: Callable[[object], bool]  # given the user
    run: Callable[[Callable[[], list], object, object], int]
    # Fills the choices of the action's own fields of the bulk form for this user (e.g. cohorts); the
    # last argument is the organization an admin chose in the filters (None: offer nothing to admins).
    prepare: Callable[[object, object, int | None], None] | None = None


# --- signals.history_terms ------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """How the history shows a field: its label, and how its values read.

    ``names`` is a model's name column when the values are ids of that model: the ids of a whole
    history are named in one query per model. ``show`` turns any other value into text. ``blank``
    says what no value means, when it means more than nothing (a programme default…).
    """

    label: object
    show: Callable | None = None
    names: object = None
    blank: object = None


@dataclass(frozen=True)
class HistoryTerms:
    """How the history names a feature's entity types, actions and fields (``{entity type: {name:
    Field}}``), what its actions' contexts show, in this order (``{action: {key: Field}}``: an
    action listed there shows nothing else of its context), and the placeholders it stores in
    place of values (``{value: label}``, whatever the field)."""

    entities: dict = dataclasses.field(default_factory=dict)
    actions: dict = dataclasses.field(default_factory=dict)
    fields: dict = dataclasses.field(default_factory=dict)
    contexts: dict = dataclasses.field(default_factory=dict)
    values: dict = dataclasses.field(default_factory=dict)


def codes(mapping: dict) -> Callable:
    """A ``Field.show`` for stored codes: their labels in ``mapping``."""
    return lambda code: label(mapping, code)


def show_date(value) -> str:
    """An ISO date, as the audit stores dates, in the reader's language."""
    try:
        return format_date(date.fromisoformat(value), "medium")
    except (TypeError, ValueError):
        return value


def show_moment(value) -> str:
    """An ISO date and time (UTC when it has no offset), in Québec time and the reader's language."""
    try:
        moment = as_utc(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return value
    return _("%(date)s at %(time)s", date=date_filter(moment, "medium"), time=time_filter(moment))


# --- signals.dashboard_activity -------------------------------------------------------------------

@dataclass(frozen=True)
class ReportScope:
    """Which enterprises and which period the dashboard's figures cover."""

    enterprise_ids: Select  # ids the user may count, already filtered by organization and region
    date_from: date | None = None  # Québec dates, inclusive
    date_to: date | None = None
    organization_id: int | None = None
    region: str | None = None

    @property
    def start(self) -> datetime | None:
        return local_midnight(self.date_from) if self.date_from else None

    @property
    def end(self) -> datetime | None:
        return local_midnight(self.date_to + timedelta(days=1)) if self.date_to else None

    @property
    def has_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None


@dataclass
class ActivityFigure:
    label: object  # a lazy string
    value: float | int | None
    kind: str = "number"  # number | hours | percent


@dataclass(frozen=True)
class DashboardSection:
    """A section of the dashboard (and of the printable funder report), after its breakdowns."""

    name: str
    # JSON values (numbers, strings, lists, dicts) counting only enterprises in ``scope.enterprise_ids``,
    # in a constant number of queries: cached with the dashboard's figures.
    compute: Callable[[ReportScope], object]
    template: str  # included with ``section`` (what ``present`` returned) and ``report``
    present: Callable[[object], dict]  # the values for the template, in the request's language
    order: int = 50
    # Sheets of the funder workbook, from what ``present`` returned: [(title, header, rows)].
    sheets: Callable[[dict], list] | None = None


@dataclass(frozen=True)
class ActivityQuery:
    name: str
    # The raw values (JSON: numbers, lists), counting only enterprises in ``scope.enterprise_ids``
    # within ``scope.start``/``scope.end``, in a constant number of queries.
    compute: Callable[[ReportScope], list]
    present: Callable[[list], list[ActivityFigure]]  # the values as labelled figures


# --- signals.report_indicators --------------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    """A figure of the ministry's report pack, with the definition printed beside it.

    Its value is the sum of the column ``value`` (the code when empty) of the feature's measures or
    totals; with ``per``, that sum divided by the sum of the column ``per`` (an average, a rate).
    """

    code: str
    label: object  # a lazy string
    definition: object  # a lazy string: what is counted, over which period
    kind: str = "number"  # number | hours | dollars | percent | average (a gain, signed) | score
    value: str = ""
    per: str | None = None
    divisor: int = 1

    @property
    def column(self) -> str:
        return self.value or self.code


@dataclass(frozen=True)
class ReportIndicators:
    """A feature's indicators of the report pack, and how they are computed for a ``ReportScope``.

    ``measures`` returns a select() (not run) of ``enterprise_id`` and numeric columns that add up
    (counts of distinct things that belong to one enterprise, sums), one or more rows per enterprise
    of ``scope.enterprise_ids`` within the period: the report pack adds them up for the scope and
    per region, sector, legal form, organization and regional hub, in one query. ``totals`` returns
    {column: number} for figures that do not add up across enterprises (a cohort's session gathers
    several of them; a satisfaction survey's average), computed for the whole scope only, in a
    constant number of queries. An indicator reads the columns of either.
    """

    name: str
    indicators: tuple  # of Indicator, in the order shown
    measures: Callable[[ReportScope], object] | None = None
    totals: Callable[[ReportScope], dict] | None = None
    order: int = 50
    heading: object = None  # a lazy string: the title of the feature's group of indicators
