"""Write operations on events and their sessions. They flush, never commit, and audit every change.

Registrations, the waiting list and attendance are in ``registration`` and ``attendance``.
"""
import logging
from datetime import datetime

from sqlalchemy import delete, func, select

from crm.audit import services as audit
from crm.db import as_utc, utcnow
from crm.domain import DomainError
from crm.events import emails, registration
from crm.events.models import Event, EventEmail, EventSession, Registration
from crm.extensions import db
from crm.formatting import format_decimal
from crm.i18n import _l

log = logging.getLogger(__name__)

EVENT_FIELDS = ("title", "kind", "organization_id", "description", "mode", "place", "meeting_url",
                "region_code", "languages", "capacity", "registration_deadline", "double_opt_in", "questions")


def _actor_id(actor):
    return getattr(actor, "id", None)


def _refresh_dates(event: Event) -> None:
    """The first start and the last end, copied from the sessions for the lists."""
    sessions = event.sessions
    event.starts_at = min((s.starts_at for s in sessions), key=as_utc, default=None)
    event.ends_at = max((s.ends_at for s in sessions), key=as_utc, default=None)


def create_event(*, actor, starts_at: datetime, ends_at: datetime, **values) -> Event:
    """A draft event with its first session; published later by ``publish_event``."""
    event = Event(created_by_id=_actor_id(actor), status="draft", **values)
    event.sessions.append(EventSession(starts_at=starts_at, ends_at=ends_at))
    _refresh_dates(event)
    db.session.add(event)
    db.session.flush()
    audit.record("create", event, actor=actor, changes=audit.snapshot(event, EVENT_FIELDS))
    log.info("event %s created by user %s", event.id, _actor_id(actor))
    return event


def confirmed_count(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == "confirmed")) or 0


def update_event(event: Event, *, actor, expected_version: int | None = None, now=None, **values) -> dict:
    if expected_version is not None and expected_version != event.version:
        raise DomainError(_l("Someone else saved this event after you opened the form. Check the current "
                             "values, then save again."))
    confirmed = confirmed_count(event)
    if values.get("capacity") is not None and values["capacity"] < confirmed:
        raise DomainError(_l("%(count)s people already have a seat: the capacity cannot be lower.",
                             count=format_decimal(confirmed)), field="capacity")
    for name, value in values.items():
        if name not in EVENT_FIELDS:
            raise ValueError(f"not an event field: {name}")
        setattr(event, name, value)
    changes = audit.changed_fields(event, EVENT_FIELDS)
    if changes:
        event.sequence += 1
        audit.record("update", event, actor=actor, changes=changes)
        db.session.flush()
        log.info("event %s updated by user %s", event.id, _actor_id(actor))
        if "capacity" in changes:
            registration.fill_seats(event.id, now=now or utcnow())
    return changes


def add_session(event: Event, *, actor, starts_at: datetime, ends_at: datetime, now=None) -> EventSession:
    session = EventSession(starts_at=starts_at, ends_at=ends_at)
    event.sessions.append(session)
    _refresh_dates(event)
    event.sequence += 1
    db.session.flush()
    audit.record("add_session", event, actor=actor,
                 changes={"session": [None, [as_utc(starts_at).isoformat(), as_utc(ends_at).isoformat()]]})
    emails.queue_session_reminders(event, session, now=now or utcnow())
    log.info("event %s: session %s added by user %s", event.id, session.id, _actor_id(actor))
    return session


def remove_session(event: Event, session: EventSession, *, actor) -> None:
    if len(event.sessions) <= 1:
        raise DomainError(_l("An event keeps at least one session."))
    db.session.execute(delete(EventEmail).where(EventEmail.event_session_id == session.id,
                                                EventEmail.state == "pending")
                       .execution_options(synchronize_session=False))
    event.sessions.remove(session)
    _refresh_dates(event)
    event.sequence += 1
    audit.record("remove_session", event, actor=actor,
                 changes={"session": [[as_utc(session.starts_at).isoformat(), as_utc(session.ends_at).isoformat()],
                                      None]})
    db.session.flush()
    log.info("event %s: a session removed by user %s", event.id, _actor_id(actor))


def _set_status(event: Event, status: str, *, actor, action: str) -> None:
    old, event.status = event.status, status
    if status == "open" and event.published_at is None:
        event.published_at = utcnow()
    audit.record(action, event, actor=actor, changes={"status": [old, status]})
    db.session.flush()
    log.info("event %s %s by user %s", event.id, action, _actor_id(actor))


def publish_event(event: Event, *, actor, now=None) -> None:
    """Public from now on, registration open."""
    if event.status != "draft":
        raise DomainError(_l("This event is already published."))
    if event.starts_at is None or as_utc(event.starts_at) <= (now or utcnow()):
        raise DomainError(_l("An event that has started cannot be published."))
    _set_status(event, "open", actor=actor, action="publish")


def close_registration(event: Event, *, actor) -> None:
    if event.status != "open":
        raise DomainError(_l("Registration to this event is not open."))
    _set_status(event, "closed", actor=actor, action="close")


def reopen_registration(event: Event, *, actor) -> None:
    if event.status != "closed":
        raise DomainError(_l("Registration to this event is not closed."))
    _set_status(event, "open", actor=actor, action="reopen")
