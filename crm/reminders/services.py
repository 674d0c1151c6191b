"""Write operations on reminders: opting out, resending a failed one, per-session offsets.

They flush and never commit.
"""
import logging

from sqlalchemy import update

from crm.audit import services as audit
from crm.cohorts import timeutil
from crm.contacts.models import EMAIL_PURPOSE, Contact
from crm.contacts.services import withdraw_consent
from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _l
from crm.reminders.models import Reminder, SessionReminderOffsets, parse_offsets

log = logging.getLogger(__name__)

OPTOUT_SOURCE = "reminder email opt-out link"
MAX_OFFSETS = 5
MAX_OFFSET_MINUTES = 60 * 24 * 60  # 60 days


def opt_out(contact: Contact, *, one_click: bool) -> bool:
    """Withdraw the contact's email consent (Law 25) and cancel their pending reminders.

    Returns False when consent was already withdrawn (nothing changes, nothing is recorded twice).
    """
    if not contact.email_consent:
        return False
    now = timeutil.now()
    # Recorded like any withdrawal (consent history, audit); email_consent is cleared.
    withdraw_consent(contact, EMAIL_PURPOSE, source=OPTOUT_SOURCE, actor=None, at=now)
    db.session.execute(
        update(Reminder).where(Reminder.contact_id == contact.id, Reminder.state == "pending")
        .values(state="cancelled", last_error="contact opted out", updated_at=now)
        .execution_options(synchronize_session=False))
    log.info("contact %s opted out of reminders (one-click: %s)", contact.id, one_click)
    return True


def resend(reminder: Reminder, *, actor) -> Reminder:
    """Put a failed reminder back in the outbox, due now, with a fresh count of attempts."""
    if reminder.state != "failed":
        raise DomainError(_l("Only a failed reminder can be sent again."))
    old_error = reminder.last_error
    reminder.state = "pending"
    reminder.attempts = 0
    reminder.next_attempt_at = None
    reminder.due_at = timeutil.now()
    reminder.claimed_at = reminder.claimed_by = None
    db.session.flush()
    audit.record("resend_reminder", reminder, actor=actor, enterprise_id=reminder.session.enterprise_id,
                 changes={"state": ["failed", "pending"]}, context={"last_error": old_error})
    log.info("reminder %s queued again by user %s", reminder.id, getattr(actor, "id", None))
    return reminder


def set_session_offsets(session, text: str, *, actor) -> SessionReminderOffsets | None:
    """Replace the session's offsets (minutes, comma-separated); blank text restores the defaults."""
    text = (text or "").strip()
    existing = db.session.get(SessionReminderOffsets, session.id)
    if not text:
        if existing is not None:
            db.session.delete(existing)
            audit.record("reminder_offsets", session, actor=actor, enterprise_id=session.enterprise_id,
                         changes={"offsets": [existing.offsets, None]})
        return None
    try:
        minutes = parse_offsets(text)
    except ValueError:
        raise DomainError(_l("Enter minutes before the session, separated by commas, for example 2880, 60."),
                          field="offsets") from None
    if len(minutes) > MAX_OFFSETS or max(minutes) > MAX_OFFSET_MINUTES:
        raise DomainError(_l("At most 5 reminders, each at most 60 days (86400 minutes) before the session."),
                          field="offsets")
    value = ",".join(str(m) for m in minutes)
    old = existing.offsets if existing else None
    if existing is None:
        existing = SessionReminderOffsets(session_id=session.id)
        db.session.add(existing)
    existing.offsets, existing.updated_at, existing.updated_by_id = value, timeutil.now(), getattr(actor, "id", None)
    db.session.flush()
    if old != value:
        audit.record("reminder_offsets", session, actor=actor, enterprise_id=session.enterprise_id,
                     changes={"offsets": [old, value]})
    return existing
