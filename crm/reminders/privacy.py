"""The contact's Law 25 export: the reminders sent (or planned) to the contact, in one query."""
from sqlalchemy import select

from crm.cohorts.models import Session
from crm.extensions import db
from crm.privacy.export import register_contact_export_section
from crm.reminders.models import Reminder


def _reminders_export(contact) -> list[dict]:
    rows = db.session.execute(
        select(Reminder.session_id, Session.title, Reminder.kind, Reminder.state, Reminder.email,
               Reminder.due_at, Reminder.sent_at, Reminder.message_id)
        .join(Session, Session.id == Reminder.session_id)
        .where(Reminder.contact_id == contact.id)
        .order_by(Reminder.due_at, Reminder.id))
    return [{"session_id": r.session_id, "session": r.title, "kind": r.kind, "state": r.state,
             "email": r.email, "due_at": r.due_at, "sent_at": r.sent_at, "message_id": r.message_id}
            for r in rows]


register_contact_export_section("reminders", _reminders_export)
