"""Programme figures for the dashboard and the funder report, computed in SQL.

Each public function takes a :class:`ReportScope` and issues ONE aggregate query, so the
dashboard's number of queries does not grow with the data. Figures come from the stage history
(``stage_changes``), never from loading rows into Python:

- an enterprise exists in the figures once it has a stage change before the end of the period;
- its stage "as of" the end of the period is its latest change before then;
- its funnel level is the highest STAGE_ORDER it ever reached (a withdrawal keeps it), so
  "reached" (the programme's target) is level >= 1, i.e. awareness or beyond, ever;
- "entered during the period" is the first change to a stage inside the period;
- its organization, in the breakdown by organization, is the one that took its latest step before
  the end of the period (``stage_changes.organization_id``): an enterprise referred to another
  organization (crm/referrals) counts once, with the organization that did the work, until the new
  one moves it forward.

Activity figures (coaching hours, sessions held, attendance) belong to features built
elsewhere: they answer ``signals.dashboard_activity`` and show in the dashboard's
Activity section and the funder report.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, case, func, literal, null, or_, select, tuple_, union_all

from crm import signals
from crm.access import organization_in_view, report_enterprises
from crm.contributions import ActivityFigure, ActivityQuery, DashboardSection, ReportScope
from crm.domain import QUEBEC, local_midnight
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from crm.i18n import _, lazy_pgettext
from crm.organizations.models import Organization
from crm.reference import (
    LEGAL_FORMS,
    NO_SECTOR,
    REACHED_STAGES,
    REGION_WEIGHTS,
    REGIONS,
    SECTORS,
    STAGE_ORDER,
    STAGES,
)
from crm.reports.cache import cache_key, cached_or_computed

MAX_MONTHS = 36  # the monthly chart shows at most three years (the latest ones)
DEFAULT_MONTHS = 12
# A region lags when its progress toward its share of the target is below this share of the
# programme's overall progress.
LAG_RATIO = 0.75

# The funnel's steps: the two coaching kinds stand at the same level (STAGE_ORDER).
FUNNEL_LEVELS = [
    (0, STAGES["identified"]),
    (1, STAGES["awareness"]),
    (2, STAGES["training"]),
    (3, lazy_pgettext("funnel level", "Coaching (individual or collective)")),
    (4, STAGES["completed"]),
]
# Stages whose stay ends with a next step (completed and withdrawn are where journeys stop).
TIMED_STAGES = ("identified", "awareness", "training", "coaching_individual", "coaching_collective")


def build_scope(user, *, date_from=None, date_to=None, organization_id=None, region=None) -> ReportScope:
    """The figures a user may see (crm.access.report_enterprises), narrowed by the filters."""
    ids = report_enterprises(user, organization_id=organization_id)
    if region:
        ids = ids.where(Enterprise.region_code == region)
    return ReportScope(ids, date_from, date_to, organization_in_view(user, organization_id), region)


def programme_target() -> int:
    return int(current_app.config["PROGRAMME_TARGET"])


# --- Per-enterprise facts, the base of every count ----------------------------------------------

def _history_filter(scope: ReportScope) -> list:
    conditions = [StageChange.enterprise_id.in_(scope.enterprise_ids)]
    if scope.end is not None:
        conditions.append(StageChange.changed_at < scope.end)
    return conditions


def _facts(scope: ReportScope, *, shared: bool = False):
    """One row per enterprise in scope: level reached, stage as of the end, first entries.

    ``shared``: read twice by the statement, as a common table expression computed once."""
    sc = StageChange
    level = case(*((sc.to_stage == code, order) for code, order in STAGE_ORDER.items()), else_=None)
    history = (
        select(
            sc.enterprise_id.label("enterprise_id"),
            func.max(level).label("level"),
            func.min(case((sc.to_stage.in_(sorted(REACHED_STAGES)), sc.changed_at))).label("reached_at"),
            *(func.min(case((sc.to_stage == code, sc.changed_at))).label(f"first_{code}") for code in STAGES),
        )
        .where(*_history_filter(scope))
        .group_by(sc.enterprise_id)
        .subquery("history")
    )
    latest = (
        select(sc.enterprise_id, sc.to_stage, sc.organization_id,
               func.row_number().over(partition_by=sc.enterprise_id,
                                      order_by=(sc.changed_at.desc(), sc.id.desc())).label("rn"))
        .where(*_history_filter(scope))
        .subquery("latest")
    )
    facts = (
        select(*history.c, latest.c.to_stage.label("stage"), Enterprise.region_code,
               latest.c.organization_id.label("organization_id"), Enterprise.legal_form, Enterprise.sector_code)
        .join_from(history, latest, and_(latest.c.enterprise_id == history.c.enterprise_id, latest.c.rn == 1))
        .join(Enterprise, Enterprise.id == history.c.enterprise_id)
    )
    return facts.cte("facts").prefix_with("MATERIALIZED") if shared else facts.subquery("facts")


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _measures(facts, scope: ReportScope) -> list:
    start = scope.start
    columns = [
        func.count().label("enterprises"),
        _count_if(facts.c.level >= 1).label("reached"),
        _count_if(facts.c.reached_at >= start if start else facts.c.level >= 1).label("reached_in_period"),
        _count_if(facts.c.stage == "completed").label("completed_now"),
    ]
    columns += [_count_if(facts.c.level >= k).label(f"level_{k}") for k, _ in FUNNEL_LEVELS]
    for code in STAGES:
        first = facts.c[f"first_{code}"]
        columns += [
            _count_if(facts.c.stage == code).label(f"at_{code}"),
            _count_if(first.is_not(None)).label(f"ever_{code}"),
            _count_if(first >= start if start else first.is_not(None)).label(f"entered_{code}"),
        ]
    return columns


@dataclass
class Figures:
    """The counts of one group (the whole scope, a region, an organization, a legal form)."""

    enterprises: int = 0
    reached: int = 0
    reached_in_period: int = 0
    completed_now: int = 0
    levels: dict = field(default_factory=dict)  # level -> enterprises at that level or beyond
    at_stage: dict = field(default_factory=dict)  # stage -> enterprises at it (end of period)
    ever: dict = field(default_factory=dict)  # stage -> enterprises that were ever at it
    entered: dict = field(default_factory=dict)  # stage -> first entered during the period

    @classmethod
    def from_mapping(cls, m) -> "Figures":
        get = lambda key: int(m.get(key) or 0)  # noqa: E731
        return cls(
            enterprises=get("enterprises"), reached=get("reached"),
            reached_in_period=get("reached_in_period"), completed_now=get("completed_now"),
            levels={k: get(f"level_{k}") for k, _ in FUNNEL_LEVELS},
            at_stage={code: get(f"at_{code}") for code in STAGES},
            ever={code: get(f"ever_{code}") for code in STAGES},
            entered={code: get(f"entered_{code}") for code in STAGES},
        )

    @property
    def reach_rate(self) -> float | None:
        return self.reached / self.enterprises if self.enterprises else None


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- The figures -------------------------------------------------------------------------------

FACT_GROUP = ("region_code", "organization_id", "legal_form")
# The sector is counted on its own rows: grouped with the three others, it made ten times as many
# groups to add up in Python.
SECTOR = "sector_code"


def fact_groups(scope: ReportScope) -> tuple[list[dict], list[dict]]:
    """Every count, per (region, organization, legal form) of the scope and per sector, in ONE
    aggregate query: (the groups, the sectors).

    The counts add up, so the totals and each breakdown are sums of these rows: the history is
    aggregated once per dashboard instead of once per table. PostgreSQL groups both ways in one pass
    (GROUPING SETS); SQLite, which has none, adds the sectors' rows with UNION ALL over the facts
    computed once (a materialized common table expression).
    """
    grouping_sets = db.session.get_bind().dialect.name == "postgresql"
    facts = _facts(scope, shared=not grouping_sets)
    group = [facts.c[name] for name in FACT_GROUP]
    sector = facts.c[SECTOR]
    measures = _measures(facts, scope)
    if grouping_sets:
        statement = (select(*group, sector, func.grouping(sector).label("by_groups"), *measures)
                     .group_by(func.grouping_sets(tuple_(*group), tuple_(sector))))
    else:
        nothing = [null().label(name) for name in FACT_GROUP]
        statement = union_all(
            select(*group, null().label(SECTOR), literal(1).label("by_groups"), *measures).group_by(*group),
            select(*nothing, sector, literal(0).label("by_groups"), *_measures(facts, scope)).group_by(sector))
    groups, sectors = [], []
    for row in db.session.execute(statement).mappings():
        keys = FACT_GROUP if row["by_groups"] else (SECTOR,)
        counts = {key: (row[key] if key in keys else int(row[key] or 0)) for key in row.keys()
                  if key not in (*FACT_GROUP, SECTOR, "by_groups") or key in keys}
        (groups if row["by_groups"] else sectors).append(counts)
    return groups, sectors


def fact_sums(scope: ReportScope) -> dict:
    """The groups added up: for the whole scope, and per region, organization, legal form and sector.
    JSON-ready (lists of [key, counts] pairs, as JSON keys are strings only)."""
    groups, sectors = fact_groups(scope)
    sums: dict = {"total": _add_up(groups)}
    for by in FACT_GROUP:
        parts: dict = {}
        for group in groups:
            parts.setdefault(group[by], []).append(group)
        sums[by] = [[key, _add_up(members)] for key, members in parts.items()]
    sums[SECTOR] = [[row[SECTOR], _add_up([row])] for row in sectors]
    return sums


def _add_up(groups: list[dict]) -> dict:
    total: dict = {}
    for group in groups:
        for key, value in group.items():
            if key not in FACT_GROUP and key != SECTOR:
                total[key] = total.get(key, 0) + value
    return total


def _figures_by(sums: dict, by: str) -> dict:
    return {key: Figures.from_mapping(counts) for key, counts in sums[by]}


def programme_figures(sums: dict) -> Figures:
    """Target, funnel and per-stage counts of the whole scope (``sums``: from ``fact_sums``)."""
    return Figures.from_mapping(sums["total"])


@dataclass
class FunnelStep:
    level: int
    label: object
    count: int
    conversion: float | None  # from the previous step to this one; None for the first


def funnel_steps(figures: Figures) -> list[FunnelStep]:
    steps, previous = [], None
    for level, label in FUNNEL_LEVELS:
        count = figures.levels.get(level, 0)
        steps.append(FunnelStep(level, label, count, None if previous is None else ratio(count, previous)))
        previous = count
    return steps


@dataclass
class Breakdown:
    key: str | int
    label: str
    figures: Figures
    target: int | None = None  # the region's share of the programme's target
    lagging: bool = False

    @property
    def progress(self) -> float | None:
        return ratio(self.figures.reached, self.target) if self.target else None


def by_region(scope: ReportScope, sums: dict, *, programme_wide: bool) -> list[Breakdown]:
    """The 17 regions (or the filtered one), with their share of the target when programme-wide."""
    figures = _figures_by(sums, "region_code")
    target = programme_target()
    population = sum(REGION_WEIGHTS.values())
    codes = [scope.region] if scope.region else list(REGIONS)
    rows = [Breakdown(code, REGIONS.get(code, code), figures.get(code, Figures.from_mapping({}))) for code in codes]
    if programme_wide:
        for row in rows:
            row.target = max(1, round(target * REGION_WEIGHTS.get(row.key, 0) / population))
        overall = ratio(sum(r.figures.reached for r in rows), sum(r.target for r in rows)) or 0
        for row in rows:
            row.lagging = overall > 0 and (row.progress or 0) < LAG_RATIO * overall
    return rows


def hide_empty_regions(report: "Dashboard") -> int:
    """Drops the regions where the scope has no enterprise (an organization works in one or two of
    the 17); returns how many. The other breakdowns list only the groups that have enterprises."""
    kept = [row for row in report.regions if row.figures.enterprises or row.figures.reached]
    hidden, report.regions = len(report.regions) - len(kept), kept
    return hidden


def by_organization(sums: dict) -> list[Breakdown]:
    figures = _figures_by(sums, "organization_id")
    names = db.session.execute(select(Organization.id, Organization.name)
                               .where(Organization.id.in_(list(figures))).order_by(Organization.name))
    return [Breakdown(id_, name, figures[id_]) for id_, name in names]


def by_legal_form(sums: dict) -> list[Breakdown]:
    figures = _figures_by(sums, "legal_form")
    return [Breakdown(code, str(label), figures[code]) for code, label in LEGAL_FORMS.items() if code in figures]


def by_sector(sums: dict) -> list[Breakdown]:
    """The sectors with enterprises, in the list's order, then those whose sector is not given."""
    figures = _figures_by(sums, "sector_code")
    rows = [Breakdown(code, str(label), figures[code]) for code, label in SECTORS.items() if code in figures]
    if None in figures:
        rows.append(Breakdown(NO_SECTOR, _("Not specified"), figures[None]))
    return rows


