"""Write operations of the privacy module. They flush, never commit; the caller commits once.

Consent is recorded by the contacts feature (``crm.contacts.services.grant_consent`` /
``withdraw_consent``); this module keeps Law 25's other duties:

- ``record_access``: the access log (who viewed or exported personal information).
- ``anonymize_contact``: erasure that keeps statistics; ``anonymize_expired_contacts``: retention.
- ``create_incident`` / ``update_incident``: the confidentiality incident register.
"""
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import signals
from crm.audit import services as audit
from crm.audit.models import AuditEntry
from crm.contacts.models import EMAIL_PURPOSE, ConsentEvent, Contact
from crm.contacts.services import withdraw_consent
from crm.db import utcnow
from crm.domain import DomainError
from crm.enterprises.models import Enterprise
from crm.enterprises.services import refresh_keys
from crm.extensions import db
from crm.i18n import _l
from crm.privacy.erasure import ERASED
from crm.privacy.models import AccessLogEntry, Incident

log = logging.getLogger(__name__)

# What the access log records; features add their own codes here.
ACCESS_ACTIONS = {
    "view_contact": _l("Viewed a contact"),
    "view_enterprise": _l("Viewed an enterprise"),
    "export_contact": _l("Exported a contact's information"),
    "export_enterprises": _l("Exported enterprises"),
    "export_event_registrations": _l("Exported an event's registrations"),
    "view_event_registrations": _l("Viewed an event's registrations"),
    # With the contact's consent, to the organization a referral names (crm/referrals).
    "communicate_enterprise": _l("Communicated an enterprise to another organization"),
}

# Why a contact was anonymized (``anonymize_contact``'s reason).
ERASURE_REASONS = {
    "request": _l("At the person's request"),
    "retention": _l("Retention period over"),
}

ANONYMIZED_NAME = "Personne anonymisée"  # stored data, not interface text: the same in every language
# Contact fields that identify a person; erased by anonymization, and scrubbed from old audit entries.
PERSONAL_FIELDS = ("first_name", "last_name", "title", "email", "phone", "consent_source")

INCIDENT_FIELDS = (
    "discovered_on", "occurred_on", "nature", "information_categories", "people_affected",
    "serious_injury_risk", "risk_assessment", "measures_taken", "commission_notified_on",
    "people_notified_on",
)


def _actor_id(actor):
    return getattr(actor, "id", None)


# Access log ------------------------------------------------------------------------------------

def record_access(user, action: str, *, subject_type: str, subject_id: int | None = None,
                  details: dict | None = None) -> AccessLogEntry:
    """Log that ``user`` viewed or exported personal information (the caller commits)."""
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"unknown access action {action!r}: add it to ACCESS_ACTIONS")
    entry = AccessLogEntry(user_id=_actor_id(user), action=action, subject_type=subject_type,
                           subject_id=subject_id, details=details)
    db.session.add(entry)
    return entry


@signals.personal_information_accessed.connect
def log_access(user, *, action: str, subject_type: str, subject_id: int | None = None, details=None, **_extra):
    """What other features report having shown or exported, in the access log."""
    record_access(user, action, subject_type=subject_type, subject_id=subject_id, details=details)


# Erasure and retention -------------------------------------------------------------------------

def anonymize_contact(contact: Contact, *, actor, reason: str = "request") -> None:
    """Erase what identifies ``contact``, here and in every feature that registered an eraser
    (``crm.privacy.erasure``); the rows stay so that statistics stay right."""
    if contact.anonymized_at is not None:
        raise DomainError(_l("This contact was already anonymized."))
    # Listed before the withdrawal, which clears the consent's source.
    erased = [name for name in PERSONAL_FIELDS
              if getattr(contact, name) not in (None, "", ANONYMIZED_NAME)]
    withdraw_consent(contact, EMAIL_PURPOSE, source=None, actor=actor)
    contact.first_name = ANONYMIZED_NAME
    contact.last_name = ""
    contact.title = contact.email = contact.phone = contact.consent_source = None
    contact.anonymized_at = utcnow()
    _scrub_history(contact)
    signals.contact_anonymized.send(contact)
    refresh_keys(contact.enterprise)
    audit.record("anonymize", contact, actor=actor, enterprise_id=contact.enterprise_id,
                 changes={"anonymized_at": [None, contact.anonymized_at.isoformat()]},
                 context={"reason": reason, "erased_fields": erased})
    log.info("contact %s anonymized (%s) by user %s", contact.id, reason, _actor_id(actor))


def _scrub_history(contact: Contact) -> None:
    """Old audit entries and consent sources would still hold the erased values."""
    for event in db.session.scalars(select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)):
        event.source = None
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == Contact.__tablename__, AuditEntry.entity_id == contact.id))
    for entry in entries:
        changes = dict(entry.changes or {})
        for name in PERSONAL_FIELDS:
            if name in changes:
                changes[name] = [None if value is None else ERASED for value in changes[name]]
        entry.changes = changes
        if entry.context and entry.context.get("source"):
            entry.context = {**entry.context, "source": ERASED}


def expired_contacts_query(days: int, now=None):
    """Contacts not yet anonymized of enterprises archived more than ``days`` days ago."""
    limit = (now or utcnow()) - timedelta(days=days)
    return (
        select(Contact).join(Contact.enterprise)
        .where(Enterprise.archived_at.is_not(None), Enterprise.archived_at < limit,
               Contact.anonymized_at.is_(None))
        .options(selectinload(Contact.enterprise).selectinload(Enterprise.contacts))
        .order_by(Enterprise.id, Contact.id)
    )


def anonymize_expired_contacts(days: int, *, actor=None, now=None) -> list[Contact]:
    contacts = list(db.session.scalars(expired_contacts_query(days, now)))
    for contact in contacts:
        anonymize_contact(contact, actor=actor, reason="retention")
    return contacts


# Incidents -------------------------------------------------------------------------------------

def create_incident(*, actor, **values) -> Incident:
    incident = Incident(recorded_by_id=_actor_id(actor), **values)
    db.session.add(incident)
    db.session.flush()
    audit.record("create", incident, actor=actor, changes=audit.snapshot(incident, INCIDENT_FIELDS))
    log.info("incident %s recorded by user %s", incident.id, _actor_id(actor))
    return incident


def update_incident(incident: Incident, *, actor, version: int, **values) -> Incident:
    if version != incident.version:
        raise DomainError(_l("Someone changed this incident while you were editing it. "
                             "Reload the page to see their changes, then make yours again."))
    for name, value in values.items():
        setattr(incident, name, value)
    changes = audit.changed_fields(incident, INCIDENT_FIELDS)
    if changes:
        db.session.flush()
        audit.record("update", incident, actor=actor, changes=changes)
        log.info("incident %s updated by user %s", incident.id, _actor_id(actor))
    return incident
