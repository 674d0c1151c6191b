"""The enterprise page's history: audit entries described for people, in a fixed number of queries.

Other features whose writes land in an enterprise's history (contacts and their consent, sessions,
cohorts, attendance, reminders…) name their entities, actions, fields, what an action's context says
and the placeholders they store, answering ``signals.history_terms`` with
``crm.contributions.HistoryTerms``.
"""
from collections import defaultdict

from flask import g
from sqlalchemy import select

from crm import signals
from crm.auth.models import User
from crm.contributions import Field, HistoryTerms, codes, show_date, show_moment
from crm.enterprises.forms import ACTIVITY_LABELS, DIAGNOSTIC_TOOL_LABELS
from crm.extensions import db
from crm.i18n import _, _l, lazy_pgettext
from crm.organizations.models import Organization
from crm.reference import LANGUAGES, LEGAL_FORMS, SECTORS, STAGES, diagnostic_dimensions, region_label

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
    "enterprises": _l("Enterprise"), "activities": _l("Timeline"),
    "follow_up_tasks": _l("Follow-up"), "digital_diagnostics": _l("Digital diagnostic"),
}
FIELDS = {
    "name": Field(_l("Name")), "neq": Field(_l("NEQ")), "legal_form": Field(_l("Legal form"), codes(LEGAL_FORMS)),
    "region_code": Field(_l("Region"), region_label), "city": Field(_l("City")),
    "postal_code": Field(_l("Postal code")), "sector": Field(_l("Activity (details)")),
    "sector_code": Field(_l("Sector of activity"), codes(SECTORS)),
    "employees": Field(_l("Employees")), "website": Field(_l("Website")),
    "organization_id": Field(_l("Organization"), names=Organization.name),
    "coach_id": Field(_l("Coach"), names=User.full_name),
    "preferred_language": Field(_l("Preferred language"), codes(LANGUAGES)),
    "stage": Field(_l("Stage"), codes(STAGES)), "archived_at": Field(_l("Archived on"), show_moment),
    "kind": Field(_l("Kind"), codes(ACTIVITY_LABELS)), "occurred_on": Field(_l("Date"), show_date),
    "is_coaching": Field(_l("Coaching time")), "duration_minutes": Field(_l("Duration (minutes)")),
    "due_on": Field(_l("Due date"), show_date), "assignee_id": Field(_l("Assigned to"), names=User.full_name),
    "done_at": Field(_l("Done on"), show_moment), "performed_on": Field(_l("Date"), show_date),
    "tool": Field(_l("Tool"), codes(DIAGNOSTIC_TOOL_LABELS)), "maturity_level": Field(_l("Maturity level")),
    "link": Field(_l("Link to the report")),
    "scores": Field(_l("Scores"), lambda scores: show_scores(scores)),
}
# Where a field's name means something else than in FIELDS: {entity type: {name: Field}}.
ENTITY_FIELDS = {"follow_up_tasks": {"title": Field(_l("Follow-up"))}}


def show_scores(scores) -> str:
    """{dimension: score} as « Stratégie : 2, Données : 3 »."""
    if not isinstance(scores, dict):
        return scores
    labels = diagnostic_dimensions()
    return ", ".join(_("%(dimension)s: %(score)s", dimension=labels.get(code, code), score=score)
                     for code, score in scores.items())


def terms() -> HistoryTerms:
    """The enterprises' own terms and what other features answer to ``signals.history_terms``,
    gathered once per request."""
    if "history_terms" not in g:
        merged = HistoryTerms(dict(ENTITIES), dict(ACTIONS), {k: dict(v) for k, v in ENTITY_FIELDS.items()})
        for answer in signals.answers(signals.history_terms):
            merged.entities.update(answer.entities)
            merged.actions.update(answer.actions)
            for entity_type, by_name in answer.fields.items():
                merged.fields.setdefault(entity_type, {}).update(by_name)
            merged.contexts.update(answer.contexts)
            merged.values.update(answer.values)
        g.history_terms = merged
    return g.history_terms


def stored_value_text(value):
    """A placeholder a feature stores (e.g. the reminders' opt-out link as a consent's source), in
    words of the reader's language; any other value as it is."""
    return terms().values.get(value, value) if isinstance(value, str) else value


def field_label(entity_type: str, name: str) -> str:
    """The label the history gives a field of an entity type (its name if none was registered)."""
    return str(_field(entity_type, name).label)


def describe_history(entries) -> list[dict]:
    described = [(entry, _changes(entry), _context(entry)) for entry in entries]
    names = _load_names(item for _entry, changes, notes in described for item in changes + notes)
    known = terms()
    return [{"at": entry.at, "actor": entry.actor, "action": known.actions.get(entry.action, entry.action),
             "entity": known.entities.get(entry.entity_type, entry.entity_type), "comment": _comment(entry),
             "notes": [(field.label, _show(field, value, names)) for field, _none, value in notes],
             "changes": [(field.label, _show(field, old, names), _show(field, new, names))
                         for field, old, new in changes]}
            for entry, changes, notes in described]


def _field(entity_type: str, name: str) -> Field:
    return terms().fields.get(entity_type, {}).get(name) or FIELDS.get(name) or Field(name)


def _changes(entry) -> list[tuple[Field, object, object]]:
    changes = []
    for name, values in (entry.changes or {}).items():
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        changes.append((_field(entry.entity_type, name), old, new))
    return changes


def _context(entry) -> list[tuple[Field, None, object]]:
    """The registered keys of the entry's context that hold something, shaped like changes."""
    context = entry.context or {}
    return [(field, None, context[key]) for key, field in terms().contexts.get(entry.action, {}).items()
            if context.get(key) not in (None, "", [])]


def _comment(entry):
    if entry.action in terms().contexts:
        return None
    context = entry.context or {}
    return context.get("comment") or context.get("reason")


def _load_names(changes) -> dict:
    """{name column: {id: name}} for the ids the changes hold: one query per model named."""
    wanted = defaultdict(set)
    for field, old, new in changes:
        if field.names is not None:
            wanted[field.names].update(v for v in (old, new) if type(v) is int)  # not bools
    return {column: _names(column, ids) for column, ids in wanted.items()}


def _names(column, ids) -> dict:
    if not ids:
        return {}
    model = column.class_
    return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())


def _show(field: Field, value, names: dict):
    if value is None:
        return field.blank or "—"
    if value == "":
        return "—"
    if isinstance(value, str) and value in terms().values:
        return terms().values[value]
    if field.names is not None:
        return names[field.names].get(value, value) if type(value) is int else value
    if field.show is not None:
        return field.show(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value
