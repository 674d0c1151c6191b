"""Access and portability: everything Virage holds about one contact, as JSON or CSV.

Each feature that keeps data about contacts adds a section::

    from crm.privacy.export import register_contact_export_section
    register_contact_export_section("reminders", lambda contact: [{"sent_at": …, …}, …])

A section function takes the Contact and returns a dict (one record) or a list of dicts, made of
JSON-friendly values (dates are turned into ISO strings here). It must run a constant number
of queries.
"""
import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.db import as_utc, utcnow
from crm.enterprises.models import Contact
from crm.extensions import db
from crm.privacy.models import ConsentEvent

_SECTIONS: dict[str, Callable] = {}


def register_contact_export_section(name: str, fn: Callable) -> None:
    """Add (or replace, on reload) the section ``name`` of every contact export."""
    _SECTIONS[name] = fn


def export_sections() -> list[str]:
    return list(_SECTIONS)


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
    events = db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)
        .order_by(ConsentEvent.at, ConsentEvent.id)
    )
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


register_contact_export_section("profile", _profile)
register_contact_export_section("consents", _consents)
register_contact_export_section("audit", _audit)


def build_contact_export(contact: Contact) -> dict:
    sections = {}
    for name, fn in _SECTIONS.items():
        data = fn(contact)
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
