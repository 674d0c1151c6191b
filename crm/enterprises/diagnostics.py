"""Scored diagnostics: what changed for an enterprise between its first and its latest scored
diagnostic, and the dashboard's figures on them.

A diagnostic is *scored* when it has at least one score (1 to 5) on a dimension. An enterprise's gain
on a dimension is its latest scored diagnostic's score minus its first one's, when both scored it.
The dashboard answers ``signals.dashboard_sections`` with the average gain per dimension over the
enterprises diagnosed at least twice (two scored diagnostics), in one aggregate query.
"""
from dataclasses import dataclass

from sqlalchemy import and_, case, func, literal, select, true

from crm import signals
from crm.contributions import DashboardSection, Indicator, ReportIndicators, ReportScope
from crm.enterprises.models import DiagnosticScore, DigitalDiagnostic
from crm.extensions import db
from crm.i18n import _, _l
from crm.reference import diagnostic_dimensions


@dataclass
class DimensionGain:
    code: str
    label: str
    first: int | None
    latest: int | None

    @property
    def gain(self) -> int | None:
        return None if self.first is None or self.latest is None else self.latest - self.first


@dataclass
class Comparison:
    """The first and the latest scored diagnostics of an enterprise (the same one when it has only one)."""

    first: DigitalDiagnostic
    latest: DigitalDiagnostic
    rows: list[DimensionGain]

    @property
    def has_two(self) -> bool:
        return self.first is not self.latest


def _labelled_dimensions(codes_found) -> dict[str, str]:
    """The configured dimensions, then any other one scored before the configuration changed."""
    dimensions = diagnostic_dimensions()
    return {**dimensions, **{code: code for code in sorted(codes_found) if code not in dimensions}}


def comparison(diagnostics: list[DigitalDiagnostic]) -> Comparison | None:
    """From an enterprise's diagnostics (scores loaded), in any order."""
    scored = sorted((d for d in diagnostics if d.scores), key=lambda d: (d.performed_on, d.id))
    if not scored:
        return None
    first, latest = scored[0], scored[-1]
    before, after = first.score_by_dimension, latest.score_by_dimension
    dimensions = _labelled_dimensions(set(before) | set(after))
    rows = [DimensionGain(code, label, before.get(code), after.get(code)) for code, label in dimensions.items()
            if code in before or code in after]
    return Comparison(first, latest, rows)


# --- The dashboard ------------------------------------------------------------------------------

def _ranked(scope: ReportScope):
    """Each scored diagnostic of the scope (up to the end of the period), ranked within its enterprise
    from the first and from the latest, with the enterprise's number of scored diagnostics."""
    d = DigitalDiagnostic
    scored = select(DiagnosticScore.diagnostic_id).where(DiagnosticScore.diagnostic_id == d.id).exists()
    conditions = [d.enterprise_id.in_(scope.enterprise_ids), scored]
    if scope.date_to is not None:
        conditions.append(d.performed_on <= scope.date_to)
    return (select(d.id, d.enterprise_id, d.performed_on,
                   func.row_number().over(partition_by=d.enterprise_id, order_by=(d.performed_on, d.id))
                   .label("from_first"),
                   func.row_number().over(partition_by=d.enterprise_id,
                                          order_by=(d.performed_on.desc(), d.id.desc())).label("from_latest"),
                   func.count().over(partition_by=d.enterprise_id).label("scored"))
            .where(*conditions).subquery("ranked"))


def gain_values(scope: ReportScope) -> dict:
    """{"twice": enterprises with two scored diagnostics or more, "gains": [[dimension, average gain,
    enterprises compared]]}, in one query: the count of the enterprises diagnosed twice, joined to the
    gains per dimension (none when no dimension was scored twice)."""
    ranked = _ranked(scope)
    twice = (select(func.count().label("enterprises")).select_from(ranked)
             .where(ranked.c.from_first == 1, ranked.c.scored >= 2).subquery("twice"))
    first, latest = ranked.alias("first"), ranked.alias("latest")
    before, after = DiagnosticScore.__table__.alias("before"), DiagnosticScore.__table__.alias("after")
    gains = (
        select(before.c.dimension, func.avg(after.c.score - before.c.score).label("average"),
               func.count().label("compared"))
        .select_from(first)
        .join(latest, and_(latest.c.enterprise_id == first.c.enterprise_id, latest.c.from_latest == 1))
        .join(before, before.c.diagnostic_id == first.c.id)
        .join(after, and_(after.c.diagnostic_id == latest.c.id, after.c.dimension == before.c.dimension))
        .where(first.c.from_first == 1, first.c.scored >= 2)
        .group_by(before.c.dimension).subquery("gains"))
    rows = db.session.execute(select(twice.c.enterprises, gains.c.dimension, gains.c.average, gains.c.compared)
                              .select_from(twice.outerjoin(gains, true()))).all()
    return {"twice": int(rows[0].enterprises or 0) if rows else 0,
            "gains": [[row.dimension, float(row.average), int(row.compared)] for row in rows
                      if row.dimension is not None]}


