"""Write operations on cohorts, memberships, sessions and attendance. They flush, never commit.

Each session function that changes what participants were told (create, update, reschedule,
cancel) bumps ``ProgrammeSession.sequence`` and adds a ``SessionChange`` row; the reminders' planner
(crm/reminders/planning.py) reconciles its outbox with them, on its own schedule.
"""
import logging
from datetime import date, datetime

from sqlalchemy import func, select

from crm import signals
from crm.audit import services as audit
from crm.cohorts import timeutil
from crm.cohorts.models import Attendance, Cohort, CohortMembership, ProgrammeSession, SessionChange
from crm.contacts.models import Contact
from crm.db import utcnow
from crm.domain import DomainError
from crm.enterprises.models import Enterprise
from crm.enterprises.services import change_stage
from crm.extensions import db
from crm.formatting import format_decimal
from crm.i18n import _l
from crm.reference import STAGE_ORDER

log = logging.getLogger(__name__)

COHORT_FIELDS = ("name", "kind", "organization_id", "start_date", "end_date", "capacity", "mode",
                 "place", "region_code", "status", "description")
SESSION_FIELDS = ("title", "mode", "place", "meeting_url", "facilitator_id", "agenda")
ATTENDANCE_STATUSES = ("present", "absent", "excused")
# The funnel stage a cohort's kind leads to.
STAGE_FOR_KIND = {"training": "training", "coaching_collective": "coaching_collective"}


def _actor_id(actor):
    return getattr(actor, "id", None)


def active_member_count(cohort: Cohort) -> int:
    return db.session.scalar(
        select(func.count()).select_from(CohortMembership)
        .where(CohortMembership.cohort_id == cohort.id, CohortMembership.left_on.is_(None))
    ) or 0


def _check_cohort(cohort: Cohort, *, members: int) -> None:
    if cohort.end_date < cohort.start_date:
        raise DomainError(_l("The end date must be on or after the start date."), field="end_date")
    if cohort.capacity is None or cohort.capacity < 1:
        raise DomainError(_l("The capacity must be at least 1."), field="capacity")
    if cohort.capacity < members:
        raise DomainError(
            _l("The cohort already has %(count)s enterprises: the capacity cannot be lower.",
               count=format_decimal(members)),
            field="capacity")
    if cohort.id is not None:
        first, last = timeutil.local_day_bounds(cohort.start_date, cohort.end_date)
        outside = db.session.scalar(
            select(func.count()).select_from(ProgrammeSession).where(
                ProgrammeSession.cohort_id == cohort.id, ProgrammeSession.status == "scheduled",
                (ProgrammeSession.starts_at < first) | (ProgrammeSession.ends_at > last)))
        if outside:
            raise DomainError(_l("Some planned sessions would fall outside these dates: move them first."),
                              field="start_date")


def create_cohort(*, actor, facilitators, **values) -> Cohort:
    cohort = Cohort(**values)
    cohort.facilitators = list(facilitators)
    _check_cohort(cohort, members=0)
    db.session.add(cohort)
    db.session.flush()
    audit.record("create", cohort, actor=actor, changes=audit.snapshot(cohort, COHORT_FIELDS))
    log.info("cohort %s created by user %s", cohort.id, _actor_id(actor))
    return cohort


def update_cohort(cohort: Cohort, *, actor, facilitators, **values) -> Cohort:
    for name, value in values.items():
        setattr(cohort, name, value)
    _check_cohort(cohort, members=active_member_count(cohort))
    changes = audit.changed_fields(cohort, COHORT_FIELDS)
    before = sorted(u.id for u in cohort.facilitators)
    cohort.facilitators = list(facilitators)
    after = sorted(u.id for u in cohort.facilitators)
    if before != after:
        changes["facilitators"] = [before, after]
    if changes:
        audit.record("update", cohort, actor=actor, changes=changes)
    log.info("cohort %s updated by user %s", cohort.id, _actor_id(actor))
    return cohort


def _should_move(enterprise: Enterprise, cohort: Cohort) -> bool:
    target = STAGE_FOR_KIND[cohort.kind]
    current = STAGE_ORDER.get(enterprise.stage)  # withdrawn has no order: never moved
    return current is not None and current < STAGE_ORDER[target]


