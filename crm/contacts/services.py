"""Write operations on contacts and their consent. They flush, never commit, and audit every change.

- ``add_contact`` / ``update_contact`` / ``archive_contact``: the people of an enterprise; each
  change refreshes the enterprise's search keys (its contacts' names and emails are searched).
- ``grant_consent`` / ``withdraw_consent``: consent is specific to a purpose, recorded in
  ``ConsentEvent`` and audited; the Contact's ``email_consent`` columns follow ``EMAIL_PURPOSE``,
  so a withdrawal stops reminders at once.
"""
import logging

from sqlalchemy import select

from crm.audit import services as audit
from crm.contacts.models import EMAIL_PURPOSE, PURPOSES, ConsentEvent, Contact
from crm.db import utcnow
from crm.domain import DomainError
from crm.enterprises.models import Enterprise
from crm.enterprises.services import refresh_keys
from crm.extensions import db
from crm.i18n import _l

log = logging.getLogger(__name__)

CONTACT_FIELDS = (
    "first_name", "last_name", "title", "email", "phone", "preferred_language", "email_consent",
    "consent_source",
)


class StaleContact(DomainError):
    """Someone saved the contact after the user opened the form."""

    def __init__(self):
        super().__init__(_l("Someone else saved this contact after you opened the form. Your input is kept "
                            "below: check the current values, then save again."))


def _actor_id(actor):
    return getattr(actor, "id", None)


# Contacts --------------------------------------------------------------------------------------

def _check_consent(contact: Contact, consent: bool) -> None:
    if consent and not contact.email:
        raise DomainError(_l("Consent to emails needs an email address."), field="email")


def _apply_consent(contact: Contact, consent: bool, source: str | None, *, actor) -> None:
    """The contact form's box: recorded per purpose, audited, withdrawable."""
    if consent:
        grant_consent(contact, EMAIL_PURPOSE, source=source or str(_l("Contact form")), actor=actor)
    else:
        withdraw_consent(contact, EMAIL_PURPOSE, source=source, actor=actor)


def add_contact(enterprise: Enterprise, *, actor, context=None, **values) -> Contact:
    consent = bool(values.pop("email_consent", False))
    source = values.pop("consent_source", None)
    contact = Contact(enterprise=enterprise, email_consent=False, **values)
    _check_consent(contact, consent)
    db.session.add(contact)
    db.session.flush()
    refresh_keys(enterprise)
    audit.record("create", contact, actor=actor, enterprise_id=enterprise.id,
                 changes=audit.snapshot(contact, CONTACT_FIELDS), context=context)
    if consent:
        _apply_consent(contact, True, source, actor=actor)
    return contact


def update_contact(contact: Contact, *, actor, expected_version: int | None = None, **values) -> dict:
    """Change a contact; giving or withdrawing consent takes effect at once and records who and when."""
    if expected_version is not None and expected_version != contact.version:
        raise StaleContact()
    consent = bool(values.pop("email_consent", contact.email_consent))
    source = values.pop("consent_source", None)
    for name, value in values.items():
        if name not in CONTACT_FIELDS:
            raise ValueError(f"not a contact field: {name}")
        setattr(contact, name, value)
    _check_consent(contact, consent)
    changes = audit.changed_fields(contact, CONTACT_FIELDS)
    if changes:
        refresh_keys(contact.enterprise)
        audit.record("update", contact, actor=actor, enterprise_id=contact.enterprise_id, changes=changes)
        db.session.flush()
    if consent != bool(contact.email_consent):
        _apply_consent(contact, consent, source, actor=actor)
        changes["email_consent"] = [not consent, consent]
    return changes


def archive_contact(contact: Contact, *, actor) -> None:
    """An archived contact receives nothing and leaves the search, but stays in the history."""
    if contact.archived_at is not None:
        raise DomainError(_l("This contact is already archived."))
    contact.archived_at = utcnow()
    refresh_keys(contact.enterprise)
    audit.record("archive", contact, actor=actor, enterprise_id=contact.enterprise_id,
                 changes={"archived_at": [None, contact.archived_at.isoformat()]})
    db.session.flush()


# Consent ---------------------------------------------------------------------------------------

def consent_in_force(contact: Contact, purpose: str) -> bool:
    if purpose == EMAIL_PURPOSE:
        return bool(contact.email_consent)
    latest = db.session.scalar(
        select(ConsentEvent.granted).where(ConsentEvent.contact_id == contact.id,
                                           ConsentEvent.purpose == purpose)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc()).limit(1)
    )
    return bool(latest)


def _set_consent(contact: Contact, purpose: str, granted: bool, *, source, actor, at=None):
    if purpose not in PURPOSES:
        raise DomainError(_l("Unknown purpose of consent."), field="purpose")
    if contact.anonymized_at is not None and granted:
        raise DomainError(_l("This contact was anonymized."), field="purpose")
    if contact.id is None:
        db.session.flush()
    if consent_in_force(contact, purpose) == granted:
        return None  # nothing changes: a second click on an opt-out link is not an error
    source = (source or "").strip()[:200] or None
    at = at or utcnow()
    event = ConsentEvent(contact_id=contact.id, purpose=purpose, granted=granted, at=at,
                         source=source, recorded_by_id=_actor_id(actor))
    db.session.add(event)
    changes = {}
    if purpose == EMAIL_PURPOSE:
        changes = {"email_consent": [bool(contact.email_consent), granted]}
        contact.email_consent = granted
        contact.consent_at = at
        contact.consent_source = source
        contact.consent_recorded_by_id = _actor_id(actor)
    db.session.flush()
    audit.record("consent_granted" if granted else "consent_withdrawn", contact, actor=actor,
                 enterprise_id=contact.enterprise_id, changes=changes,
                 context={"purpose": purpose, "source": source})
    log.info("consent %s for %s %s of contact %s by user %s",
             "granted" if granted else "withdrawn", purpose, event.id, contact.id, _actor_id(actor))
    return event


def grant_consent(contact: Contact, purpose: str, *, source: str | None, actor, at=None):
    """Record that ``contact`` agrees to ``purpose``; returns the event, or None if already granted."""
    return _set_consent(contact, purpose, True, source=source, actor=actor, at=at)


def withdraw_consent(contact: Contact, purpose: str, *, source: str | None, actor, at=None):
    """Record a withdrawal, effective at once; returns the event, or None if not granted."""
    return _set_consent(contact, purpose, False, source=source, actor=actor, at=at)
