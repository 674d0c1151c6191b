"""An enterprise's follow-ups through the API: the list, adding one, closing one. The same rules as
the enterprise page: who edits the enterprise adds them; who edits it or is given one closes it."""
from flask import abort, url_for
from spectree import Response
from sqlalchemy import select

from crm import access
from crm.api import auth, bp
from crm.api.schemas import FollowUp, FollowUpCreate, FollowUpList, FollowUpListQuery, FollowUpUpdate, Problem
from crm.api.spec import guarded_by, spec
from crm.auth.models import User
from crm.enterprises import timeline
from crm.enterprises.models import FollowUpTask
from crm.extensions import db

TAG = "Follow-ups"
ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_429": Problem}


def _visible(enterprise_id: int):
    return access.get_enterprise_or_404(enterprise_id, auth.principal())


def _editable(enterprise_id: int):
    return access.get_enterprise_or_404(enterprise_id, auth.principal(), for_edit=True)


def _closable(task_id: int) -> FollowUpTask:
    """A follow-up of a visible enterprise (else 404) that the caller may close (else 403)."""
    task = db.session.get(FollowUpTask, task_id)
    if task is None:
        abort(404)
    user = auth.principal()
    enterprise = access.get_enterprise_or_404(task.enterprise_id, user)
    if not access.can_complete_task(user, enterprise, task):
        abort(403)
    return task


@bp.get("/enterprises/<int:enterprise_id>/follow-ups")
@spec.validate(query=FollowUpListQuery, resp=Response(HTTP_200=FollowUpList, **ERRORS), tags=[TAG],
               validation_error_status=400)
@guarded_by(_visible)
def list_follow_ups(enterprise_id: int, query: FollowUpListQuery):
    """An enterprise's follow-ups

    Open ones first, by due date, as on the enterprise page.
    """
    enterprise = _visible(enterprise_id)
    statement = select(FollowUpTask).where(FollowUpTask.enterprise_id == enterprise.id)
    if query.done is not None:
        statement = statement.where(FollowUpTask.done_at.is_not(None) if query.done else FollowUpTask.done_at.is_(None))
    rows = db.session.scalars(statement.order_by(FollowUpTask.done_at.is_not(None), FollowUpTask.due_on,
                                                 FollowUpTask.id)).all()
    return FollowUpList(items=[FollowUp.model_validate(row) for row in rows])


@bp.post("/enterprises/<int:enterprise_id>/follow-ups")
@spec.validate(json=FollowUpCreate, resp=Response(HTTP_201=FollowUp, HTTP_422=Problem, **ERRORS), tags=[TAG])
@guarded_by(_editable)
def create_follow_up(enterprise_id: int, json: FollowUpCreate):
    """Add a follow-up

    Given to ``assignee_id`` (an active person of the enterprise's organization), by default to the
    enterprise's coach, else to the token's owner.
    """
    enterprise = _editable(enterprise_id)
    assignee_id = json.assignee_id or enterprise.coach_id or auth.principal().id
    assignee = db.session.scalar(access.task_assignees(enterprise).where(User.id == assignee_id))
    task = timeline.add_task(enterprise, actor=auth.actor(), title=json.title, due_on=json.due_on,
                             assignee=assignee)
    return FollowUp.model_validate(task), 201, {
        "Location": url_for("api.list_follow_ups", enterprise_id=enterprise.id)}


@bp.patch("/follow-ups/<int:task_id>")
@spec.validate(json=FollowUpUpdate, resp=Response(HTTP_200=FollowUp, HTTP_422=Problem, **ERRORS), tags=[TAG])
@guarded_by(_closable)
def update_follow_up(task_id: int, json: FollowUpUpdate):
    """Close a follow-up

    ``{"done": true}``: done now, by the token's owner. Those who edit the enterprise close any of
    its follow-ups; the person it is given to closes theirs. A closed one answers 422.
    """
    task = _closable(task_id)
    timeline.complete_task(task, task.enterprise, actor=auth.actor())
    db.session.flush()
    return FollowUp.model_validate(task), 200