def enrol_enterprises(cohort: Cohort, enterprises, *, actor, move_stage: bool,
                      joined_on: date | None = None) -> tuple[list[Enterprise], list[Enterprise]]:
    """Add enterprises to a cohort (all or none); returns (added, already members)."""
    enterprises = list(enterprises)
    joined_on = joined_on or timeutil.to_local(timeutil.now()).date()
    if cohort.status in ("finished", "cancelled"):
        raise DomainError(_l("This cohort is finished or cancelled: no enterprise can join it."))
    # Two managers enrolling at the same instant: the second waits for the first to commit, then
    # counts its members (PostgreSQL; SQLite lets one writer at a time anyway).
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
    active = set(db.session.scalars(
        select(CohortMembership.enterprise_id)
        .where(CohortMembership.cohort_id == cohort.id, CohortMembership.left_on.is_(None))))
    skipped = [e for e in enterprises if e.id in active]
    new = [e for e in enterprises if e.id not in active]
    if any(e.archived_at is not None for e in new):
        raise DomainError(_l("An archived enterprise cannot join a cohort."), field="enterprise_ids")
    free = cohort.capacity - len(active)
    if len(new) > free:
        raise DomainError(
            _l("The cohort is full: %(free)s places left for %(wanted)s enterprises (capacity %(capacity)s).",
               free=format_decimal(max(free, 0)), wanted=format_decimal(len(new)),
               capacity=format_decimal(cohort.capacity)), field="enterprise_ids")
    for enterprise in new:
        membership = CohortMembership(cohort=cohort, enterprise_id=enterprise.id, joined_on=joined_on,
                                      added_by_id=_actor_id(actor))
        db.session.add(membership)
        db.session.flush()
        audit.record("join_cohort", membership, actor=actor, enterprise_id=enterprise.id,
                     changes={"cohort_id": [None, cohort.id]})
        if move_stage and _should_move(enterprise, cohort):
            change_stage(enterprise, STAGE_FOR_KIND[cohort.kind], actor=actor)
    log.info("%s enterprises joined cohort %s by user %s", len(new), cohort.id, _actor_id(actor))
    return new, skipped


def leave_cohort(membership: CohortMembership, *, actor, left_on: date) -> CohortMembership:
    if membership.left_on is not None:
        raise DomainError(_l("This enterprise already left the cohort."))
    if left_on < membership.joined_on:
        raise DomainError(_l("The leaving date cannot be before the joining date."), field="left_on")
    membership.left_on = left_on
    audit.record("leave_cohort", membership, actor=actor, enterprise_id=membership.enterprise_id,
                 changes={"left_on": [None, left_on.isoformat()]})
    log.info("enterprise %s left cohort %s (user %s)", membership.enterprise_id, membership.cohort_id,
             _actor_id(actor))
    return membership


def _check_times(starts_at: datetime, ends_at: datetime, cohort: Cohort | None) -> None:
    if ends_at <= starts_at:
        raise DomainError(_l("The end must be after the start."), field="end_time")
    if cohort is not None:
        first, last = timeutil.local_day_bounds(cohort.start_date, cohort.end_date)
        if starts_at < first or ends_at > last:
            raise DomainError(
                _l("The session must take place within the cohort's dates."), field="start_date")


def _change(session: ProgrammeSession, kind: str, *, actor, old=(None, None), old_where=None,
            reason=None) -> SessionChange:
    """``old``: the times before a reschedule; ``old_where``: the (place, meeting link) before an edit,
    the same as now when not given."""
    old_place, old_meeting_url = old_where or (session.place, session.meeting_url)
    change = SessionChange(session=session, kind=kind, actor_id=_actor_id(actor), sequence=session.sequence,
                           old_starts_at=old[0], old_ends_at=old[1], new_starts_at=session.starts_at,
                           new_ends_at=session.ends_at, old_place=old_place, new_place=session.place,
                           old_meeting_url=old_meeting_url, new_meeting_url=session.meeting_url,
                           reason=(reason or "").strip() or None)
    db.session.add(change)
    return change


def create_session(*, actor, cohort: Cohort | None = None, enterprise: Enterprise | None = None,
                   starts_at: datetime, ends_at: datetime, **values) -> ProgrammeSession:
    if (cohort is None) == (enterprise is None):
        raise ValueError("a session belongs to a cohort or to one enterprise")
    if cohort is not None and cohort.status == "cancelled":
        raise DomainError(_l("This cohort is cancelled: no session can be planned."))
    _check_times(starts_at, ends_at, cohort)
    owner = cohort or enterprise
    session = ProgrammeSession(cohort=cohort, enterprise=enterprise, organization_id=owner.organization_id,
                      starts_at=starts_at, ends_at=ends_at,
                      duration_minutes=timeutil.minutes_between(starts_at, ends_at),
                      created_by_id=_actor_id(actor), **values)
    db.session.add(session)
    db.session.flush()
    _change(session, "created", actor=actor)
    audit.record("create", session, actor=actor, enterprise_id=session.enterprise_id,
                 changes=audit.snapshot(session, SESSION_FIELDS + ("starts_at", "ends_at")))
    log.info("session %s created by user %s", session.id, _actor_id(actor))
    signals.session_planned.send(session, actor=actor)
    return session


