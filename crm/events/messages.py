"""A manager's message to the people registered to an event, queued in the events' outbox."""
import logging
from datetime import datetime

from sqlalchemy import select

from crm.events import emails
from crm.events.models import Event, EventMessage, Registration
from crm.extensions import db

log = logging.getLogger(__name__)


def send_message(event: Event, *, subject: str, body: str, include_waiting: bool, actor, now: datetime) -> EventMessage:
    statuses = ("confirmed", "waiting") if include_waiting else ("confirmed",)
    recipients = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(statuses),
        Registration.anonymized_at.is_(None))))
    message = EventMessage(event_id=event.id, subject=subject, body=body, include_waiting=include_waiting,
                           recipients=len(recipients), sent_by_id=getattr(actor, "id", None), created_at=now)
    db.session.add(message)
    db.session.flush()
    emails.queue_message(event, message, recipients, now=now)
    log.info("event %s: message %s to %s people queued by user %s", event.id, message.id, len(recipients),
             getattr(actor, "id", None))
    return message
