"""A version per organization, bumped when a transaction that changes what the reports count or
show of it commits. The reports' cached figures and files (crm.reports.cache) are keyed by the
versions of the organizations they cover: a write in one organization leaves the others' alone.

What a written row changes:
- an enterprise: its organization (both of them when it moves to another one), and the one that
  shared it for a period still running (it lists it, read-only);
- a stage change: its enterprise's organization and the organization it is credited to;
- a timeline entry, an attendance, a cohort membership, a diagnostic (with its scores), a digital
  plan, a project: its enterprise's organization;
- a programme session: its enterprise's organization, or those of every enterprise ever in its
  cohort (the dashboard counts the sessions held with the enterprises of its scope);
- a referral: both its organizations (the dashboard counts referrals sent, received, accepted);
- an organization: itself (exports show its name);
- a user's new name, or a deleted user: every organization (exports show coaches' names; a user is
  written on every sign-in, so nothing else about users counts).
A bulk INSERT counts through its rows' organization, enterprise or cohort; a bulk UPDATE or DELETE,
whose rows are not known, bumps every organization. Writes that bypass the session (COPY) call
``organizations_changed``. Only the SQLAlchemy session's public events are used.
"""
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import event, inspect, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm.cohorts.models import CohortMembership
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.referrals.models import Referral
from crm.reports.models import OrganizationVersion

# Per table, the columns that lead to the organizations a change of the row concerns, and how.
ORGANIZATION, ENTERPRISE, COHORT = "organization", "enterprise", "cohort"
WATCHED = {
    "enterprises": {"organization_id": ORGANIZATION},
    "organizations": {"id": ORGANIZATION},
    "stage_changes": {"enterprise_id": ENTERPRISE, "organization_id": ORGANIZATION},
    "activities": {"enterprise_id": ENTERPRISE},
    "attendances": {"enterprise_id": ENTERPRISE},
    "cohort_memberships": {"enterprise_id": ENTERPRISE},
    "sessions": {"enterprise_id": ENTERPRISE, "cohort_id": COHORT},
    "referrals": {"from_organization_id": ORGANIZATION, "to_organization_id": ORGANIZATION},
    # Scored diagnostics (their scores are written with them), digital plans and projects.
    "digital_diagnostics": {"enterprise_id": ENTERPRISE},
    "digital_plans": {"enterprise_id": ENTERPRISE},
    "digital_projects": {"enterprise_id": ENTERPRISE},
}
_PENDING = "virage.organizations_changed"
_CHUNK = 500  # ids per IN list when the enterprises and cohorts are traced to their organizations


@dataclass
class _Changes:
    """What the session's transaction changed so far, until it commits or rolls back."""

    ids: dict = field(default_factory=lambda: {ORGANIZATION: set(), ENTERPRISE: set(), COHORT: set()})
    everything: bool = False

    def add(self, kind: str, value) -> None:
        if value is not None:
            self.ids[kind].add(value)


def _changes(session) -> _Changes:
    return session.info.setdefault(_PENDING, _Changes())


def organizations_changed(session, organization_ids: Iterable[int]) -> None:
    """For writers that bypass the session (COPY): these organizations changed in its transaction."""
    for organization_id in organization_ids:
        _changes(session).add(ORGANIZATION, organization_id)


def _note_row(changes: _Changes, obj, table: str, *, deleted: bool) -> None:
    """The values of the row's watched columns, now and (for a changed column) before the flush."""
    state = inspect(obj)
    for column, kind in WATCHED[table].items():
        before = state.attrs[column].history.deleted
        if column not in state.dict and not before:  # not loaded (an unchanged column): traced at commit
            if table == "enterprises" and not deleted:
                changes.add(ENTERPRISE, state.identity[0])
            else:
                changes.everything = True
            continue
        for value in (*before, state.dict.get(column)):
            changes.add(kind, value)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session, _context) -> None:
    # In after_flush, new, dirty and deleted and the attributes' history still show what was flushed.
    for objects, change in ((session.new, "new"), (session.dirty, "dirty"), (session.deleted, "deleted")):
        for obj in objects:
            table = getattr(getattr(obj, "__table__", None), "name", None)
            if table == "users":
                renamed = change == "dirty" and inspect(obj).attrs.full_name.history.has_changes()
                if renamed or change == "deleted":
                    _changes(session).everything = True
            elif table in WATCHED and (change != "dirty" or session.is_modified(obj)):
                _note_row(_changes(session), obj, table, deleted=change == "deleted")


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in WATCHED and table != "users":
        return
    changes = _changes(state.session)
    rows = state.parameters
    rows = [rows] if isinstance(rows, dict) else list(rows or [])
    if table == "users" or not state.is_insert or not rows:  # which rows, and whose, is not known
        changes.everything = True
        return
    for row in rows:
        for column, kind in WATCHED[table].items():
            if column not in row:
                changes.everything = True
                return
            changes.add(kind, row[column])


@event.listens_for(Session, "before_commit")
def _bump_on_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit bumps, so that the rows are locked only at the very end
    session.flush()  # what commit would flush next, so that its changes are noted too
    changes = session.info.pop(_PENDING, None)
    if changes is not None:
        bump(session, None if changes.everything else _organizations(session, changes))


@event.listens_for(Session, "after_rollback")
def _forget_changes(session) -> None:
    session.info.pop(_PENDING, None)


def _chunks(ids: set) -> Iterator[list]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def _organizations(session, changes: _Changes) -> set[int]:
    """The organizations of the changed rows: enterprises and cohorts traced to theirs."""
    found = set(changes.ids[ORGANIZATION])
    for ids in _chunks(changes.ids[ENTERPRISE]):
        found.update(session.scalars(select(Enterprise.organization_id).where(Enterprise.id.in_(ids)).distinct()))
        # An organization that shared these enterprises for a period still lists them (crm.access).
        found.update(session.scalars(select(Referral.from_organization_id).where(
            Referral.enterprise_id.in_(ids), Referral.kind == "share", Referral.status == "accepted").distinct()))
    for ids in _chunks(changes.ids[COHORT]):
        found.update(session.scalars(
            select(Enterprise.organization_id).join(CohortMembership, CohortMembership.enterprise_id == Enterprise.id)
            .where(CohortMembership.cohort_id.in_(ids)).distinct()))
    return found


def bump(session, organization_ids: set[int] | None) -> None:
    """Add one to the versions of these organizations (None: of every organization), in the
    session's transaction: one statement, the rows always taken in the same order, so that two
    writers never deadlock."""
    table = OrganizationVersion.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    if organization_ids is None:
        # SQLite needs the WHERE clause to read INSERT … SELECT … ON CONFLICT without ambiguity.
        every = select(Organization.id, literal(1)).where(Organization.id.is_not(None)).order_by(Organization.id)
        statement = insert(table).from_select([table.c.organization_id, table.c.version], every)
    elif organization_ids:
        statement = insert(table).values([{"organization_id": organization_id, "version": 1}
                                          for organization_id in sorted(organization_ids)])
    else:
        return
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.organization_id],
                                                    set_={"version": table.c.version + 1}))


def versions(organization_id: int | None) -> list[list[int]]:
    """[[organization, version], …] of one organization, or of all (None): what a cached result of
    that scope is keyed by. One query."""
    query = select(OrganizationVersion.organization_id, OrganizationVersion.version)
    if organization_id is not None:
        query = query.where(OrganizationVersion.organization_id == organization_id)
    return [[row[0], row[1]] for row in db.session.execute(query.order_by(OrganizationVersion.organization_id))]