def update_session(session: ProgrammeSession, *, actor, **values) -> ProgrammeSession:
    """Title, mode, place, link, facilitator, agenda; times go through ``reschedule_session``."""
    _refuse_if_cancelled(session)
    where = (session.place, session.meeting_url)
    for name, value in values.items():
        setattr(session, name, value)
    changes = audit.changed_fields(session, SESSION_FIELDS)
    if changes:
        session.sequence += 1
        _change(session, "updated", actor=actor, old_where=where)
        audit.record("update", session, actor=actor, enterprise_id=session.enterprise_id, changes=changes)
    return session


def reschedule_session(session: ProgrammeSession, *, actor, starts_at: datetime, ends_at: datetime,
                       reason: str | None = None) -> ProgrammeSession:
    _refuse_if_cancelled(session)
    _check_times(starts_at, ends_at, session.cohort)
    old = (session.starts_at, session.ends_at)
    if timeutil.to_local(old[0]) == timeutil.to_local(starts_at) and \
            timeutil.to_local(old[1]) == timeutil.to_local(ends_at):
        raise DomainError(_l("These are already the session's times."), field="start_time")
    session.starts_at, session.ends_at = starts_at, ends_at
    session.duration_minutes = timeutil.minutes_between(starts_at, ends_at)
    session.sequence += 1
    _change(session, "rescheduled", actor=actor, old=old, reason=reason)
    audit.record("reschedule", session, actor=actor, enterprise_id=session.enterprise_id,
                 changes={"starts_at": [old[0].isoformat(), starts_at.isoformat()],
                          "ends_at": [old[1].isoformat(), ends_at.isoformat()]},
                 context={"reason": reason} if reason else None)
    log.info("session %s rescheduled by user %s", session.id, _actor_id(actor))
    signals.session_rescheduled.send(session, old_starts_at=old[0], old_ends_at=old[1], actor=actor)
    return session


def cancel_session(session: ProgrammeSession, *, actor, reason: str | None = None) -> ProgrammeSession:
    _refuse_if_cancelled(session)
    session.status = "cancelled"
    session.cancelled_at = timeutil.now()
    session.sequence += 1
    _change(session, "cancelled", actor=actor, reason=reason)
    audit.record("cancel", session, actor=actor, enterprise_id=session.enterprise_id,
                 changes={"status": ["scheduled", "cancelled"]},
                 context={"reason": reason} if reason else None)
    log.info("session %s cancelled by user %s", session.id, _actor_id(actor))
    signals.session_cancelled.send(session, actor=actor)
    return session


def _refuse_if_cancelled(session: ProgrammeSession) -> None:
    if session.is_cancelled:
        raise DomainError(_l("This session is cancelled and can no longer change."))


def record_attendance(session: ProgrammeSession, marks: dict[int, str], came: dict[int, set[int]], *,
                      actor, participants) -> list[Attendance]:
    """Mark each participating enterprise present, absent or excused (and which contacts came).

    ``participants`` is ``queries.session_participants(session)``: only they can be marked.
    """
    _refuse_if_cancelled(session)
    if session.starts_utc > timeutil.now():
        raise DomainError(_l("Attendance can be taken once the session has started."))
    allowed = {p.enterprise.id: p for p in participants}
    unknown = set(marks) - set(allowed)
    if unknown or any(status not in ATTENDANCE_STATUSES for status in marks.values()):
        raise DomainError(_l("Choose present, absent or excused for enterprises of this session only."))
    existing = {a.enterprise_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id))}
    contact_ids = set().union(*came.values()) if came else set()
    contacts = {c.id: c for c in db.session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))} \
        if contact_ids else {}
    saved = []
    for enterprise_id, status in marks.items():
        chosen = [contacts[i] for i in came.get(enterprise_id, ())
                  if i in contacts and contacts[i].enterprise_id == enterprise_id]
        if status != "present":
            chosen = []
        row = existing.get(enterprise_id)
        old = row.status if row else None
        if row is None:
            row = Attendance(session=session, enterprise_id=enterprise_id, status=status, contacts=chosen,
                             recorded_by_id=_actor_id(actor))
            db.session.add(row)
        else:
            row.status, row.contacts = status, chosen
            row.recorded_by_id, row.recorded_at = _actor_id(actor), timeutil.now()
        if old != status:
            db.session.flush()
            audit.record("attendance", row, actor=actor, enterprise_id=enterprise_id,
                         changes={"status": [old, status]}, context={"session_id": session.id})
        if status == "present":
            allowed[enterprise_id].enterprise.last_activity_at = utcnow()  # the caseload's staleness
        saved.append(row)
    session.attendance_taken_at = timeutil.now()
    log.info("attendance of session %s recorded by user %s", session.id, _actor_id(actor))
    return saved
