"""The enterprise page's history: audit entries described for people, in a fixed number of queries."""
from sqlalchemy import select

from crm.auth.models import User
from crm.enterprises.forms import ACTIVITY_LABELS, DIAGNOSTIC_TOOL_LABELS
from crm.extensions import db
from crm.i18n import _l, lazy_pgettext
from crm.organizations.models import Organization
from crm.reference import LANGUAGES, LEGAL_FORMS, STAGES, label, region_label

ACTIONS = {
    "create": lazy_pgettext("history", "Created"),
    "update": lazy_pgettext("history", "Changed"),
    "archive": lazy_pgettext("history", "Archived"),
    "restore": lazy_pgettext("history", "Restored"),
    "stage": lazy_pgettext("history", "Stage changed"),
    "assign": lazy_pgettext("history", "Coach assigned"),
    "handover": lazy_pgettext("history", "Handed over"),
}
ENTITIES = {
    "enterprises": _l("Enterprise"), "contacts": _l("Contact"), "activities": _l("Timeline"),
    "follow_up_tasks": _l("Follow-up"), "digital_diagnostics": _l("Digital diagnostic"),
}
FIELDS = {
    "name": _l("Name"), "neq": _l("NEQ"), "legal_form": _l("Legal form"), "region_code": _l("Region"),
    "city": _l("City"), "postal_code": _l("Postal code"), "sector": _l("Sector of activity"),
    "employees": _l("Employees"), "website": _l("Website"), "organization_id": _l("Organization"),
    "coach_id": _l("Coach"), "preferred_language": _l("Preferred language"), "stage": _l("Stage"),
    "first_name": _l("First name"), "last_name": _l("Last name"), "title": _l("Position"),
    "email": _l("Email"), "phone": _l("Phone"), "email_consent": _l("Consent to emails"),
    "consent_source": _l("How consent was given"), "consent_at": _l("Consent recorded on"),
    "archived_at": _l("Archived on"), "kind": _l("Kind"), "occurred_on": _l("Date"),
    "is_coaching": _l("Coaching time"), "duration_minutes": _l("Duration (minutes)"),
    "due_on": _l("Due date"), "assignee_id": _l("Assigned to"), "done_at": _l("Done on"),
    "performed_on": _l("Date"), "tool": _l("Tool"), "maturity_level": _l("Maturity level"),
    "link": _l("Link to the report"),
}
_CODES = {"legal_form": LEGAL_FORMS, "stage": STAGES, "preferred_language": LANGUAGES,
          "kind": ACTIVITY_LABELS, "tool": DIAGNOSTIC_TOOL_LABELS}
_PEOPLE = ("coach_id", "assignee_id")


def describe_history(entries) -> list[dict]:
    people_ids, org_ids = set(), set()
    for entry in entries:
        for name, values in (entry.changes or {}).items():
            target = people_ids if name in _PEOPLE else org_ids if name == "organization_id" else None
            if target is not None:
                target.update(v for v in values if isinstance(v, int))
    people = _names(User, User.full_name, people_ids)
    organizations = _names(Organization, Organization.name, org_ids)
    described = []
    for entry in entries:
        changes = []
        for name, values in (entry.changes or {}).items():
            old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
            changes.append((FIELDS.get(name, name), _show(name, old, people, organizations),
                            _show(name, new, people, organizations)))
        described.append({"at": entry.at, "actor": entry.actor, "action": ACTIONS.get(entry.action, entry.action),
                          "entity": ENTITIES.get(entry.entity_type, entry.entity_type),
                          "comment": (entry.context or {}).get("comment"), "changes": changes})
    return described


def _names(model, column, ids) -> dict:
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())


def _show(name, value, people, organizations):
    if value is None or value == "":
        return "—"
    if name in _PEOPLE:
        return people.get(value, value)
    if name == "organization_id":
        return organizations.get(value, value)
    if name == "region_code":
        return region_label(value)
    if name in _CODES:
        return label(_CODES[name], value)
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    return value
