"""Read queries of cohorts and sessions. Each loads what a page needs in a fixed number of queries."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from crm.access import visible_enterprises, visible_sessions
from crm.auth.models import User
from crm.cohorts import timeutil
from crm.cohorts.models import Attendance, Cohort, CohortMembership, ProgrammeSession, SessionChange
from crm.contacts.models import Contact
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.text import fold


@dataclass
class Participant:
    enterprise: Enterprise
    contacts: list[Contact]  # those who agreed to receive emails
    all_contacts: list[Contact] = field(default_factory=list)


def _session_options():
    return (selectinload(ProgrammeSession.cohort).selectinload(Cohort.facilitators),
            selectinload(ProgrammeSession.enterprise), selectinload(ProgrammeSession.facilitator))


def session_participants(session: ProgrammeSession) -> list[Participant]:
    """Enterprises expected at the session and their contacts who may receive emails.

    A cohort session: the enterprises that belonged to the cohort on the session's (local) date.
    An individual session: its enterprise. Two queries whatever the size.
    """
    query = select(Enterprise).options(selectinload(Enterprise.contacts)).order_by(Enterprise.name_key)
    if session.cohort_id is None:
        query = query.where(Enterprise.id == session.enterprise_id)
    else:
        day = timeutil.to_local(session.starts_at).date()
        query = query.join(CohortMembership, CohortMembership.enterprise_id == Enterprise.id).where(
            CohortMembership.cohort_id == session.cohort_id,
            CohortMembership.joined_on <= day,
            or_(CohortMembership.left_on.is_(None), CohortMembership.left_on > day),
        ).distinct()
    participants = []
    for enterprise in db.session.scalars(query):
        people = [c for c in enterprise.contacts if not c.archived_at and not c.anonymized_at]
        participants.append(Participant(enterprise, [c for c in people if c.can_receive_email], people))
    return participants


@dataclass
class Member:
    """An enterprise's stay in the cohort, as the cohort page shows it."""

    id: int  # the membership's
    enterprise_id: int
    organization_id: int  # the enterprise's
    name: str
    city: str | None
    stage: str
    joined_on: date
    left_on: date | None
    present: int  # cohort sessions held (not cancelled) where the enterprise was present
    absent: int
    contacts: list[tuple[str, str | None]] = field(default_factory=list)  # current ones: (name, email)

    @property
    def attendance_rate(self) -> float | None:
        """Present over present + absent; excused absences do not count against the enterprise."""
        attended = self.present + self.absent
        return self.present / attended if attended else None


# The cohort page's two statements are built once, their cohort bound when they run: building them
# (with their cache keys) cost more Python than running them and reading their rows.
@cache
def _members_statement() -> Select:
    cohort_id = bindparam("cohort_id")
    counted = (
        select(Attendance.enterprise_id,
               func.sum(case((Attendance.status == "present", 1), else_=0)).label("present"),
               func.sum(case((Attendance.status == "absent", 1), else_=0)).label("absent"))
        .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id)
        .where(ProgrammeSession.cohort_id == cohort_id, ProgrammeSession.status == "scheduled")
        .group_by(Attendance.enterprise_id).subquery())
    return (
        select(CohortMembership.id, CohortMembership.enterprise_id, Enterprise.organization_id, Enterprise.name,
               Enterprise.city,
               Enterprise.stage, CohortMembership.joined_on, CohortMembership.left_on,
               counted.c.present, counted.c.absent, Contact.first_name, Contact.last_name, Contact.email)
        .join(Enterprise, Enterprise.id == CohortMembership.enterprise_id)
        .outerjoin(counted, counted.c.enterprise_id == CohortMembership.enterprise_id)
        .outerjoin(Contact, and_(Contact.enterprise_id == Enterprise.id, Contact.archived_at.is_(None),
                                 Contact.anonymized_at.is_(None)))
        .where(CohortMembership.cohort_id == cohort_id)
        .order_by(CohortMembership.left_on.is_not(None), CohortMembership.joined_on, CohortMembership.id,
                  Contact.last_name, Contact.first_name, Contact.id))