@dataclass
class AverageGain:
    code: str
    label: str
    average: float | None
    enterprises: int


def present_gains(values: dict) -> dict:
    found = {code: (average, count) for code, average, count in values["gains"]}
    dimensions = _labelled_dimensions(found)
    return {"twice": values["twice"],
            "gains": [AverageGain(code, label, *found.get(code, (None, 0))) for code, label in dimensions.items()]}


def gain_sheets(section: dict) -> list:
    return [(_("Diagnostics"), [_("Dimension"), _("Average gain"), _("Enterprises compared")],
             [[row.label, None if row.average is None else round(row.average, 2), row.enterprises]
              for row in section["gains"]]
             + [[_("Enterprises diagnosed at least twice"), section["twice"], None]])]


@signals.dashboard_sections.connect
def dashboard_section(_sender, **_extra):
    return DashboardSection("diagnostics", gain_values, "enterprises/_dashboard_diagnostics.html", present_gains,
                            order=10, sheets=gain_sheets)


# --- The ministry's report pack ------------------------------------------------------------------

def pack_measures(scope: ReportScope):
    """Per enterprise diagnosed at least twice whose latest scored diagnostic (up to the end of the
    period) falls within it: 1, and for each dimension scored on both its first and latest scored
    diagnostics, the gain and 1 (the enterprises compared)."""
    ranked = _ranked(scope)
    first, latest = ranked.alias("first"), ranked.alias("latest")
    before, after = DiagnosticScore.__table__.alias("before"), DiagnosticScore.__table__.alias("after")
    both = after.c.score.is_not(None)
    columns = []
    for code in diagnostic_dimensions():
        on_dimension = and_(before.c.dimension == code, both)
        columns += [func.coalesce(func.sum(case((on_dimension, after.c.score - before.c.score), else_=0)), 0)
                    .label(f"gain_{code}"),
                    func.coalesce(func.sum(case((on_dimension, 1), else_=0)), 0).label(f"compared_{code}")]
    conditions = [first.c.from_first == 1, first.c.scored >= 2]
    if scope.date_from is not None:
        conditions.append(latest.c.performed_on >= scope.date_from)
    return (select(first.c.enterprise_id.label("enterprise_id"), literal(1).label("diagnosed_twice"), *columns)
            .select_from(first)
            .join(latest, and_(latest.c.enterprise_id == first.c.enterprise_id, latest.c.from_latest == 1))
            .outerjoin(before, before.c.diagnostic_id == first.c.id)
            .outerjoin(after, and_(after.c.diagnostic_id == latest.c.id, after.c.dimension == before.c.dimension))
            .where(*conditions)
            .group_by(first.c.enterprise_id))


def pack_indicators() -> tuple:
    gains = tuple(
        Indicator(f"gain_{code}", _l("Average gain: %(dimension)s", dimension=label),
                  _l("Average, over the enterprises diagnosed twice that were scored on this dimension both "
                     "times, of the latest score minus the first (scores from 1 to 5)."),
                  kind="average", per=f"compared_{code}")
        for code, label in diagnostic_dimensions().items())
    return (Indicator("diagnosed_twice", _l("Enterprises diagnosed twice"),
                      _l("Distinct enterprises with at least two scored diagnostics whose latest one was made "
                         "during the period.")),
            *gains)


@signals.report_indicators.connect
def report_indicators(_sender, **_extra):
    return ReportIndicators("diagnostics", pack_indicators(), measures=pack_measures, order=20,
                            heading=_l("Scored diagnostics"))
