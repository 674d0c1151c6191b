"""The dashboard's Activity figures (coaching hours, sessions held, attendance rate), in one query.

Answers ``signals.dashboard_activity`` with a ``crm.contributions.ActivityQuery``.
"""
from sqlalchemy import and_, case, func, literal, or_, select, union_all

from crm import signals
from crm.cohorts import timeutil
from crm.cohorts.models import Attendance, CohortMembership, ProgrammeSession, attendance_contacts
from crm.contributions import ActivityFigure, ActivityQuery, Indicator, ReportIndicators, ReportScope
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


def _sessions_held(scope: ReportScope):
    """Sessions of the period already started, not cancelled: a session counts when one of the
    enterprises is its own (individual) or in its cohort."""
    ids = scope.enterprise_ids
    cohorts = select(CohortMembership.cohort_id).where(CohortMembership.enterprise_id.in_(ids))
    return (select(func.count(ProgrammeSession.id))
            .where(ProgrammeSession.status == "scheduled", ProgrammeSession.starts_at <= timeutil.now(),
                   or_(ProgrammeSession.enterprise_id.in_(ids), ProgrammeSession.cohort_id.in_(cohorts)),
                   *_in_period(ProgrammeSession.starts_at, scope))
            .scalar_subquery())


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
    sessions_held = _sessions_held(scope)
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


# --- The ministry's report pack ------------------------------------------------------------------

def _coaching_minutes(scope: ReportScope):
    """Minutes of individual coaching sessions attended, and of coaching entries of the timeline."""
    sessions = (select(ProgrammeSession.enterprise_id.label("enterprise_id"),
                       ProgrammeSession.duration_minutes.label("coaching_minutes"), literal(0).label("people"))
                .join(Attendance, and_(Attendance.session_id == ProgrammeSession.id,
                                       Attendance.enterprise_id == ProgrammeSession.enterprise_id))
                .where(ProgrammeSession.enterprise_id.in_(scope.enterprise_ids),
                       ProgrammeSession.status == "scheduled", Attendance.status == "present",
                       *_in_period(ProgrammeSession.starts_at, scope)))
    timeline = (select(Activity.enterprise_id, func.coalesce(Activity.duration_minutes, 0), literal(0))
                .where(Activity.enterprise_id.in_(scope.enterprise_ids), Activity.is_coaching.is_(True),
                       *_dates_in_period(Activity.occurred_on, scope)))
    return sessions, timeline


def pack_measures(scope: ReportScope):
    """Per enterprise: coaching minutes, and its distinct people marked present at a session of the
    period (a contact belongs to one enterprise, the one whose attendance lists it, so the counts add
    up)."""
    sessions, timeline = _coaching_minutes(scope)
    # The distinct pairs first, then counted: hashed, where count(DISTINCT) sorted them all.
    present = (select(Attendance.enterprise_id, attendance_contacts.c.contact_id).distinct()
               .join(attendance_contacts, attendance_contacts.c.attendance_id == Attendance.id)
               .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id)
               .where(Attendance.enterprise_id.in_(scope.enterprise_ids), Attendance.status == "present",
                      ProgrammeSession.status == "scheduled", *_in_period(ProgrammeSession.starts_at, scope))
               .subquery("present"))
    people = select(present.c.enterprise_id, literal(0), func.count()).group_by(present.c.enterprise_id)
    return union_all(sessions, timeline, people)


def pack_totals(scope: ReportScope) -> dict:
    """Sessions held: a cohort's session gathers enterprises of several regions, so it is counted for
    the whole scope only (one query)."""
    return {"sessions_held": int(db.session.scalar(select(_sessions_held(scope))) or 0)}


@signals.report_indicators.connect
def report_indicators(_sender, **_extra):
    return ReportIndicators(
        "cohorts",
        (
            Indicator("people", _l("People who took part"),
                      _l("Distinct contacts marked present at a training or coaching session held during the "
                         "period; a person at several sessions counts once.")),
            Indicator("coaching_hours", _l("Coaching hours"),
                      _l("Hours of individual coaching sessions of the period attended by the enterprise, and "
                         "of coaching entries of its timeline dated within the period."),
                      kind="hours", value="coaching_minutes", divisor=60),
            Indicator("sessions_held", _l("Sessions held"),
                      _l("Sessions of the period, not cancelled and already started, of a cohort with an "
                         "enterprise of the scope or of an enterprise of the scope (individual coaching). "
                         "Not broken down: a cohort's session gathers enterprises of several groups.")),
        ),
        measures=pack_measures, totals=pack_totals, order=10, heading=_l("Training and coaching"),
    )
