"""The events' outbox: every email to a registered person is an ``EventEmail`` row, queued in the
request that decided it and sent by ``flask reminders send`` (crm/outbox.py: claims, retries, a
Message-ID fixed at queuing).

A row holds no address: the registration's is read at send time, with its language, so an erased
registration sends nothing. What a row says is decided when it is sent: a confirmation of a
registration cancelled meanwhile is not sent, a reminder of a session removed was deleted with it.
"""
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from crm import mail, outbox
from crm.cohorts import timeutil
from crm.events import ics
from crm.events.models import Event, EventEmail, EventSession, Registration
from crm.events.queries import waiting_position
from crm.events.tokens import registration_token
from crm.extensions import db
from crm.formatting import clock, format_day
from crm.i18n import _, force_locale

log = logging.getLogger(__name__)

# Kinds sent only while the registration holds a seat.
FOR_SEATS = ("confirmed", "promoted", "reminder")


def queue(registration: Registration, kind: str, *, now: datetime, due_at: datetime | None = None,
          event_session: EventSession | None = None, offset_minutes: int = 0, message=None) -> EventEmail:
    row = EventEmail(registration_id=registration.id, kind=kind, due_at=due_at or now,
                     event_session_id=event_session.id if event_session is not None else None,
                     offset_minutes=offset_minutes, event_message_id=message.id if message is not None else None,
                     state="pending", attempts=0, created_at=now, updated_at=now,
                     message_id=outbox.new_message_id("event"))
    db.session.add(row)
    return row


def reminder_offsets() -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in current_app.config["REMINDER_OFFSETS_MINUTES"] if int(v) > 0},
                        reverse=True))


def queue_reminders(registration: Registration, sessions, *, now: datetime) -> int:
    """The reminders before each session (``REMINDER_OFFSETS_MINUTES``), when the person agreed to them."""
    if not registration.consent_reminders:
        return 0
    queued = 0
    for session in sessions:
        for offset in reminder_offsets():
            due = session.starts_utc - timedelta(minutes=offset)
            if due > now:
                queue(registration, "reminder", now=now, due_at=due, event_session=session, offset_minutes=offset)
                queued += 1
    return queued


def queue_confirmation(event: Event, registration: Registration, kind: str, *, now: datetime) -> None:
    """A seat given (``confirmed``) or freed for a waiting person (``promoted``), and its reminders."""
    queue(registration, kind, now=now)
    queue_reminders(registration, event.sessions, now=now)


def queue_status_again(registration: Registration, *, now: datetime) -> None:
    """The same address registered again: the email of where its registration stands."""
    kind = {"unconfirmed": "address", "confirmed": "confirmed", "waiting": "waiting"}[registration.status]
    queue(registration, kind, now=now)


def queue_session_reminders(event: Event, session: EventSession, *, now: datetime) -> None:
    """A session added after people registered: their reminders of it."""
    for registration in db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == "confirmed",
            Registration.consent_reminders.is_(True))):
        queue_reminders(registration, [session], now=now)


def cancel_pending(registration: Registration, *, now: datetime) -> None:
    db.session.execute(update(EventEmail).where(EventEmail.registration_id == registration.id,
                                                EventEmail.state == "pending")
                       .values(state="cancelled", last_error="registration cancelled", updated_at=now)
                       .execution_options(synchronize_session=False))


def queue_message(event: Event, message, recipients, *, now: datetime) -> int:
    rows = [queue(registration, "message", now=now, message=message) for registration in recipients]
    return len(rows)


# Sending ---------------------------------------------------------------------------------------

def send_due(*, me: str, now: datetime | None = None, batch: int | None = None) -> int:
    """Send the event emails due, batch after batch; returns how many were sent. Commits."""
    return outbox.send_due(EventEmail, me=me, now=now, batch=batch, build=_build, label="event",
                           options=(selectinload(EventEmail.registration).selectinload(Registration.event)
                                    .selectinload(Event.sessions),
                                    selectinload(EventEmail.registration).selectinload(Registration.contact),
                                    selectinload(EventEmail.event_session), selectinload(EventEmail.event_message)))


