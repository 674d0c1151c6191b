"""Write operations on enterprises. They flush, never commit, and audit every change."""
import logging

from sqlalchemy import or_, select

from crm import signals
from crm.audit import services as audit
from crm.db import utcnow
from crm.domain import DomainError
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from crm.i18n import _l
from crm.reference import SECTORS, STAGES, is_backward
from crm.text import fold, normalized_name, without_legal_noise

log = logging.getLogger(__name__)

ENTERPRISE_FIELDS = (
    "name", "neq", "legal_form", "region_code", "city", "postal_code", "sector_code", "sector", "employees",
    "website", "organization_id", "coach_id", "preferred_language",
)
# What the profile form may change; the owner and the coach change through their own actions.
EDITABLE_FIELDS = tuple(f for f in ENTERPRISE_FIELDS if f not in ("organization_id", "coach_id"))


class DuplicateEnterprise(DomainError):
    """Another enterprise has the same NEQ, or the same normalized name in the same city."""

    def __init__(self, existing: Enterprise, field: str):
        super().__init__(_l("This enterprise already exists."), field=field)
        self.existing = existing


class StaleVersion(DomainError):
    """Someone saved the record after the user opened the form."""

    def __init__(self):
        super().__init__(_l("Someone else saved this enterprise after you opened the form. Your input is "
                            "kept below: check the current values, then save again."))


def refresh_keys(enterprise: Enterprise, contacts=None) -> None:
    """Recompute the folded columns used by search and duplicate detection."""
    people = enterprise.contacts if contacts is None else contacts
    enterprise.name_key, enterprise.city_key, enterprise.search_text = enterprise_keys(
        enterprise.name, enterprise.neq, enterprise.city,
        [(c.first_name, c.last_name, c.email) for c in people if not c.anonymized_at and not c.archived_at])


def enterprise_keys(name, neq, city, people) -> tuple[str, str, str]:
    """(name_key, city_key, search_text) of an enterprise whose current contacts are ``people``,
    [(first name, last name, email)]: each value folded once (an import computes them for each row)."""
    folded_name = fold(name)
    city_key = fold(city)
    folded = [folded_name] if name else []
    if neq:
        folded.append(fold(neq))
    if city:
        folded.append(city_key)
    for person in people:
        folded += [fold(value) for value in person if value]
    return without_legal_noise(folded_name) or folded_name, city_key, " ".join(folded)


def find_duplicate(*, neq=None, name=None, city=None, exclude_id=None) -> tuple[Enterprise, str] | None:
    """The enterprise, of any organization, that a new or edited one would duplicate, and the field."""
    name_key = normalized_name(name) or fold(name)
    conditions = []
    if neq:
        conditions.append(Enterprise.neq == neq)
    if name_key:
        conditions.append((Enterprise.name_key == name_key) & (Enterprise.city_key == fold(city)))
    if not conditions:
        return None
    query = select(Enterprise).where(or_(*conditions)).order_by(Enterprise.id).limit(5)
    if exclude_id is not None:
        query = query.where(Enterprise.id != exclude_id)
    found = db.session.scalars(query).all()
    for enterprise in found:
        if neq and enterprise.neq == neq:
            return enterprise, "neq"
    return (found[0], "name") if found else None


def _check_codes(values: dict) -> None:
    if values.get("sector_code") not in (None, *SECTORS):
        raise DomainError(_l("Unknown sector of activity."), field="sector_code")


def create_enterprise(*, actor, context=None, allow_same_name=True, **values) -> Enterprise:
    """Create at stage "identified". A same NEQ is always refused; a same name and city unless allowed."""
    _check_codes(values)
    duplicate = find_duplicate(neq=values.get("neq"), name=values.get("name"), city=values.get("city"))
    if duplicate and (duplicate[1] == "neq" or not allow_same_name):
        raise DuplicateEnterprise(*duplicate)
    enterprise = Enterprise(**values)
    enterprise.stage = "identified"
    refresh_keys(enterprise, contacts=[])
    db.session.add(enterprise)
    db.session.flush()
    db.session.add(StageChange(enterprise=enterprise, from_stage=None, to_stage="identified",
                               changed_at=enterprise.created_at, organization_id=enterprise.organization_id,
                               changed_by_id=getattr(actor, "id", None)))
    audit.record("create", enterprise, actor=actor, enterprise_id=enterprise.id,
                 changes=audit.snapshot(enterprise, ENTERPRISE_FIELDS), context=context)
    log.info("enterprise %s created by user %s", enterprise.id, getattr(actor, "id", None))
    signals.enterprise_created.send(enterprise, actor=actor)
    return enterprise