# --- Over time ---------------------------------------------------------------------------------

def month_starts(scope: ReportScope, today: date) -> list[date]:
    """First days of the months the monthly chart covers (Québec calendar)."""
    last = _month(scope.date_to or today)
    first = _month(scope.date_from) if scope.date_from else _add_months(last, -(DEFAULT_MONTHS - 1))
    if first > last:
        return []
    months = [first]
    while months[-1] < last:
        months.append(_add_months(months[-1], 1))
    return months[-MAX_MONTHS:]


def _month(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, count: int) -> date:
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _month_key(column, months: list[date]):
    """'YYYY-MM' of a UTC timestamp in Québec time, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(QUEBEC.key, column), "YYYY-MM")
    # SQLite has no time-zone database: compare with each Québec month's first instant in UTC
    # (exact across daylight saving time, unlike a fixed offset).
    bounds = [local_midnight(m) for m in [*months, _add_months(months[-1], 1)]]
    return case(*((and_(column >= bounds[i], column < bounds[i + 1]), f"{m:%Y-%m}")
                  for i, m in enumerate(months)), else_=None)


def monthly_entries(scope: ReportScope, months: list[date]) -> dict[tuple[str, str], int]:
    """(YYYY-MM, stage) -> enterprises that entered the stage that month (one query)."""
    if not months:
        return {}
    sc = StageChange
    start = local_midnight(months[0])
    if scope.start and scope.start > start:
        start = scope.start
    end = local_midnight(_add_months(months[-1], 1))
    if scope.end and scope.end < end:
        end = scope.end
    month = _month_key(sc.changed_at, months).label("month")
    rows = db.session.execute(
        select(month, sc.to_stage, func.count(sc.enterprise_id.distinct()))
        .where(sc.enterprise_id.in_(scope.enterprise_ids), sc.changed_at >= start, sc.changed_at < end)
        .group_by(month, sc.to_stage)
    )
    return {(key, stage): count for key, stage, count in rows if key}


# --- Time spent in each stage ------------------------------------------------------------------

def _days_between(start, end):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


@dataclass
class StageDuration:
    stage: str
    median_days: float | None
    stays: int


def median_days_in_stage(scope: ReportScope) -> list[StageDuration]:
    """Median days between entering a stage and the next change, over stays that ended in the period.

    LEAD gives each stay its end; ROW_NUMBER and COUNT over each stage pick the middle one or two
    (PostgreSQL's percentile_cont does not exist on SQLite). Stays still going are not counted.
    """
    sc = StageChange
    next_at = func.lead(sc.changed_at).over(partition_by=sc.enterprise_id, order_by=(sc.changed_at, sc.id))
    stays = (select(sc.to_stage.label("stage"), sc.changed_at.label("started"), next_at.label("ended"))
             .where(*_history_filter(scope)).subquery("stays"))
    ended = [stays.c.ended.is_not(None)]
    if scope.start is not None:
        ended.append(stays.c.ended >= scope.start)
    finished = (select(stays.c.stage, _days_between(stays.c.started, stays.c.ended).label("days"))
                .where(*ended).subquery("finished"))
    ranked = select(
        finished.c.stage, finished.c.days,
        func.row_number().over(partition_by=finished.c.stage, order_by=finished.c.days).label("rn"),
        func.count().over(partition_by=finished.c.stage).label("n"),
    ).subquery("ranked")
    rows = db.session.execute(
        select(ranked.c.stage, func.avg(ranked.c.days), func.max(ranked.c.n))
        .where(or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2))
        .group_by(ranked.c.stage)
    )
    found = {stage: (float(median), int(n)) for stage, median, n in rows}
    return [StageDuration(code, *found.get(code, (None, 0))) for code in TIMED_STAGES]


# --- Activity (coaching hours, sessions, attendance): plugged in by the features that own it ----

def activity_queries() -> list[ActivityQuery]:
    """The Activity section's queries, from the features that own the activity data."""
    return sorted(signals.answers(signals.dashboard_activity), key=lambda query: query.name)


def activity_figures(scope: ReportScope) -> list[ActivityFigure]:
    return [figure for query in activity_queries() for figure in query.present(query.compute(scope))]


def dashboard_sections() -> list[DashboardSection]:
    """The sections other features add to the dashboard (scored diagnostics, outcomes…), in order."""
    return sorted(signals.answers(signals.dashboard_sections), key=lambda section: (section.order, section.name))


# --- Everything the dashboard and the funder report show ---------------------------------------

@dataclass
class Dashboard:
    scope: ReportScope
    target: int
    totals: Figures
    funnel: list[FunnelStep]
    regions: list[Breakdown]
    organizations: list[Breakdown]
    legal_forms: list[Breakdown]
    sectors: list[Breakdown]
    months: list[date]
    monthly: dict
    durations: list[StageDuration]
    activity: list[ActivityFigure]
    # (template, what its section presents, funder workbook sheets) of the other features' sections.
    sections: list[tuple[str, dict, list]] = field(default_factory=list)

    @property
    def durations_by_stage(self) -> dict[str, StageDuration]:
        return {d.stage: d for d in self.durations}

    @property
    def target_progress(self) -> float:
        return self.totals.reached / self.target if self.target else 0.0


def dashboard(scope: ReportScope, *, today: date | None = None) -> Dashboard:
    """All the figures: five aggregate queries and those of the other features' sections (a constant
    number each), or one when they are cached (crm.reports.cache)."""
    today = today or datetime.now(QUEBEC).date()
    months = month_starts(scope, today)
    raw = cached_or_computed(_key(scope, months), lambda: _raw_figures(scope, months))
    sums = raw["sums"]
    totals = programme_figures(sums)
    activity = [figure for query, values in zip(activity_queries(), raw["activity"], strict=True)
                for figure in query.present(values)]
    sections = []
    for section, values in zip(dashboard_sections(), raw["sections"], strict=True):
        shown = section.present(values)
        sections.append((section.template, shown, section.sheets(shown) if section.sheets else []))
    return Dashboard(
        scope=scope, target=programme_target(), totals=totals, funnel=funnel_steps(totals),
        regions=by_region(scope, sums, programme_wide=scope.organization_id is None),
        organizations=by_organization(sums), legal_forms=by_legal_form(sums), sectors=by_sector(sums),
        months=months, monthly={(month, stage): count for month, stage, count in raw["monthly"]},
        durations=[StageDuration(*duration) for duration in raw["durations"]], activity=activity,
        sections=sections,
    )


def _raw_figures(scope: ReportScope, months: list[date]) -> dict:
    """What the aggregate queries return, as JSON-ready values."""
    return {
        "sums": fact_sums(scope),
        "monthly": [[month, stage, count] for (month, stage), count in monthly_entries(scope, months).items()],
        "durations": [[d.stage, d.median_days, d.stays] for d in median_days_in_stage(scope)],
        "activity": [query.compute(scope) for query in activity_queries()],
        "sections": [section.compute(scope) for section in dashboard_sections()],
    }


def _key(scope: ReportScope, months: list[date]):
    """The scope (who may see what, filters) and the layout of the cached values."""
    dialect = db.session.get_bind().dialect
    enterprises = str(scope.enterprise_ids.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return cache_key("dashboard-5", enterprises, scope.date_from, scope.date_to, months,
                     [query.name for query in activity_queries()], [section.name for section in dashboard_sections()],
                     organization_id=scope.organization_id)
