"""Write operations on what coaches record about an enterprise: timeline, follow-ups, diagnostics.

Each of them counts as activity on the enterprise (``last_activity_at``), which the caseload's
"no activity for 30 days" and the list's sort rely on.
"""
import logging
from datetime import date, datetime

from crm.audit import services as audit
from crm.db import utcnow
from crm.domain import QUEBEC, DomainError
from crm.enterprises.models import (
    ACTIVITY_KINDS,
    DIAGNOSTIC_TOOLS,
    Activity,
    DiagnosticScore,
    DigitalDiagnostic,
    Enterprise,
    FollowUpTask,
)
from crm.extensions import db
from crm.i18n import _l
from crm.reference import diagnostic_dimensions

log = logging.getLogger(__name__)
MAX_DURATION_MINUTES = 24 * 60


def today_in_quebec() -> date:
    return datetime.now(QUEBEC).date()


def _touch(enterprise: Enterprise) -> None:
    enterprise.last_activity_at = utcnow()


def add_activity(enterprise: Enterprise, *, actor, kind: str, occurred_on: date, body: str,
                 is_coaching: bool = False, duration_minutes: int | None = None) -> Activity:
    """A call, meeting, email or note on the timeline; coaching entries carry their duration."""
    if kind not in ACTIVITY_KINDS:
        raise DomainError(_l("Unknown kind of activity."), field="kind")
    if occurred_on > today_in_quebec():
        raise DomainError(_l("The date cannot be in the future."), field="occurred_on")
    if duration_minutes is not None and not 0 < duration_minutes <= MAX_DURATION_MINUTES:
        raise DomainError(_l("Enter a duration between 0 and 24 hours."), field="duration_hours")
    if is_coaching and not duration_minutes:
        raise DomainError(_l("Coaching time needs a duration."), field="duration_hours")
    activity = Activity(enterprise_id=enterprise.id, kind=kind, occurred_on=occurred_on, body=body.strip(),
                        is_coaching=is_coaching, duration_minutes=duration_minutes,
                        author_id=getattr(actor, "id", None))
    db.session.add(activity)
    db.session.flush()
    audit.record("create", activity, actor=actor, enterprise_id=enterprise.id,
                 changes=audit.snapshot(activity, ("kind", "occurred_on", "is_coaching", "duration_minutes")))
    _touch(enterprise)
    log.info("activity %s added to enterprise %s by user %s", activity.id, enterprise.id,
             getattr(actor, "id", None))
    return activity


def add_task(enterprise: Enterprise, *, actor, title: str, due_on: date, assignee) -> FollowUpTask:
    if assignee is None or not assignee.is_active or assignee.organization_id != enterprise.organization_id:
        raise DomainError(_l("Choose someone of the organization that follows the enterprise."),
                          field="assignee_id")
    task = FollowUpTask(enterprise_id=enterprise.id, title=title.strip(), due_on=due_on,
                        assignee_id=assignee.id, created_by_id=getattr(actor, "id", None))
    db.session.add(task)
    db.session.flush()
    audit.record("create", task, actor=actor, enterprise_id=enterprise.id,
                 changes=audit.snapshot(task, ("title", "due_on", "assignee_id")))
    log.info("task %s added to enterprise %s by user %s", task.id, enterprise.id, getattr(actor, "id", None))
    return task


def complete_task(task: FollowUpTask, enterprise: Enterprise, *, actor) -> None:
    if task.done_at is not None:
        raise DomainError(_l("This follow-up is already done."))
    task.done_at = utcnow()
    task.done_by_id = getattr(actor, "id", None)
    audit.record("update", task, actor=actor, enterprise_id=enterprise.id,
                 changes={"done_at": [None, task.done_at.isoformat()]})
    _touch(enterprise)


def add_diagnostic(enterprise: Enterprise, *, actor, performed_on: date, tool: str, maturity_level: int,
                   link: str | None = None, notes: str | None = None,
                   scores: dict[str, int] | None = None) -> DigitalDiagnostic:
    """A diagnostic, with its scores (1 to 5) on some of the configured dimensions, or none."""
    if tool not in DIAGNOSTIC_TOOLS:
        raise DomainError(_l("Unknown diagnostic tool."), field="tool")
    if not 1 <= maturity_level <= 5:
        raise DomainError(_l("The maturity level goes from 1 to 5."), field="maturity_level")
    if performed_on > today_in_quebec():
        raise DomainError(_l("The date cannot be in the future."), field="performed_on")
    scores = {dimension: score for dimension, score in (scores or {}).items() if score is not None}
    dimensions = diagnostic_dimensions()
    for dimension, score in scores.items():
        if dimension not in dimensions:
            raise DomainError(_l("Unknown dimension of the diagnostic."))
        if not isinstance(score, int) or not 1 <= score <= 5:
            raise DomainError(_l("A score goes from 1 to 5."), field=f"score_{dimension}")
    diagnostic = DigitalDiagnostic(enterprise_id=enterprise.id, performed_on=performed_on, tool=tool,
                                   maturity_level=maturity_level, link=link, notes=(notes or "").strip() or None,
                                   created_by_id=getattr(actor, "id", None),
                                   scores=[DiagnosticScore(dimension=d, score=scores[d]) for d in dimensions
                                           if d in scores])
    db.session.add(diagnostic)
    db.session.flush()
    changes = audit.snapshot(diagnostic, ("performed_on", "tool", "maturity_level", "link"))
    if scores:
        changes["scores"] = [None, {d: scores[d] for d in dimensions if d in scores}]
    audit.record("create", diagnostic, actor=actor, enterprise_id=enterprise.id, changes=changes)
    _touch(enterprise)
    log.info("diagnostic %s added to enterprise %s by user %s", diagnostic.id, enterprise.id,
             getattr(actor, "id", None))
    return diagnostic
