"""Write operations on enterprises and contacts. They flush, never commit."""
import logging

from crm.audit import services as audit
from crm.db import utcnow
from crm.domain import DomainError
from crm.enterprises.models import Contact, Enterprise, StageChange
from crm.extensions import db
from crm.i18n import _l
from crm.reference import STAGES, is_backward
from crm.text import fold, normalized_name

log = logging.getLogger(__name__)

ENTERPRISE_FIELDS = (
    "name", "neq", "legal_form", "region_code", "city", "postal_code", "sector", "employees",
    "website", "organization_id", "coach_id", "preferred_language",
)
CONTACT_FIELDS = (
    "first_name", "last_name", "title", "email", "phone", "preferred_language", "email_consent",
    "consent_source",
)


def refresh_keys(enterprise: Enterprise, contacts=None) -> None:
    """Recompute the folded columns used by search and duplicate detection."""
    enterprise.name_key = normalized_name(enterprise.name) or fold(enterprise.name)
    enterprise.city_key = fold(enterprise.city)
    people = enterprise.contacts if contacts is None else contacts
    parts = [enterprise.name, enterprise.neq, enterprise.city]
    for contact in people:
        if not contact.anonymized_at:
            parts += [contact.first_name, contact.last_name, contact.email]
    enterprise.search_text = " ".join(fold(p) for p in parts if p)


def create_enterprise(*, actor, context=None, **values) -> Enterprise:
    enterprise = Enterprise(**values)
    enterprise.stage = "identified"
    refresh_keys(enterprise, contacts=[])
    db.session.add(enterprise)
    db.session.flush()
    db.session.add(StageChange(enterprise=enterprise, from_stage=None, to_stage="identified",
                               changed_at=enterprise.created_at,
                               changed_by_id=getattr(actor, "id", None)))
    audit.record("create", enterprise, actor=actor, enterprise_id=enterprise.id,
                 changes=audit.snapshot(enterprise, ENTERPRISE_FIELDS), context=context)
    log.info("enterprise %s created by user %s", enterprise.id, getattr(actor, "id", None))
    return enterprise


def add_contact(enterprise: Enterprise, *, actor, context=None, **values) -> Contact:
    contact = Contact(enterprise=enterprise, **values)
    if contact.email_consent:
        contact.consent_at = utcnow()
        contact.consent_recorded_by_id = getattr(actor, "id", None)
    db.session.add(contact)
    db.session.flush()
    refresh_keys(enterprise)
    audit.record("create", contact, actor=actor, enterprise_id=enterprise.id,
                 changes=audit.snapshot(contact, CONTACT_FIELDS), context=context)
    return contact


def change_stage(enterprise: Enterprise, stage: str, *, actor, comment: str | None = None,
                 at=None) -> StageChange:
    """Move an enterprise to ``stage`` and keep the step in its history."""
    if stage not in STAGES:
        raise DomainError(_l("Unknown stage."), field="stage")
    if stage == enterprise.stage:
        raise DomainError(_l("The enterprise is already at this stage."), field="stage")
    comment = (comment or "").strip() or None
    if is_backward(enterprise.stage, stage) and not comment:
        raise DomainError(
            _l("Moving back in the journey or withdrawing needs a comment."), field="comment"
        )
    change = StageChange(
        enterprise=enterprise, from_stage=enterprise.stage, to_stage=stage,
        changed_by_id=getattr(actor, "id", None), comment=comment,
        changed_at=at or utcnow(),
    )
    db.session.add(change)
    audit.record("stage", enterprise, actor=actor, enterprise_id=enterprise.id,
                 changes={"stage": [enterprise.stage, stage]},
                 context={"comment": comment} if comment else None)
    enterprise.stage = stage
    enterprise.last_activity_at = change.changed_at
    log.info("enterprise %s moved to %s by user %s", enterprise.id, stage, getattr(actor, "id", None))
    return change
