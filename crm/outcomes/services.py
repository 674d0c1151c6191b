"""Write operations of the outcome chain. They flush, never commit, and audit every change."""
import logging
from datetime import date, datetime

from crm.audit import services as audit
from crm.domain import QUEBEC, DomainError
from crm.extensions import db
from crm.i18n import _l
from crm.outcomes.models import DigitalPlan, DigitalProject
from crm.reference import PROJECT_CATEGORIES, PROJECT_STATUSES

log = logging.getLogger(__name__)

PLAN_FIELDS = ("produced_on", "link")
PROJECT_FIELDS = ("title", "category", "status", "amount_invested", "public_funding", "jobs_created",
                  "jobs_maintained", "started_on", "completed_on")


class StaleProject(DomainError):
    """Someone saved the project after the user opened the form."""

    def __init__(self):
        super().__init__(_l("Someone else saved this project after you opened the form. Your input is kept "
                            "below: check the current values, then save again."))


def _today() -> date:
    return datetime.now(QUEBEC).date()


def add_plan(enterprise, *, actor, produced_on: date, link: str | None = None,
             notes: str | None = None) -> DigitalPlan:
    if produced_on > _today():
        raise DomainError(_l("The date cannot be in the future."), field="produced_on")
    plan = DigitalPlan(enterprise_id=enterprise.id, produced_on=produced_on, link=link or None,
                       notes=(notes or "").strip() or None, created_by_id=getattr(actor, "id", None))
    db.session.add(plan)
    db.session.flush()
    audit.record("create", plan, actor=actor, enterprise_id=enterprise.id, changes=audit.snapshot(plan, PLAN_FIELDS))
    log.info("digital plan %s added to enterprise %s by user %s", plan.id, enterprise.id, getattr(actor, "id", None))
    return plan


def _check(values: dict) -> None:
    """The rules of a project, whatever its form."""
    if values["category"] not in PROJECT_CATEGORIES:
        raise DomainError(_l("Unknown category."), field="category")
    if values["status"] not in PROJECT_STATUSES:
        raise DomainError(_l("Unknown status."), field="status")
    invested, funding = values.get("amount_invested"), values.get("public_funding")
    if invested is not None and funding is not None and funding > invested:
        raise DomainError(_l("The public funding cannot be more than the amount invested."), field="public_funding")
    started, completed = values.get("started_on"), values.get("completed_on")
    if started and completed and completed < started:
        raise DomainError(_l("A project is carried out after it started."), field="completed_on")
    if values["status"] == "carried_out":
        if completed is None:
            raise DomainError(_l("Give the date the project was carried out."), field="completed_on")
        if completed > _today():
            raise DomainError(_l("A project carried out cannot be dated in the future."), field="completed_on")


def add_project(enterprise, *, actor, **values) -> DigitalProject:
    values = {name: values.get(name) for name in PROJECT_FIELDS}
    values["title"] = (values["title"] or "").strip()
    _check(values)
    project = DigitalProject(enterprise_id=enterprise.id, created_by_id=getattr(actor, "id", None), **values)
    db.session.add(project)
    db.session.flush()
    audit.record("create", project, actor=actor, enterprise_id=enterprise.id,
                 changes=audit.snapshot(project, PROJECT_FIELDS))
    log.info("project %s added to enterprise %s by user %s", project.id, enterprise.id, getattr(actor, "id", None))
    return project


def update_project(project: DigitalProject, *, actor, expected_version: int | None, **values) -> dict:
    """Change a project; refused when it changed since ``expected_version``."""
    if expected_version is not None and expected_version != project.version:
        raise StaleProject()
    values = {name: values[name] for name in PROJECT_FIELDS if name in values}
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
    _check({**{name: getattr(project, name) for name in PROJECT_FIELDS}, **values})
    for name, value in values.items():
        setattr(project, name, value)
    changes = audit.changed_fields(project, PROJECT_FIELDS)
    if changes:
        audit.record("update", project, actor=actor, enterprise_id=project.enterprise_id, changes=changes)
        db.session.flush()
        log.info("project %s updated by user %s", project.id, getattr(actor, "id", None))
    return changes