def _skip_reason(row: EventEmail, now: datetime) -> str | None:
    registration = row.registration
    if registration.anonymized_at is not None:
        return "registration erased"
    if row.kind in FOR_SEATS and registration.status != "confirmed":
        return "registration no longer holds a seat"
    if row.kind == "waiting" and registration.status != "waiting":
        return "registration no longer waiting"
    if row.kind == "address" and registration.status != "unconfirmed":
        return "address already confirmed"
    if row.kind == "message" and registration.status not in ("confirmed", "waiting"):
        return "registration cancelled"
    if row.kind == "reminder" and (row.event_session is None or row.event_session.starts_utc <= now):
        return "session started before sending"
    if row.kind == "reminder" and registration.contact is not None and not registration.contact.can_receive_email:
        return "contact no longer receives emails"  # withdrew the consent since (a reminder's opt-out link)
    return None


def _build(row: EventEmail, now: datetime) -> tuple:
    """(the message, None), or (None, why there is nothing to send)."""
    reason = _skip_reason(row, now)
    if reason is not None:
        return None, reason
    try:
        return build_message(row, now=now), None
    except Exception as error:  # noqa: BLE001 - a bad row must not stop the others
        log.exception("event email %s could not be built", row.id)
        return None, f"could not build the message: {type(error).__name__}"


def when(starts: datetime, ends: datetime, language: str) -> dict:
    """A session's day and times in Québec time, written as ``language`` writes them (« 14 h 30 »)."""
    return {"day": format_day(timeutil.to_local(starts).date(), "full", language),
            "start": clock(starts, language), "end": clock(ends, language)}


def subject(row: EventEmail, event: Event, moment: dict) -> str:
    title = event.title
    if row.kind == "address":
        return _("Confirm your registration: %(title)s", title=title)
    if row.kind == "confirmed":
        return _("Registration confirmed: %(title)s on %(day)s", title=title, day=moment["day"])
    if row.kind == "waiting":
        return _("Waiting list: %(title)s", title=title)
    if row.kind == "promoted":
        return _("A seat is yours: %(title)s on %(day)s", title=title, day=moment["day"])
    if row.kind == "reminder":
        return _("Reminder: %(title)s on %(day)s at %(time)s", title=title, day=moment["day"], time=moment["start"])
    if row.kind == "cancelled":
        return _("Registration cancelled: %(title)s", title=title)
    return row.event_message.subject


def build_message(row: EventEmail, *, now: datetime) -> EmailMessage:
    registration = row.registration
    event = registration.event
    language = registration.language if registration.language in current_app.config["LANGUAGES"] else "fr"
    token = registration_token(registration.id)
    links = {"manage_url": mail.external_url("events.registration_page", token=token, lang=language),
             "confirm_url": mail.external_url("events.confirm_address", token=token, lang=language),
             "event_url": mail.external_url("events.public_event", event_id=event.id, lang=language)}
    session = row.event_session or (event.sessions[0] if event.sessions else None)
    with force_locale(language):
        moment = when(session.starts_at, session.ends_at, language)
        sessions = [when(s.starts_at, s.ends_at, language) for s in event.sessions]
        title = subject(row, event, moment)
        context = {"row": row, "event": event, "registration": registration, "when": moment,
                   "sessions": sessions, "subject": title, "with_details": row.kind in FOR_SEATS,
                   "position": waiting_position(registration) if row.kind == "waiting" else None, **links}
        text = mail.render_email(f"events/email/registration.{language}.txt", context)
        html = mail.render_email(f"events/email/registration.{language}.html", context)
    message = mail.new_message(to=registration.email, subject=title, text=text, html=html,
                               message_id=row.message_id, organization=event.organization.name)
    if row.kind in ("confirmed", "promoted"):
        message.add_attachment(
            ics.calendar_bytes(event, url=links["event_url"], meeting_url=event.meeting_url, dtstamp=now),
            maintype="text", subtype="calendar", filename="evenement.ics",
            params={"method": "PUBLISH", "charset": "utf-8"})
    return message
