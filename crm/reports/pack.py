"""The ministry's report pack: the funder's indicators for a period, with their definitions, for the
scope and by region, sector, legal form, organization and regional hub.

Each feature contributes its indicators through ``signals.report_indicators``
(crm.contributions.ReportIndicators); the stages reached come from here. A contribution's
``measures`` are added up in ONE aggregate query, grouped by the enterprise's region, sector, legal
form and organization; the breakdowns are sums of those groups (so each adds up to the total), and
the regional hub is the organization when it is a regional one. Its ``totals`` take a constant
number of queries more. Everything is cached like the dashboard's figures (crm.reports.cache).

The organization of an enterprise, here, is the one that follows it (``enterprises.organization_id``);
people are the contacts of the enterprises, each belonging to one, so their distinct counts add up
too.
"""
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from crm import signals
from crm.contributions import Indicator, ReportIndicators, ReportScope
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from crm.i18n import _, _l
from crm.organizations.models import Organization
from crm.reference import LEGAL_FORMS, REGIONS, SECTORS
from crm.reports.cache import cache_key, cached_or_computed

# How the groups of a measures query are read: the enterprise's columns, in this order.
GROUP_COLUMNS = ("region_code", "sector_code", "legal_form", "organization_id")
GROUPED = ("region", "sector", "legal_form", "organization")  # the dimensions of GROUP_COLUMNS
DIMENSIONS = (*GROUPED, "hub")
NATIONAL = "national"  # the hub row of the enterprises followed by a national partner
LAYOUT = 3  # part of the cache key: change it with the shape of the cached values

# A move to one of these stages during the period makes an enterprise "made aware", "trained", "coached".
STAGE_INDICATORS = {
    "made_aware": ("awareness",),
    "trained": ("training",),
    "coached": ("coaching_individual", "coaching_collective"),
}


def _stage_measures(scope: ReportScope):
    """One row per enterprise with a stage change in the period: 1 for each stage group it entered."""
    sc = StageChange
    conditions = [sc.enterprise_id.in_(scope.enterprise_ids)]
    if scope.start is not None:
        conditions.append(sc.changed_at >= scope.start)
    if scope.end is not None:
        conditions.append(sc.changed_at < scope.end)
    columns = [func.max(case((sc.to_stage.in_(stages), 1), else_=0)).label(code)
               for code, stages in STAGE_INDICATORS.items()]
    return select(sc.enterprise_id.label("enterprise_id"), *columns).where(*conditions).group_by(sc.enterprise_id)


STAGES_REACHED = ReportIndicators(
    "stages",
    (
        Indicator("made_aware", _l("Enterprises made aware"),
                  _l("Distinct enterprises that moved to the awareness stage during the period; an enterprise "
                     "counts once, whatever its number of changes.")),
        Indicator("trained", _l("Enterprises trained"),
                  _l("Distinct enterprises that moved to the training stage during the period.")),
        Indicator("coached", _l("Enterprises coached"),
                  _l("Distinct enterprises that moved to individual or collective coaching during the period.")),
    ),
    measures=_stage_measures, order=0, heading=_l("Enterprises reached"),
)


def contributions() -> list[ReportIndicators]:
    """The pack's indicators: the stages, then the features' (coaching, diagnostics, outcomes…)."""
    return sorted([STAGES_REACHED, *signals.answers(signals.report_indicators)],
                  key=lambda contribution: (contribution.order, contribution.name))


# --- Computing ---------------------------------------------------------------------------------

def _measure_columns(statement) -> list[str]:
    return [column.name for column in statement.selected_columns if column.name != "enterprise_id"]


def grouped_measures(scope: ReportScope, contribution: ReportIndicators) -> list[list]:
    """[[region, sector, legal form, organization id, {column: sum}]] in one aggregate query."""
    statement = contribution.measures(scope)
    names = _measure_columns(statement)
    measures = statement.subquery("measures")
    group = [getattr(Enterprise, name) for name in GROUP_COLUMNS]
    rows = db.session.execute(
        select(*group, *(func.coalesce(func.sum(measures.c[name]), 0).label(name) for name in names))
        .join_from(measures, Enterprise, Enterprise.id == measures.c.enterprise_id)
        .group_by(*group))
    return [[*row[:len(group)], {name: _number(value) for name, value in zip(names, row[len(group):], strict=True)}]
            for row in rows]


