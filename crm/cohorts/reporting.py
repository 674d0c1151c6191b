"""The dashboard's Activity figures (coaching hours, sessions held, attendance rate), in one query.

Answers ``signals.dashboard_activity`` with a ``crm.contributions.ActivityQuery``.
"""
from sqlalchemy import and_, case, func, or_, select

from crm import signals
from crm.cohorts import timeutil
from crm.cohorts.models import Attendance, CohortMembership, ProgrammeSession
from crm.contributions import ActivityFigure, ActivityQuery, ReportScope
from crm.enterprises.models import Activity
from crm.extensions import db
from crm.i18n import _l


def _in_period(column, scope: ReportScope) -> list:
    conditions = []
    if scope.start is not None:
        conditions.append(column >= scope.start)
    if scope.end is not None:
        conditions.append(column < scope.end)
    return conditions


def _dates_in_period(column, scope: ReportScope) -> list:
    conditions = []
    if scope.date_from is not None:
        conditions.append(column >= scope.date_from)
    if scope.date_to is not None:
        conditions.append(column <= scope.date_to)
    return conditions


def activity_values(scope: ReportScope) -> list:
    """[attended coaching minutes, sessions held, attendance records, present records]."""
    ids = scope.enterprise_ids
    session_minutes = (
        select(func.coalesce(func.sum(ProgrammeSession.duration_minutes), 0))
        .join(Attendance, and_(Attendance.session_id == ProgrammeSession.id,
                               Attendance.enterprise_id == ProgrammeSession.enterprise_id))
        .where(ProgrammeSession.enterprise_id.in_(ids), ProgrammeSession.status == "scheduled",
               Attendance.status == "present",
               *_in_period(ProgrammeSession.starts_at, scope))
        .scalar_subquery())
    timeline_minutes = (
        select(func.coalesce(func.sum(Activity.duration_minutes), 0))
        .where(Activity.enterprise_id.in_(ids), Activity.is_coaching.is_(True),
               *_dates_in_period(Activity.occurred_on, scope))
        .scalar_subquery())
    # A session counts when one of the enterprises is its own (individual) or in its cohort.
    cohorts = select(CohortMembership.cohort_id).where(CohortMembership.enterprise_id.in_(ids))
    sessions_held = (
        select(func.count(ProgrammeSession.id))
        .where(ProgrammeSession.status == "scheduled", ProgrammeSession.starts_at <= timeutil.now(),
               or_(ProgrammeSession.enterprise_id.in_(ids), ProgrammeSession.cohort_id.in_(cohorts)),
               *_in_period(ProgrammeSession.starts_at, scope))
        .scalar_subquery())
    attendance = (
        select(func.count(Attendance.id).label("records"),
               func.coalesce(func.sum(case((Attendance.status == "present", 1), else_=0)), 0).label("present"))
        .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id)
        .where(Attendance.enterprise_id.in_(ids), ProgrammeSession.cohort_id.is_not(None),
               ProgrammeSession.status == "scheduled",
               *_in_period(ProgrammeSession.starts_at, scope))
        .subquery())
    row = db.session.execute(
        select(session_minutes, timeline_minutes, sessions_held, attendance.c.records, attendance.c.present)
    ).one()
    return [int(row[0] or 0) + int(row[1] or 0), int(row[2] or 0), int(row[3] or 0), int(row[4] or 0)]


def activity_figures(values: list) -> list[ActivityFigure]:
    minutes, sessions_held, records, present = values
    return [
        ActivityFigure(_l("Coaching hours delivered"), round(minutes / 60, 1), "hours"),
        ActivityFigure(_l("Sessions held"), sessions_held, "number"),
        ActivityFigure(_l("Cohort attendance rate"), present / records if records else None, "percent"),
    ]


@signals.dashboard_activity.connect
def activity_query(_sender, **_extra):
    return ActivityQuery("cohorts", activity_values, activity_figures)
