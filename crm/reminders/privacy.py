"""Reminders and Law 25: the contact's export (the reminders sent or planned to them) and erasure."""
from sqlalchemy import case, select, update

from crm import signals
from crm.audit.models import AuditEntry
from crm.cohorts import timeutil
from crm.cohorts.models import ProgrammeSession
from crm.extensions import db
from crm.privacy.erasure import ERASED
from crm.reminders.models import Reminder

ANONYMIZED_REASON = "contact anonymized"  # why their pending reminders were cancelled
# What a reminder row or its audit entries may say about the person: the address, and SMTP error
# texts (a refusal quotes the address).
PERSONAL_KEYS = ("email", "last_error")


def _reminders_export(contact) -> list[dict]:
    rows = db.session.execute(
        select(Reminder.session_id, ProgrammeSession.title, Reminder.kind, Reminder.state, Reminder.email,
               Reminder.due_at, Reminder.sent_at, Reminder.message_id)
        .join(ProgrammeSession, ProgrammeSession.id == Reminder.session_id)
        .where(Reminder.contact_id == contact.id)
        .order_by(Reminder.due_at, Reminder.id))
    return [{"session_id": r.session_id, "session": r.title, "kind": r.kind, "state": r.state,
             "email": r.email, "due_at": r.due_at, "sent_at": r.sent_at, "message_id": r.message_id}
            for r in rows]


def _erase_reminders(contact) -> None:
    """Erase the address and errors of the contact's reminders, and cancel those not sent yet.

    The rows, their kinds, states and dates stay for the statistics. Three queries.
    """
    mine = Reminder.contact_id == contact.id
    now = timeutil.now()
    db.session.execute(
        update(Reminder).where(mine)
        .values(email=ERASED, last_error=case((Reminder.last_error.is_(None), None), else_=ERASED), updated_at=now)
        .execution_options(synchronize_session="fetch"))
    db.session.execute(
        update(Reminder).where(mine, Reminder.state == "pending")
        .values(state="cancelled", last_error=ANONYMIZED_REASON, updated_at=now)
        .execution_options(synchronize_session="fetch"))
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == Reminder.__tablename__,
        AuditEntry.entity_id.in_(select(Reminder.id).where(mine))))
    for entry in entries:  # e.g. a resend, whose context keeps the error it replaced
        entry.changes = _erased(entry.changes)
        entry.context = _erased(entry.context)


def _erased(values: dict | None) -> dict | None:
    """``changes`` ({"field": [old, new]}) or ``context`` ({"key": value}) without the personal values."""
    if not values or not any(key in values for key in PERSONAL_KEYS):
        return values
    return {key: _erase(value) if key in PERSONAL_KEYS else value for key, value in values.items()}


def _erase(value):
    if isinstance(value, list):
        return [_erase(item) for item in value]
    return None if value is None else ERASED


@signals.contact_export_sections.connect
def export_section(contact, **_extra):
    return ("reminders", _reminders_export(contact))


@signals.contact_anonymized.connect
def erase(contact, **_extra):
    _erase_reminders(contact)
