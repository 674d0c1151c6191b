"""An enterprise's journey through the API: its stage changes and its timeline of activities."""
from datetime import date

from flask import abort
from spectree import Response
from sqlalchemy import select, tuple_

from crm import access
from crm.api import auth, bp, cursors
from crm.api.schemas import (
    Activity,
    ActivityCreate,
    ActivityList,
    ActivityListQuery,
    Problem,
    StageChange,
    StageChangeIn,
    StageChangeList,
)
from crm.api.spec import guarded_by, spec
from crm.enterprises import services, timeline
from crm.enterprises.models import Activity as ActivityRow
from crm.enterprises.models import StageChange as StageChangeRow
from crm.extensions import db

TAG = "Journey"


def _visible(enterprise_id: int):
    return access.get_enterprise_or_404(enterprise_id, auth.principal())


def _editable(enterprise_id: int):
    return access.get_enterprise_or_404(enterprise_id, auth.principal(), for_edit=True)


ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_429": Problem}


@bp.get("/enterprises/<int:enterprise_id>/stage-changes")
@spec.validate(resp=Response(HTTP_200=StageChangeList, **ERRORS), tags=[TAG])
def list_stage_changes(enterprise_id: int):
    """An enterprise's stage changes

    Its whole journey, the latest step first.
    """
    enterprise = access.get_enterprise_or_404(enterprise_id, auth.principal())
    rows = db.session.scalars(select(StageChangeRow).where(StageChangeRow.enterprise_id == enterprise.id)
                              .order_by(StageChangeRow.changed_at.desc(), StageChangeRow.id.desc())).all()
    return StageChangeList(items=[StageChange.model_validate(row) for row in rows])


@bp.post("/enterprises/<int:enterprise_id>/stage-changes")
@spec.validate(json=StageChangeIn, resp=Response(HTTP_201=StageChange, **ERRORS), tags=[TAG])
@guarded_by(_editable)
def change_stage(enterprise_id: int, json: StageChangeIn):
    """Move an enterprise to another stage

    Moving back in the journey or withdrawing needs a comment (422 otherwise).
    """
    enterprise = _editable(enterprise_id)
    change = services.change_stage(enterprise, json.stage, actor=auth.actor(), comment=json.comment)
    db.session.flush()
    return StageChange.model_validate(change), 201


@bp.get("/enterprises/<int:enterprise_id>/activities")
@spec.validate(query=ActivityListQuery, resp=Response(HTTP_200=ActivityList, **ERRORS), tags=[TAG],
               validation_error_status=400)
@guarded_by(_visible)
def list_activities(enterprise_id: int, query: ActivityListQuery):
    """An enterprise's timeline

    Calls, meetings, emails and notes, the latest first, by pages (``next_cursor``).
    """
    enterprise = _visible(enterprise_id)
    if not access.can_see_shared_part(auth.principal(), enterprise, "history"):
        abort(403)  # a share running without its history
    statement = select(ActivityRow).where(ActivityRow.enterprise_id == enterprise.id)
    if query.cursor:
        day, last_id = cursors.decode(query.cursor, str, int)
        statement = statement.where(tuple_(ActivityRow.occurred_on, ActivityRow.id) < (_day(day), last_id))
    rows = db.session.scalars(statement.order_by(ActivityRow.occurred_on.desc(), ActivityRow.id.desc())
                              .limit(query.limit + 1)).all()
    more, rows = len(rows) > query.limit, rows[:query.limit]
    return ActivityList(items=[Activity.model_validate(row) for row in rows],
                        next_cursor=cursors.encode(rows[-1].occurred_on.isoformat(), rows[-1].id) if more else None)


def _day(text: str):
    try:
        return date.fromisoformat(text)
    except ValueError:
        return abort(400)


@bp.post("/enterprises/<int:enterprise_id>/activities")
@spec.validate(json=ActivityCreate, resp=Response(HTTP_201=Activity, **ERRORS), tags=[TAG])
@guarded_by(_editable)
def create_activity(enterprise_id: int, json: ActivityCreate):
    """Add an activity to the timeline

    Coaching time (``is_coaching``) needs ``duration_minutes``; the date cannot be in the future.
    """
    enterprise = _editable(enterprise_id)
    activity = timeline.add_activity(enterprise, actor=auth.actor(), **json.model_dump())
    return Activity.model_validate(activity), 201
