"""What the work queue shows, read in a fixed number of queries whatever the caseload's size: the
follow-ups in one (each list's first rows and its count come from window functions), the sessions
in one, the quiet enterprises in one, and for a manager two more.

Days are Québec days (``crm.domain.QUEBEC``): « today » and « this week » (today and the six days
after) are computed from the local date, and a session's day is its local start.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased

from crm import access
from crm.auth.models import User
from crm.cohorts import timeutil
from crm.cohorts.models import Cohort, ProgrammeSession, cohort_facilitators
from crm.enterprises.models import Enterprise, FollowUpTask
from crm.enterprises.queries import STALE_AFTER
from crm.extensions import db

WEEK_DAYS = 7
SHOWN = 50  # rows per list; the queue says how many more there are
OVERDUE, TODAY, THIS_WEEK = "overdue", "today", "week"


@dataclass
class Rows:
    """A list of the queue: the rows shown and how many match in all."""

    items: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class Queue:
    today: date
    overdue: Rows
    due_today: Rows
    due_this_week: Rows
    sessions_today: list
    sessions_this_week: list
    quiet: Rows
    team_overdue: Rows | None = None  # managers: their coaches' overdue follow-ups
    unassigned: Rows | None = None  # managers: enterprises nobody follows


def first_rows(query: Select, *, limit: int = SHOWN) -> Rows:
    """The first ``limit`` rows and the count, in one statement (``count(*) OVER ()``)."""
    found = db.session.execute(query.add_columns(func.count().over().label("total")).limit(limit)).all()
    return Rows(found, found[0].total if found else 0)


def open_tasks(user, today: date, last_day: date, *, mine: bool) -> dict[str, Rows]:
    """Open follow-ups due by ``last_day`` on enterprises the user may see, by bucket (overdue, today,
    this week), each with its first ``SHOWN`` rows and its count. ``mine``: the user's own; else
    those of the others of the user's organization (a manager's team). Rows carry the task's id,
    title, due day, enterprise (id and name) and assignee's name."""
    bucket = case((FollowUpTask.due_on < today, OVERDUE), (FollowUpTask.due_on == today, TODAY), else_=THIS_WEEK)
    order = (FollowUpTask.due_on, FollowUpTask.id)
    visible = access.visible_enterprises(user).with_only_columns(Enterprise.id)
    query = (select(FollowUpTask.id, FollowUpTask.title, FollowUpTask.due_on, FollowUpTask.enterprise_id,
                    Enterprise.name.label("enterprise_name"), User.full_name.label("assignee_name"),
                    bucket.label("bucket"),
                    func.row_number().over(partition_by=bucket, order_by=order).label("position"),
                    func.count().over(partition_by=bucket).label("total"))
             .join(Enterprise, Enterprise.id == FollowUpTask.enterprise_id)
             .outerjoin(User, User.id == FollowUpTask.assignee_id)
             .where(FollowUpTask.done_at.is_(None), FollowUpTask.due_on <= last_day,
                    FollowUpTask.enterprise_id.in_(visible)))
    if mine:
        query = query.where(FollowUpTask.assignee_id == user.id)
    else:
        query = query.where(or_(FollowUpTask.assignee_id.is_(None), FollowUpTask.assignee_id != user.id),
                            Enterprise.organization_id == user.organization_id)
    ranked = query.subquery()
    buckets = {OVERDUE: Rows(), TODAY: Rows(), THIS_WEEK: Rows()}
    for row in db.session.execute(select(ranked).where(ranked.c.position <= SHOWN)
                                  .order_by(ranked.c.bucket, ranked.c.position)):
        buckets[row.bucket].items.append(row)
        buckets[row.bucket].total = row.total
    return buckets


def own_sessions(user) -> Select:
    """Sessions that are the user's: the organization's for a manager; for a coach, those they
    facilitate (themselves or through the cohort) and the individual sessions of their enterprises."""
    if access.can_view_team(user):
        return select(ProgrammeSession).where(ProgrammeSession.organization_id == user.organization_id)
    facilitated = select(cohort_facilitators.c.cohort_id).where(cohort_facilitators.c.user_id == user.id)
    coached = select(Enterprise.id).where(Enterprise.coach_id == user.id)
    return access.visible_sessions(user).where(or_(
        ProgrammeSession.facilitator_id == user.id, ProgrammeSession.cohort_id.in_(facilitated),
        ProgrammeSession.enterprise_id.in_(coached)))


def sessions_between(user, first: date, last: date) -> list:
    """The user's scheduled sessions starting on local days ``first`` to ``last``, in order: rows of
    the session's id, title, start and what it is for (its cohort's name or its enterprise's)."""
    start, end = timeutil.local_day_bounds(first, last)
    coached = aliased(Enterprise)
    query = (own_sessions(user)
             .with_only_columns(ProgrammeSession.id, ProgrammeSession.title, ProgrammeSession.starts_at,
                                func.coalesce(Cohort.name, coached.name).label("for_whom"))
             .outerjoin(Cohort, Cohort.id == ProgrammeSession.cohort_id)
             .outerjoin(coached, coached.id == ProgrammeSession.enterprise_id)
             .where(ProgrammeSession.status == "scheduled", ProgrammeSession.starts_at >= start,
                    ProgrammeSession.starts_at < end)
             .order_by(ProgrammeSession.starts_at, ProgrammeSession.id).limit(SHOWN))
    return db.session.execute(query).all()


def quiet_enterprises(user, now: datetime) -> Select:
    """Enterprises without activity for 30 days: the coach's own, or the organization's (managers),
    the quietest first; rows of id, name and last activity."""
    last = func.coalesce(Enterprise.last_activity_at, Enterprise.created_at)
    query = (access.visible_enterprises(user).with_only_columns(Enterprise.id, Enterprise.name,
                                                               last.label("last_activity"))
             .where(last < now - STALE_AFTER).order_by(last, Enterprise.id))
    if access.can_view_team(user):
        return query.where(Enterprise.organization_id == user.organization_id)
    return query.where(Enterprise.coach_id == user.id)


def unassigned_enterprises(user) -> Select:
    """The organization's enterprises that no coach follows, the oldest first."""
    return (access.visible_enterprises(user)
            .with_only_columns(Enterprise.id, Enterprise.name, Enterprise.city, Enterprise.created_at)
            .where(Enterprise.organization_id == user.organization_id, Enterprise.coach_id.is_(None))
            .order_by(Enterprise.created_at, Enterprise.id))


def work_queue(user, today: date, now: datetime) -> Queue:
    """The queue of ``user`` on the Québec day ``today`` (``now``: the UTC instant, for staleness)."""
    week_end = today + timedelta(days=WEEK_DAYS - 1)
    tasks = open_tasks(user, today, week_end, mine=True)
    sessions = sessions_between(user, today, week_end)
    queue = Queue(
        today=today, overdue=tasks[OVERDUE], due_today=tasks[TODAY], due_this_week=tasks[THIS_WEEK],
        sessions_today=[s for s in sessions if timeutil.to_local(s.starts_at).date() == today],
        sessions_this_week=[s for s in sessions if timeutil.to_local(s.starts_at).date() != today],
        quiet=first_rows(quiet_enterprises(user, now)),
    )
    if access.can_view_team(user):
        queue.team_overdue = open_tasks(user, today, today - timedelta(days=1), mine=False)[OVERDUE]
        queue.unassigned = first_rows(unassigned_enterprises(user))
    return queue
