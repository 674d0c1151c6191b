"""The reminder planner: reconciles the outbox with the sessions, idempotently.

No hook is needed in the session services: ``plan_all`` runs before every send and compares what
the outbox holds with what each upcoming session needs now.

- Reminders: one row per (recipient, offset), due ``starts_at - offset``. A reschedule moves the
  due time of rows not sent yet; a recipient who is no longer eligible (opted out, enterprise left
  the cohort, facilitator replaced) has their pending rows cancelled.
- Late offsets (a session planned or moved at short notice): a reminder is still sent late while no
  smaller offset has come due, and the last (smallest) offset is sent until the session starts.
  So a session planned three days ahead gets its "7 days" reminder at once and its "1 day" reminder
  the day before, but nobody receives two stale reminders in a row.
- Changes: a recipient already reminded of an older SEQUENCE gets one ``update`` (rescheduled or
  details changed) or one ``cancel`` (session cancelled), keyed by the new SEQUENCE so that each
  change is announced once.
- Sessions that have started get no more reminders or updates.
"""
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from crm import outbox
from crm.cohorts import timeutil
from crm.cohorts.models import ProgrammeSession
from crm.extensions import db
from crm.reminders import queries
from crm.reminders.models import Reminder, SessionReminderOffsets

log = logging.getLogger(__name__)

REVIVABLE = ("pending", "cancelled")  # states the planner may change; never sending/sent/failed


@dataclass
class PlanResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    details: list = field(default_factory=list)


def default_offsets() -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in current_app.config["REMINDER_OFFSETS_MINUTES"] if int(v) > 0},
                        reverse=True))


def plan_all(now: datetime | None = None) -> PlanResult:
    """Reconcile every session that has not started (cancelled ones too) in a fixed number of queries."""
    now = now or timeutil.now()
    result = _cancel_started(now)
    sessions = db.session.scalars(
        select(ProgrammeSession).where(ProgrammeSession.starts_at > now)
        .options(selectinload(ProgrammeSession.facilitator))).all()
    _plan(sessions, now, result)
    return result


def plan_session(session: ProgrammeSession, now: datetime | None = None) -> PlanResult:
    result = PlanResult()
    _plan([session], now or timeutil.now(), result)
    return result


def _cancel_started(now: datetime) -> PlanResult:
    """Pending emails of sessions that have started are pointless now (cancellations included)."""
    started = select(ProgrammeSession.id).where(ProgrammeSession.starts_at <= now)
    count = db.session.execute(
        update(Reminder).where(Reminder.state == "pending", Reminder.session_id.in_(started))
        .values(state="cancelled", last_error="session started before sending", updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    return PlanResult(cancelled=count or 0)


def _plan(sessions, now: datetime, result: PlanResult) -> None:
    if not sessions:
        return
    ids = [s.id for s in sessions]
    overrides = {o.session_id: o.minutes for o in db.session.scalars(
        select(SessionReminderOffsets).where(SessionReminderOffsets.session_id.in_(ids)))}
    recipients = queries.recipients_by_session(sessions)
    existing = defaultdict(list)
    for row in db.session.scalars(select(Reminder).where(Reminder.session_id.in_(ids))):
        existing[row.session_id].append(row)
    defaults = default_offsets()
    inserts, changes = [], []
    for session in sessions:
        desired = _desired(session, overrides.get(session.id, defaults), recipients[session.id],
                           existing[session.id], now)
        _diff(session, desired, existing[session.id], now, inserts, changes)
    _write(inserts, changes, now)
    result.created += len(inserts)
    result.updated += sum(1 for c in changes if c["b_state"] == "pending")
    result.cancelled += sum(1 for c in changes if c["b_state"] == "cancelled")
    if inserts or changes:
        log.info("reminders planned: %s new, %s changed", len(inserts), len(changes))


def _desired(session, offsets, recipients, rows, now) -> dict:
    """What the outbox should hold as pending for this session now: key → (recipient, due_at)."""
    starts = session.starts_utc
    if starts <= now:
        return {}
    desired = {}
    if not session.is_cancelled:
        ordered = sorted(offsets, reverse=True)
        for position, offset in enumerate(ordered):
            # Worth sending until the next (smaller) offset comes due, or until the start for the last.
            window_end = starts - timedelta(minutes=ordered[position + 1]) if position + 1 < len(ordered) else starts
            if now < window_end:
                for r in recipients:
                    desired[(r.key, "reminder", offset, 0)] = (r, starts - timedelta(minutes=offset))
    told = {}  # recipient key → highest SEQUENCE they were sent
    for row in rows:
        if row.state == "sent" and row.kind in ("reminder", "update") and row.sent_sequence is not None:
            told[row.recipient_key] = max(told.get(row.recipient_key, -1), row.sent_sequence)
    kind = "cancel" if session.is_cancelled else "update"
    for r in recipients:
        if r.key in told and told[r.key] < session.sequence:
            desired[(r.key, kind, 0, session.sequence)] = (r, now)
    return desired


def _key(row: Reminder) -> tuple:
    return (row.recipient_key, row.kind, row.offset_minutes, row.sequence)


def _diff(session, desired, rows, now, inserts, changes) -> None:
    seen = set()
    for row in rows:
        key = _key(row)
        seen.add(key)
        if row.state not in REVIVABLE:
            continue
        if key in desired:
            recipient, due = desired[key]
            # Updates and cancellations keep the due time they were queued with.
            due = due if row.kind == "reminder" else row.due_utc
            if (row.state, row.due_utc, row.email, row.language) != ("pending", due, recipient.email,
                                                                      recipient.language):
                changes.append(_change(row, "pending", due, recipient.email, recipient.language))
        elif row.state == "pending":
            changes.append(_change(row, "cancelled", row.due_utc, row.email, row.language))
    for key, (recipient, due) in desired.items():
        if key not in seen:
            _, kind, offset, sequence = key
            inserts.append({
                "session_id": session.id, "recipient_kind": recipient.kind, "recipient_key": recipient.key,
                "contact_id": recipient.contact_id, "user_id": recipient.user_id, "email": recipient.email,
                "language": recipient.language, "kind": kind, "offset_minutes": offset, "sequence": sequence,
                "due_at": due, "state": "pending", "attempts": 0, "message_id": new_message_id(),
                "created_at": now, "updated_at": now,
            })


def _change(row, state, due, email, language) -> dict:
    return {"b_id": row.id, "b_state": state, "b_due": due, "b_email": email, "b_language": language}


def new_message_id() -> str:
    return outbox.new_message_id("reminder")


def _write(inserts, changes, now) -> None:
    table = Reminder.__table__
    if inserts:
        # Two planners at the same moment (two senders) must not fail on each other's rows.
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        db.session.execute(insert(table).on_conflict_do_nothing(), inserts)
    if changes:
        # Guarded by state: a row a sender claimed meanwhile is left alone.
        statement = (table.update()
                     .where(table.c.id == bindparam("b_id"),
                            (table.c.state == "pending") | (table.c.state == "cancelled"))
                     .values(state=bindparam("b_state"), due_at=bindparam("b_due"), email=bindparam("b_email"),
                             language=bindparam("b_language"), updated_at=now))
        db.session.execute(statement, changes)
    if inserts or changes:
        db.session.expire_all()
