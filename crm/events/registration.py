"""Registrations: a seat or the waiting list, never more seats than the capacity.

Every decision about seats (a registration, a confirmed address, a cancellation, a new capacity)
starts by locking the event's row (``lock_event``) and counts the seats taken after the lock: on
PostgreSQL a ``SELECT … FOR UPDATE``, so concurrent registrations to one event take their turn
while other events are not held; on SQLite an ``UPDATE`` of the row, which takes the database's
write lock. The lock is released by the request's commit (crm/transaction.py).

The waiting list is ordered by ``waiting_since`` (then id); a seat that frees promotes the first
waiting person at once, and each decision queues its email in the events' outbox (``emails``).
"""
import logging
from datetime import datetime

from sqlalchemy import func, select, update

from crm import signals
from crm.db import as_utc
from crm.domain import DomainError
from crm.events import emails, matching
from crm.events.models import Event, Registration
from crm.extensions import db
from crm.i18n import _l
from crm.text import fold

log = logging.getLogger(__name__)

ACTIVE = ("unconfirmed", "confirmed", "waiting")


class RegistrationClosed(DomainError):
    def __init__(self):
        super().__init__(_l("Registration to this event is closed."))


def lock_event(event_id: int) -> Event:
    """The event's row, locked until the transaction ends, read again after the lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
    else:
        db.session.execute(update(Event).where(Event.id == event_id).values(sequence=Event.sequence)
                           .execution_options(synchronize_session=False))
    return db.session.get(Event, event_id, populate_existing=True)


def seats_taken(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == "confirmed")) or 0


def register(event_id: int, values: dict, *, answers: dict, language: str, now: datetime) -> Registration:
    """Record a registration from the public form. One per address and event: the same address again
    gets the email of its registration again, and the caller answers the same either way (no one
    learns from the page whether an address is registered)."""
    event = lock_event(event_id)
    if event is None or not event.accepts_registrations(now):
        raise RegistrationClosed()
    email_key = values["email"].casefold()
    existing = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.email_key == email_key,
        Registration.status.in_(ACTIVE)).limit(1))
    if existing is not None:
        emails.queue_status_again(existing, now=now)
        log.info("event %s: registration %s asked again", event.id, existing.id)
        return existing
    registration = Registration(event_id=event.id, email_key=email_key, search_text=search_text(values),
                                language=language, answers=answers or None, match_status="pending",
                                status="unconfirmed", created_at=now, updated_at=now, **values)
    if not event.double_opt_in:
        _place(event, registration, now)  # before the insert: one write instead of two
    db.session.add(registration)
    db.session.flush()
    if event.double_opt_in:
        emails.queue(registration, "address", now=now)
    else:
        _announce(event, registration, now)
    log.info("event %s: registration %s (%s)", event.id, registration.id, registration.status)
    signals.registration_created.send(registration, event=event)
    return registration


def search_text(values: dict) -> str:
    return " ".join(fold(values.get(name)) for name in ("first_name", "last_name", "enterprise_name", "email")
                    if values.get(name))


def _place(event: Event, registration: Registration, now: datetime) -> None:
    """The address is known to be the person's: a seat if one is free, else the waiting list. The
    seats are counted under the event's lock (``lock_event``), this registration not among them."""
    registration.address_confirmed_at = registration.address_confirmed_at or now
    if seats_taken(event.id) < event.capacity:
        registration.status, registration.confirmed_at = "confirmed", now
    else:
        registration.status, registration.waiting_since = "waiting", now


def _announce(event: Event, registration: Registration, now: datetime) -> None:
    """Its email (and reminders), then its enterprise."""
    if registration.status == "confirmed":
        emails.queue_confirmation(event, registration, "confirmed", now=now)
    else:
        emails.queue(registration, "waiting", now=now)
    matching.match(event, registration)


def confirm_address(registration: Registration, *, now: datetime) -> bool:
    """The link of the double opt-in email; returns False when there was nothing to confirm."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status != "unconfirmed":
        return False
    if as_started(event, now):
        raise RegistrationClosed()
    _place(event, registration, now)
    db.session.flush()
    _announce(event, registration, now)
    log.info("event %s: registration %s confirmed its address (%s)", event.id, registration.id,
             registration.status)
    return True


def as_started(event: Event, now: datetime) -> bool:
    return event.starts_at is None or as_utc(event.starts_at) <= now


def cancel(registration: Registration, *, now: datetime, actor=None) -> bool:
    """Cancel (by the person through their link, or by a manager: ``actor``); a freed seat goes to
    the first waiting person at once. Returns False when it was already cancelled."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == "cancelled":
        return False
    had_seat = registration.status == "confirmed"
    registration.status, registration.cancelled_at = "cancelled", now
    emails.cancel_pending(registration, now=now)
    if actor is not None:
        emails.queue(registration, "cancelled", now=now)
    db.session.flush()
    log.info("event %s: registration %s cancelled by %s", event.id, registration.id,
             f"user {actor.id}" if actor is not None else "the person")
    if had_seat:
        fill_seats(event.id, now=now, locked=event)
    return True


def fill_seats(event_id: int, *, now: datetime, locked: Event | None = None) -> list[Registration]:
    """Give the free seats to the first waiting people, each emailed; nothing once the event started."""
    event = locked or lock_event(event_id)
    if as_started(event, now):
        return []
    free = event.capacity - seats_taken(event.id)
    if free <= 0:
        return []
    promoted = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.status == "waiting")
        .order_by(Registration.waiting_since, Registration.id).limit(free)))
    for registration in promoted:
        registration.status, registration.confirmed_at = "confirmed", now
        db.session.flush()
        emails.queue_confirmation(event, registration, "promoted", now=now)
        log.info("event %s: registration %s promoted from the waiting list", event.id, registration.id)
    return promoted