class SessionLine(NamedTuple):
    """A session as ``_macros.html:session_table`` lists it (without its owner), from plain rows."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    mode: str
    facilitator_name: str | None

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


@cache
def _sessions_statement() -> Select:
    return (
        select(ProgrammeSession.id, ProgrammeSession.title, ProgrammeSession.starts_at, ProgrammeSession.ends_at,
               ProgrammeSession.status, ProgrammeSession.mode, User.full_name)
        .outerjoin(User, User.id == ProgrammeSession.facilitator_id)
        .where(ProgrammeSession.cohort_id == bindparam("cohort_id"))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id))


def cohort_members(cohort_id: int) -> list[Member]:
    """Every membership of the cohort, active first, with its enterprise's current contacts and
    attendance, in one query: one row per contact (or one for an enterprise without any)."""
    members: dict[int, Member] = {}
    for (membership_id, enterprise_id, organization_id, name, city, stage, joined_on, left_on, present, absent,
         first_name, last_name, email) in db.session.execute(_members_statement(), {"cohort_id": cohort_id}):
        member = members.get(membership_id)
        if member is None:
            member = members[membership_id] = Member(membership_id, enterprise_id, organization_id, name, city,
                                                     stage, joined_on, left_on, int(present or 0), int(absent or 0))
        if first_name is not None:
            member.contacts.append((Contact.join_name(first_name, last_name), email))
    return list(members.values())


def cohort_page(cohort: Cohort) -> dict:
    """The cohort page's members (active and former) and sessions, in two queries."""
    members = cohort_members(cohort.id)
    sessions = [SessionLine(*row) for row in db.session.execute(_sessions_statement(), {"cohort_id": cohort.id})]
    return {"active": [m for m in members if m.left_on is None],
            "former": [m for m in members if m.left_on is not None],
            "sessions": sessions}


def enterprise_candidates(user, cohort: Cohort, q: str, limit: int = 20) -> list[Enterprise]:
    """Visible enterprises matching ``q`` that are not active members of the cohort."""
    term = fold(q)
    if not term:
        return []
    members = select(CohortMembership.enterprise_id).where(
        CohortMembership.cohort_id == cohort.id, CohortMembership.left_on.is_(None))
    query = (visible_enterprises(user).where(Enterprise.search_text.contains(term, autoescape=True),
                                             Enterprise.id.not_in(members))
             .order_by(Enterprise.name_key).limit(limit))
    return db.session.scalars(query).unique().all()


def sessions_between(user, start: datetime, end: datetime) -> list[ProgrammeSession]:
    query = (visible_sessions(user).where(ProgrammeSession.starts_at < end, ProgrammeSession.ends_at > start)
             .options(*_session_options()).order_by(ProgrammeSession.starts_at, ProgrammeSession.id))
    return db.session.scalars(query).all()


def upcoming_for_facilitator(user, now: datetime, limit: int = 100) -> list[ProgrammeSession]:
    """"Mes séances": sessions the user runs that have not ended, cancelled ones included."""
    query = (select(ProgrammeSession).where(ProgrammeSession.facilitator_id == user.id, ProgrammeSession.ends_at > now)
             .options(*_session_options()).order_by(ProgrammeSession.starts_at).limit(limit))
    return db.session.scalars(query).all()


def session_page(session: ProgrammeSession) -> dict:
    participants = session_participants(session)
    attendance = {a.enterprise_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id).options(selectinload(Attendance.contacts)))}
    changes = db.session.scalars(
        select(SessionChange).where(SessionChange.session_id == session.id)
        .options(selectinload(SessionChange.actor)).order_by(SessionChange.at.desc(), SessionChange.id.desc())).all()
    return {"participants": participants, "attendance": attendance, "changes": changes}


