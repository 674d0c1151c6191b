"""Duplicates: rows that repeat an earlier row of the file, or match an enterprise already in Virage.

A match is the same NEQ, or the same normalized name and city (as ``refresh_keys`` computes
them, kept on each valid row by its check). Enterprises are loaded by chunks of keys, never row by row.
"""
from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import selectinload

from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.imports.validation import RowResult, make_issue
from crm.text import fold

# Fields an "update empty fields" import may fill on an existing enterprise.
FILLABLE = ("neq", "city", "postal_code", "sector_code", "sector", "employees", "website")
CHUNK = 500


def name_keys(values: dict) -> tuple[str, str]:
    """(name_key, city_key) as ``refresh_keys`` computes them (the check kept them on the row)."""
    return values["name_key"], values["city_key"]


def plan_rows(results: list[RowResult], organization_id: int, name_column: str) -> dict:
    """Decide each valid row's action (create, existing, skip) and count them."""
    valid = [r for r in results if r.is_valid]
    _mark_duplicates_in_file(valid, name_column)
    candidates = [r for r in valid if r.action == "create"]
    by_neq, by_name = _existing(candidates)
    claimed: dict[int, int] = {}
    for row in candidates:
        values = row.enterprise
        match = by_neq.get(values["neq"]) if values["neq"] else None
        match = match or by_name.get(name_keys(values))
        if match is None:
            continue
        row.existing = match
        if match.id in claimed:
            _skip(row, name_column, "duplicate_in_file", line=claimed[match.id])
        elif match.organization_id != organization_id:
            _skip(row, name_column, "other_organization", owner=match.organization.name)
        elif match.archived_at is not None:
            _skip(row, name_column, "archived", name=match.name)
        else:
            row.action = "existing"
            row.fill = {f: values[f] for f in FILLABLE
                        if values.get(f) not in (None, "") and getattr(match, f) in (None, "")}
            row.add_contact = row.contact is not None and _is_new_contact(row.contact, match.contacts)
            fields = list(row.fill) + (["contact"] if row.add_contact else [])
            row.issues.append(make_issue(row.line, name_column, values["name"], "existing",
                                         name=match.name, fields=fields))
        claimed.setdefault(match.id, row.line)
    return count(results)


def count(results: list[RowResult]) -> dict:
    counts = {"rows": len(results), "invalid": 0, "create": 0, "existing": 0, "fillable": 0, "skip": 0}
    for row in results:
        if not row.is_valid:
            counts["invalid"] += 1
        elif row.action == "existing":
            counts["existing"] += 1
            counts["fillable"] += bool(row.fill or row.add_contact)
        else:
            counts[row.action] += 1
    return counts


def outcome(counts: dict, update_empty: bool) -> dict:
    """What the import does with these counts: created, updated, skipped, invalid."""
    updated = counts.get("fillable", 0) if update_empty else 0
    return {"created": counts.get("create", 0), "updated": updated,
            "skipped": counts.get("skip", 0) + counts.get("existing", 0) - updated,
            "invalid": counts.get("invalid", 0)}


def _skip(row: RowResult, column: str, code: str, **params) -> None:
    row.action = "skip"
    row.issues.append(make_issue(row.line, column, row.enterprise["name"], code, **params))


def _mark_duplicates_in_file(valid: list[RowResult], name_column: str) -> None:
    seen_neq: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    for row in valid:
        values = row.enterprise
        keys = name_keys(values)
        first = (seen_neq.get(values["neq"]) if values["neq"] else None) or seen_name.get(keys)
        if first is not None:
            _skip(row, name_column, "duplicate_in_file", line=first)
            continue
        if values["neq"]:
            seen_neq[values["neq"]] = row.line
        seen_name[keys] = row.line
        row.action = "create"


def _existing(rows: list[RowResult]) -> tuple[dict, dict]:
    neqs = sorted({r.enterprise["neq"] for r in rows if r.enterprise["neq"]})
    keys = sorted({name_keys(r.enterprise)[0] for r in rows})
    found: dict[int, Enterprise] = {}
    for column, values in ((Enterprise.neq, neqs), (Enterprise.name_key, keys)):
        for condition in _among(column, values):
            query = (select(Enterprise).where(condition).options(selectinload(Enterprise.contacts))
                     .order_by(Enterprise.id))
            for enterprise in db.session.scalars(query).unique():
                found[enterprise.id] = enterprise
    by_neq = {e.neq: e for e in found.values() if e.neq}
    by_name: dict[tuple, Enterprise] = {}
    for enterprise in sorted(found.values(), key=lambda e: e.id):
        by_name.setdefault((enterprise.name_key, enterprise.city_key), enterprise)
    return by_neq, by_name


def _among(column, values: list):
    """``column IN values``, in as few statements as the database takes: on PostgreSQL one array
    parameter (thousands of parameters cost its driver more to convert than the query costs the
    server), elsewhere chunks of CHUNK values."""
    if db.session.get_bind().dialect.name == "postgresql":
        if values:
            yield column == any_(bindparam(None, values, type_=ARRAY(column.type)))
        return
    for start in range(0, len(values), CHUNK):
        yield column.in_(values[start:start + CHUNK])


def _is_new_contact(contact: dict, existing) -> bool:
    emails = {c.email.lower() for c in existing if c.email}
    names = {fold(c.full_name) for c in existing}
    if contact.get("email"):
        return contact["email"].lower() not in emails
    return fold(f"{contact['first_name']} {contact['last_name']}") not in names