def _number(value):
    """Integers stay integers (exact in JSON and in the workbook); sums of decimals become floats."""
    value = value or 0
    return int(value) if float(value).is_integer() else float(value)


def raw_figures(scope: ReportScope) -> dict:
    """What every contribution's queries return, added up for the scope and per region, sector, legal
    form and organization: JSON-ready values, small enough to cache (a few hundred groups)."""
    found = {}
    for contribution in contributions():
        found[contribution.name] = {
            "sums": _sums_by(grouped_measures(scope, contribution)) if contribution.measures else None,
            "totals": contribution.totals(scope) if contribution.totals else {},
        }
    return found


def _key(scope: ReportScope):
    dialect = db.session.get_bind().dialect
    enterprises = str(scope.enterprise_ids.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    layout = [[c.name, [i.code for i in c.indicators]] for c in contributions()]
    return cache_key("report-pack", LAYOUT, enterprises, scope.date_from, scope.date_to, layout,
                     organization_id=scope.organization_id)


def workbook_key(scope: ReportScope, *names):
    """The pack's workbook: its figures' key, and the language and names it is written with."""
    figures = _key(scope)
    return cache_key("report-pack-xlsx", figures.parts, *names, organization_id=scope.organization_id)


# --- What the pack shows -----------------------------------------------------------------------

@dataclass
class Figure:
    indicator: Indicator
    value: float | int | None


@dataclass
class Group:
    """A row of a breakdown: its label and each broken-down indicator's value."""

    key: object
    label: str
    values: dict  # indicator code -> value


@dataclass
class Breakdown:
    dimension: str
    heading: str
    rows: list[Group]


@dataclass
class IndicatorGroup:
    heading: str
    figures: list[Figure]


@dataclass
class ReportPack:
    scope: ReportScope
    groups: list[IndicatorGroup]
    breakdowns: list[Breakdown]
    broken_down: list[Indicator] = field(default_factory=list)  # the columns of the breakdowns

    @property
    def broken_down_groups(self) -> list[tuple[str, list[Indicator]]]:
        """(heading, broken-down indicators) of each group that has some: a table each, narrow
        enough to print."""
        codes = {indicator.code for indicator in self.broken_down}
        found = [(group.heading, [f.indicator for f in group.figures if f.indicator.code in codes])
                 for group in self.groups]
        return [(heading, indicators) for heading, indicators in found if indicators]

    @property
    def figures(self) -> list[Figure]:
        return [figure for group in self.groups for figure in group.figures]

    def value(self, code: str):
        return next(figure.value for figure in self.figures if figure.indicator.code == code)


def _value(indicator: Indicator, sums: dict):
    """The indicator's figure from summed columns; a rate or an average of nothing is None."""
    value = sums.get(indicator.column, 0)
    if indicator.per is None:
        return value / indicator.divisor if indicator.divisor != 1 else value
    whole = sums.get(indicator.per) or 0
    return value / whole if whole else None


def _add(into: dict, values: dict) -> None:
    for name, value in values.items():
        into[name] = into.get(name, 0) + value


def _sums_by(groups: list[list]) -> dict:
    """{"total": {column: sum}, dimension: [[key, {column: sum}]]} from the groups of a measures query."""
    by: dict = {dimension: {} for dimension in GROUPED}
    total: dict = {}
    for *keys, values in groups:
        for dimension, key in zip(GROUPED, keys, strict=True):
            _add(by[dimension].setdefault(key, {}), values)
        _add(total, values)
    return {"total": total, **{dimension: list(sums.items()) for dimension, sums in by.items()}}


def _with_hubs(sums: dict, hubs: set) -> dict:
    """The cached sums as {dimension: {key: sums}}, with the regional hubs' (the organizations that are
    one; the others together)."""
    found = {dimension: dict(sums[dimension]) for dimension in GROUPED}
    by_hub: dict = {}
    for organization_id, values in sums["organization"]:
        _add(by_hub.setdefault(organization_id if organization_id in hubs else NATIONAL, {}), values)
    return {**found, "hub": by_hub}


def _labels(organizations: dict) -> dict:
    """{dimension: {key: label}} in the order the breakdowns list them."""
    not_specified = _("Not specified")
    by_name = sorted(organizations.items(), key=lambda item: item[1][0])
    return {
        "region": {**REGIONS, None: not_specified},
        "sector": {**{code: str(label) for code, label in SECTORS.items()}, None: not_specified},
        "legal_form": {code: str(label) for code, label in LEGAL_FORMS.items()},
        "organization": {id_: name for id_, (name, _kind) in by_name},
        "hub": {**{id_: name for id_, (name, kind) in by_name if kind == "regional"},
                NATIONAL: _("Followed by a national partner")},
    }


DIMENSION_HEADINGS = {
    "region": _l("By region"),
    "sector": _l("By sector of activity"),
    "legal_form": _l("By legal form"),
    "organization": _l("By organization"),
    "hub": _l("By regional hub"),
}


def indicator_values(scope: ReportScope) -> dict:
    """Every indicator's value for the scope and per group of each dimension (JSON-ready, cached):
    {"figures": {code: value}, "broken_down": [code], "by": {dimension: [[key, {code: value}]]}}."""
    raw = raw_figures(scope)
    hubs = set(db.session.scalars(select(Organization.id).where(Organization.kind == "regional")))
    figures, broken_down = {}, []
    by_dimension: dict = {dimension: {} for dimension in DIMENSIONS}
    for contribution in contributions():
        values = raw[contribution.name]
        sums = values["sums"]
        by_group = _with_hubs(sums, hubs) if sums else {}
        for indicator in contribution.indicators:
            if sums is None or indicator.column in values["totals"]:
                figures[indicator.code] = _value(indicator, values["totals"])
                continue
            figures[indicator.code] = _value(indicator, sums["total"])
            broken_down.append(indicator)
            for dimension in DIMENSIONS:
                for key, group_sums in by_group[dimension].items():
                    by_dimension[dimension].setdefault(key, {})[indicator.code] = _value(indicator, group_sums)
    for found in by_dimension.values():  # a group without any row of a contribution: nothing counted
        for values in found.values():
            for indicator in broken_down:
                values.setdefault(indicator.code, _value(indicator, {}))
    return {"figures": figures, "broken_down": [indicator.code for indicator in broken_down],
            "by": {dimension: list(found.items()) for dimension, found in by_dimension.items()}}


def report_pack(scope: ReportScope) -> ReportPack:
    """The pack: one query per contribution's measures, its totals' queries and one for the regional
    hubs when computed; then cached (crm.reports.cache), and one query for the organizations' names."""
    values = cached_or_computed(_key(scope), lambda: indicator_values(scope))
    organizations = {id_: (name, kind) for id_, name, kind in db.session.execute(
        select(Organization.id, Organization.name, Organization.kind))}
    figures = values["figures"]
    codes = set(values["broken_down"])
    groups = [IndicatorGroup(str(c.heading or c.name), [Figure(i, figures.get(i.code)) for i in c.indicators])
              for c in contributions()]
    broken_down = [figure.indicator for group in groups for figure in group.figures if figure.indicator.code in codes]
    breakdowns = []
    for dimension, labels in _labels(organizations).items():
        found = dict(values["by"][dimension])
        rows = [Group(key, label, found[key]) for key, label in labels.items() if key in found]
        rows += [Group(key, str(key), found[key]) for key in found if key not in labels]
        breakdowns.append(Breakdown(dimension, str(DIMENSION_HEADINGS[dimension]), rows))
    return ReportPack(scope, groups, breakdowns, broken_down)