# --- For other features: the enterprise page and the dashboard ---------------------------------

def coaching_hours(enterprises) -> Select:
    """Coaching minutes per enterprise: individual sessions that took place (attendance present).

    ``enterprises``: a list of ids or a select() of ids (e.g. from ``visible_enterprises``).
    Returns ``select(enterprise_id, minutes)`` to aggregate further in SQL; hours = minutes / 60.
    """
    ids = enterprises if isinstance(enterprises, Select) else list(enterprises)
    return (
        select(ProgrammeSession.enterprise_id.label("enterprise_id"),
               func.sum(ProgrammeSession.duration_minutes).label("minutes"))
        .join(Attendance, and_(Attendance.session_id == ProgrammeSession.id,
                               Attendance.enterprise_id == ProgrammeSession.enterprise_id))
        .where(ProgrammeSession.enterprise_id.in_(ids), ProgrammeSession.status == "scheduled",
               Attendance.status == "present")
        .group_by(ProgrammeSession.enterprise_id)
    )


@dataclass
class EnterpriseSessions:
    memberships: list[CohortMembership]
    upcoming: list[ProgrammeSession]
    past: list[ProgrammeSession]
    attendance: dict[int, Attendance]  # by session id, for this enterprise
    coaching_minutes: int

    @property
    def coaching_hours(self) -> float:
        return self.coaching_minutes / 60


def enterprise_sessions(enterprise_id: int, *, now: datetime | None = None) -> EnterpriseSessions:
    """Everything ``cohorts/_enterprise_sessions.html`` shows, in two queries: the memberships with
    their cohorts, then the sessions with their facilitator and the enterprise's attendance.

    Sessions: the enterprise's individual ones, and those of its cohorts on dates it was a member.
    """
    now = now or timeutil.now()
    # The cohorts' facilitators and organizations are not shown here; a cohort session's cohort is
    # one of these (found in the identity map, no query).
    memberships = db.session.scalars(
        select(CohortMembership).where(CohortMembership.enterprise_id == enterprise_id)
        .options(joinedload(CohortMembership.cohort).options(lazyload(Cohort.facilitators),
                                                             lazyload(Cohort.organization)))
        .order_by(CohortMembership.joined_on.desc())).all()
    windows = [(m.cohort_id, m.joined_on, m.left_on) for m in memberships]
    conditions = [ProgrammeSession.enterprise_id == enterprise_id]
    conditions += [and_(ProgrammeSession.cohort_id == cid, ProgrammeSession.starts_at >= _day_start(joined),
                        *( [ProgrammeSession.starts_at < _day_start(left)] if left else []))
                   for cid, joined, left in windows]
    rows = db.session.execute(
        select(ProgrammeSession, Attendance).where(or_(*conditions))
        .outerjoin(Attendance, and_(Attendance.session_id == ProgrammeSession.id,
                                    Attendance.enterprise_id == enterprise_id))
        .options(joinedload(ProgrammeSession.facilitator).lazyload(User.organization))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)).all()
    sessions = [session for session, _attendance in rows]
    attendance = {session.id: row for session, row in rows if row is not None}
    minutes = sum(s.duration_minutes for s in sessions
                  if s.enterprise_id == enterprise_id and s.status == "scheduled"
                  and attendance.get(s.id) is not None and attendance[s.id].status == "present")
    upcoming = [s for s in sessions if s.ends_utc > now]
    past = [s for s in sessions if s.ends_utc <= now][::-1]
    return EnterpriseSessions(memberships, upcoming, past, attendance, minutes)


def _day_start(day: date) -> datetime:
    return timeutil.local_day_bounds(day, day)[0]


def group_by_local_day(sessions) -> dict[date, list[ProgrammeSession]]:
    days = defaultdict(list)
    for session in sessions:
        days[timeutil.to_local(session.starts_at).date()].append(session)
    return days
