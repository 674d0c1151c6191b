"""Which enterprise a registration is about, and the person's contact in it.

- Same NEQ as an enterprise (of any organization: the NEQ is unique in the programme): that one.
- Else the same folded name in the same city among the organizing organization's enterprises: a
  manager confirms (``to_confirm``, with ``proposed_enterprise_id``), since names repeat.
- Else a new enterprise, at stage "identified", in the organizing organization.
Nothing of this shows on the public pages: the person sees what they typed, never which enterprise
it matched, so no enterprise of another organization is revealed.

Once the enterprise is known, the person becomes (or is found as) one of its contacts, with the
consents they gave on the form, recorded per purpose (crm/contacts).
"""
import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm.contacts import services as contact_services
from crm.contacts.models import EMAIL_PURPOSE, FOLLOW_UP_PURPOSE, Contact
from crm.domain import DomainError
from crm.enterprises import services as enterprise_services
from crm.enterprises.models import Enterprise
from crm.events.models import Event, Registration
from crm.extensions import db
from crm.i18n import _l
from crm.text import fold, normalized_name

log = logging.getLogger(__name__)

# Stored data, in the programme's language (the same for everyone who reads it later).
CONSENT_SOURCE = "Inscription en ligne à l'événement « {title} »"
REGISTRATION_CONTEXT = "event_registration"


def match(event: Event, registration: Registration) -> None:
    if registration.neq:
        same_neq = db.session.scalar(select(Enterprise).where(Enterprise.neq == registration.neq))
        if same_neq is not None:
            link(event, registration, same_neq, how="neq", actor=None)
            return
    candidate = name_candidate(event.organization_id, registration.enterprise_name, registration.city)
    if candidate is not None:
        registration.match_status, registration.proposed_enterprise_id = "to_confirm", candidate.id
        db.session.flush()
        return
    create_and_link(event, registration, actor=None)


def name_candidate(organization_id: int, name: str, city: str) -> Enterprise | None:
    name_key = normalized_name(name) or fold(name)
    if not name_key:
        return None
    return db.session.scalar(select(Enterprise).where(
        Enterprise.organization_id == organization_id, Enterprise.name_key == name_key,
        Enterprise.city_key == fold(city), Enterprise.archived_at.is_(None)).order_by(Enterprise.id).limit(1))


def create_and_link(event: Event, registration: Registration, *, actor) -> Enterprise:
    values = {"name": registration.enterprise_name, "neq": registration.neq, "city": registration.city,
              "region_code": registration.region_code, "legal_form": registration.legal_form,
              "organization_id": event.organization_id, "preferred_language": registration.language}
    try:
        with db.session.begin_nested():
            enterprise = enterprise_services.create_enterprise(
                actor=actor, context={"source": REGISTRATION_CONTEXT, "event_id": event.id}, **values)
    except enterprise_services.DuplicateEnterprise as duplicate:
        enterprise = duplicate.existing
    except IntegrityError:
        # The same NEQ written by another request meanwhile (the unique index refused ours).
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.neq == registration.neq))
        if enterprise is None:
            raise
    else:
        link(event, registration, enterprise, how="created", actor=actor)
        return enterprise
    link(event, registration, enterprise, how="neq", actor=actor)
    return enterprise


def link(event: Event, registration: Registration, enterprise: Enterprise, *, how: str, actor) -> None:
    registration.enterprise_id, registration.match_status = enterprise.id, how
    registration.proposed_enterprise_id = None
    contact = db.session.scalar(select(Contact).where(
        Contact.enterprise_id == enterprise.id, func.lower(Contact.email) == registration.email_key,
        Contact.anonymized_at.is_(None)).order_by(Contact.id).limit(1))
    if contact is None:
        contact = contact_services.add_contact(
            enterprise, actor=actor, context={"source": REGISTRATION_CONTEXT, "event_id": event.id},
            first_name=registration.first_name, last_name=registration.last_name, title=registration.role,
            email=registration.email, preferred_language=registration.language)
    registration.contact_id = contact.id
    source = CONSENT_SOURCE.format(title=event.title)
    # An unticked box is no withdrawal: a consent given before stays.
    if registration.consent_reminders:
        contact_services.grant_consent(contact, EMAIL_PURPOSE, source=source, actor=actor)
    if registration.consent_follow_up:
        contact_services.grant_consent(contact, FOLLOW_UP_PURPOSE, source=source, actor=actor)
    db.session.flush()
    log.info("registration %s linked to enterprise %s (%s)", registration.id, enterprise.id, how)


def confirm_match(event: Event, registration: Registration, *, same: bool, actor) -> Enterprise:
    """A manager's decision: the proposed enterprise is the one (``same``), or a new one is created."""
    if registration.match_status != "to_confirm":
        raise DomainError(_l("This registration has no enterprise to confirm."))
    if same:
        enterprise = db.session.get(Enterprise, registration.proposed_enterprise_id)
        link(event, registration, enterprise, how="confirmed", actor=actor)
    else:
        enterprise = create_and_link(event, registration, actor=actor)
    return enterprise
