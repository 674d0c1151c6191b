"""Access and portability: everything Virage holds about one contact, as JSON or CSV.

Each feature that keeps data about contacts answers ``signals.contact_export_sections`` with
``(name, data)``: a dict (one record) or a list of dicts of JSON-friendly values (dates are turned
into ISO strings here), in a constant number of queries.
"""
import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from crm import signals
from crm.audit.models import AuditEntry
from crm.contacts.models import Contact
from crm.contacts.queries import consent_history
from crm.db import as_utc, utcnow
from crm.extensions import db


def _plain(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _profile(contact: Contact) -> dict:
    return {
        "id": contact.id,
        "enterprise_id": contact.enterprise_id,
        "enterprise": contact.enterprise.name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "title": contact.title,
        "email": contact.email,
        "phone": contact.phone,
        "preferred_language": contact.preferred_language,
        "email_consent": contact.email_consent,
        "consent_at": contact.consent_at,
        "consent_source": contact.consent_source,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
        "archived_at": contact.archived_at,
        "anonymized_at": contact.anonymized_at,
    }


def _consents(contact: Contact) -> list[dict]:
    events = db.session.scalars(consent_history(contact.id))
    return [{"purpose": e.purpose, "granted": e.granted, "at": e.at, "source": e.source,
             "recorded_by": e.recorded_by.full_name if e.recorded_by else None} for e in events]


def _audit(contact: Contact) -> list[dict]:
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == Contact.__tablename__,
                                 AuditEntry.entity_id == contact.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [{"at": e.at, "action": e.action, "by": e.actor_id, "changes": e.changes,
             "context": e.context} for e in entries]


@signals.contact_export_sections.connect
def own_sections(contact, **_extra):
    return [("profile", _profile(contact)), ("consents", _consents(contact)), ("audit", _audit(contact))]


def build_contact_export(contact: Contact) -> dict:
    sections = {}
    for name, data in signals.answers(signals.contact_export_sections, contact):
        rows = data if isinstance(data, list) else [data]
        sections[name] = [{key: _plain(value) for key, value in row.items()} for row in rows]
    return {"generated_at": utcnow().isoformat(), "contact_id": contact.id, "sections": sections}


def to_json(export: dict) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=2, default=str).encode("utf-8")


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(export: dict) -> bytes:
    """One line per value: section, record number, field, value (works for any section's shape)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "record", "field", "value"])
    for name, rows in export["sections"].items():
        for number, row in enumerate(rows, start=1):
            for field, value in row.items():
                writer.writerow([neutralize(name), number, neutralize(field), neutralize(value)])
    return buffer.getvalue().encode("utf-8-sig")
