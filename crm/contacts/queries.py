"""Reads of the contacts feature; each returns a select() statement."""
from sqlalchemy import Select, select

from crm.contacts.models import ConsentEvent, Contact


def enterprise_contacts(enterprise_id: int) -> Select:
    """The enterprise's contacts, archived ones included, except those anonymized; by name."""
    return (select(Contact).where(Contact.enterprise_id == enterprise_id, Contact.anonymized_at.is_(None))
            .order_by(Contact.last_name, Contact.first_name, Contact.id))


def consent_history(contact_id: int, *, newest_first: bool = False) -> Select:
    """Every grant and withdrawal of the contact's consent, to any purpose."""
    order = (ConsentEvent.at.desc(), ConsentEvent.id.desc()) if newest_first else (ConsentEvent.at, ConsentEvent.id)
    return select(ConsentEvent).where(ConsentEvent.contact_id == contact_id).order_by(*order)
