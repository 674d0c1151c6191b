"""Where events meet the other features: their answers to the signals of the reminders worker (the
events' outbox), a contact's erasure and a contact's export (crm/signals.py)."""
from sqlalchemy import select, update

from crm import signals
from crm.db import utcnow
from crm.events import emails
from crm.events.models import Event, EventEmail, Registration
from crm.extensions import db

ERASED = "—"  # stored in place of what identified the person: the row stays for the counts


@signals.outboxes.connect
def send_event_emails(_sender, *, me, **_extra):
    return emails.send_due(me=me)


@signals.contact_anonymized.connect
def erase_registrations(contact, **_extra):
    """The contact's registrations keep their status and attendance (the event's figures), not the person."""
    ids = select(Registration.id).where(Registration.contact_id == contact.id).scalar_subquery()
    db.session.execute(update(EventEmail).where(EventEmail.registration_id.in_(ids), EventEmail.state == "pending")
                       .values(state="cancelled", last_error="registration erased")
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Registration)
                       .where(Registration.contact_id == contact.id, Registration.anonymized_at.is_(None))
                       .values(first_name=ERASED, last_name="", email=ERASED, email_key=ERASED, search_text="",
                               role=None, answers=None, anonymized_at=utcnow())
                       .execution_options(synchronize_session=False))


def _registrations_export(contact) -> list[dict]:
    rows = db.session.execute(
        select(Registration, Event.title).join(Event, Event.id == Registration.event_id)
        .where(Registration.contact_id == contact.id).order_by(Registration.created_at, Registration.id))
    return [{"event": title, "status": r.status, "registered_at": r.created_at, "first_name": r.first_name,
             "last_name": r.last_name, "email": r.email, "role": r.role, "enterprise_name": r.enterprise_name,
             "neq": r.neq, "city": r.city, "answers": r.answers, "consent_reminders": r.consent_reminders,
             "consent_follow_up": r.consent_follow_up, "attended_at": r.attended_at}
            for r, title in rows.all()]


@signals.contact_export_sections.connect
def export_section(contact, **_extra):
    return ("event_registrations", _registrations_export(contact))