def update_enterprise(enterprise: Enterprise, *, actor, expected_version: int | None, **values) -> dict:
    """Change the profile; refused when the enterprise changed since ``expected_version``."""
    if expected_version is not None and expected_version != enterprise.version:
        raise StaleVersion()
    _check_codes(values)
    duplicate = find_duplicate(neq=values.get("neq"), exclude_id=enterprise.id)
    if duplicate:
        raise DuplicateEnterprise(*duplicate)
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"not an editable field: {name}")
        setattr(enterprise, name, value)
    changes = audit.changed_fields(enterprise, EDITABLE_FIELDS)
    if changes:
        refresh_keys(enterprise)
        audit.record("update", enterprise, actor=actor, enterprise_id=enterprise.id, changes=changes)
        db.session.flush()
        log.info("enterprise %s updated by user %s", enterprise.id, getattr(actor, "id", None))
    return changes


def archive_enterprise(enterprise: Enterprise, *, actor) -> None:
    if enterprise.archived_at is not None:
        raise DomainError(_l("This enterprise is already archived."))
    enterprise.archived_at = utcnow()
    audit.record("archive", enterprise, actor=actor, enterprise_id=enterprise.id,
                 changes={"archived_at": [None, enterprise.archived_at.isoformat()]})
    log.info("enterprise %s archived by user %s", enterprise.id, getattr(actor, "id", None))


def restore_enterprise(enterprise: Enterprise, *, actor) -> None:
    if enterprise.archived_at is None:
        raise DomainError(_l("This enterprise is not archived."))
    old, enterprise.archived_at = enterprise.archived_at, None
    audit.record("restore", enterprise, actor=actor, enterprise_id=enterprise.id,
                 changes={"archived_at": [old.isoformat(), None]})


def assign_coach(enterprises, coach, *, actor) -> int:
    """Give enterprises to a coach of their organization (``None`` unassigns). Returns how many changed."""
    if coach is not None and (coach.role != "coach" or not coach.is_active):
        raise DomainError(_l("Choose an active coach."), field="coach_id")
    strangers = [e for e in enterprises if coach is not None and e.organization_id != coach.organization_id]
    if strangers:
        raise DomainError(_l("Some of these enterprises belong to another organization than the coach's."),
                          field="coach_id")
    changed = 0
    new_id = coach.id if coach else None
    for enterprise in enterprises:
        if enterprise.coach_id == new_id:
            continue
        audit.record("assign", enterprise, actor=actor, enterprise_id=enterprise.id,
                     changes={"coach_id": [enterprise.coach_id, new_id]})
        enterprise.coach_id = new_id
        changed += 1
    db.session.flush()
    log.info("%s enterprises assigned to user %s by user %s", changed, new_id, getattr(actor, "id", None))
    return changed


def hand_over(enterprise: Enterprise, organization, *, actor, comment: str | None = None) -> None:
    """Another organization follows the enterprise from now on; its coach no longer does."""
    if organization is None or not organization.is_active:
        raise DomainError(_l("Choose an active organization."), field="organization_id")
    if organization.id == enterprise.organization_id:
        raise DomainError(_l("This organization already follows the enterprise."), field="organization_id")
    changes = {"organization_id": [enterprise.organization_id, organization.id]}
    if enterprise.coach_id is not None:
        changes["coach_id"] = [enterprise.coach_id, None]
    audit.record("handover", enterprise, actor=actor, enterprise_id=enterprise.id, changes=changes,
                 context={"comment": comment} if comment else None)
    enterprise.organization_id = organization.id
    enterprise.coach_id = None
    enterprise.last_activity_at = utcnow()
    db.session.flush()
    log.info("enterprise %s handed over to organization %s by user %s", enterprise.id, organization.id,
             getattr(actor, "id", None))


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
        changed_at=at or utcnow(), organization_id=enterprise.organization_id,
    )
    db.session.add(change)
    audit.record("stage", enterprise, actor=actor, enterprise_id=enterprise.id,
                 changes={"stage": [enterprise.stage, stage]},
                 context={"comment": comment} if comment else None)
    enterprise.stage = stage
    enterprise.last_activity_at = change.changed_at
    log.info("enterprise %s moved to %s by user %s", enterprise.id, stage, getattr(actor, "id", None))
    signals.stage_changed.send(enterprise, change=change, actor=actor)
    return change
