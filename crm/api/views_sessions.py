"""Sessions through the API: the list (by dates, cohort, enterprise; keyset pages), one session,
planning one (a cohort's or an enterprise's individual coaching), changing its details,
rescheduling and cancelling it, with the session pages' rules and services (crm/cohorts)."""
from datetime import datetime

from flask import abort, url_for
from spectree import Response
from sqlalchemy import tuple_

from crm import access, problems
from crm.api import auth, bp, cursors
from crm.api.preconditions import check_if_match, refuse_nulls
from crm.api.schemas import Problem
from crm.api.schemas_cohorts import (
    CancelIn,
    RescheduleIn,
    Session,
    SessionCreate,
    SessionListQuery,
    SessionPage,
    SessionUpdate,
)
from crm.api.spec import guarded_by, spec
from crm.auth.models import User
from crm.cohorts import services, timeutil
from crm.cohorts.models import ProgrammeSession
from crm.db import as_utc
from crm.extensions import db
from crm.i18n import _

TAG = "Sessions"
ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_429": Problem}
WRITE_ERRORS = {"HTTP_422": Problem, **ERRORS}


def etag(session) -> str:
    """The session's version: its sequence grows with every change of its details, times or status."""
    return f'"s{session.id}.{session.sequence}"'


def _answer(session, status: int = 200, **headers):
    return Session.model_validate(session), status, {"ETag": etag(session), **headers}


def _facilitated(session_id: int):
    return access.get_session_or_404(session_id, auth.principal(), for_facilitate=True)


def _managed_cohort(cohort_id: int):
    return access.get_cohort_or_404(cohort_id, auth.principal(), for_manage=True)


def _plannable_enterprise(enterprise_id: int):
    user = auth.principal()
    enterprise = access.get_enterprise_or_404(enterprise_id, user)
    if not access.can_plan_individual_session(user, enterprise):
        abort(403)
    return enterprise


def _refused(field: str, message: str):
    abort(problems.problem(422, _("Some values were refused."), code="invalid-input",
                           errors=[{"location": "body", "field": field, "message": message}]))


@bp.get("/sessions")
@spec.validate(query=SessionListQuery, resp=Response(HTTP_200=SessionPage, **ERRORS), tags=[TAG],
               validation_error_status=400)
def list_sessions(query: SessionListQuery):
    """List sessions

    The sessions the token's owner sees (as in the calendar), cancelled ones included, by start
    time, by pages (``next_cursor``). ``date_from`` and ``date_to`` keep the sessions that take
    place on those days, in Québec time.
    """
    if query.date_from and query.date_to and query.date_from > query.date_to:
        abort(problems.problem(400, _("Some parameters were not understood."), code="invalid-input", errors=[
            {"location": "query", "field": "date_to", "message": _("The end of the period is before its start.")}]))
    statement = access.visible_sessions(auth.principal())
    if query.date_from:
        statement = statement.where(ProgrammeSession.ends_at > timeutil.local_day_bounds(
            query.date_from, query.date_from)[0])
    if query.date_to:
        statement = statement.where(ProgrammeSession.starts_at < timeutil.local_day_bounds(
            query.date_to, query.date_to)[1])
    for column, value in ((ProgrammeSession.cohort_id, query.cohort), (ProgrammeSession.enterprise_id,
                                                                     query.enterprise),
                          (ProgrammeSession.status, query.status)):
        if value is not None:
            statement = statement.where(column == value)
    if query.cursor:
        moment, last_id = cursors.decode(query.cursor, str, int)
        statement = statement.where(tuple_(ProgrammeSession.starts_at, ProgrammeSession.id) > (_moment(moment),
                                                                                             last_id))
    rows = db.session.scalars(statement.order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
                              .limit(query.limit + 1)).all()
    more, rows = len(rows) > query.limit, rows[:query.limit]
    return SessionPage(items=[Session.model_validate(row) for row in rows],
                       next_cursor=cursors.encode(as_utc(rows[-1].starts_at).isoformat(), rows[-1].id) if more
                       else None)


def _moment(text: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        return abort(400)


@bp.get("/sessions/<int:session_id>")
@spec.validate(resp=Response(HTTP_200=Session, **ERRORS), tags=[TAG])
def get_session(session_id: int):
    """One session

    The ETag header carries its version: send it back in If-Match to change its details.
    """
    return _answer(access.get_session_or_404(session_id, auth.principal()))


def _facilitator(chosen: int | None, organization_id: int, *, include) -> int:
    """The facilitator the session page would offer: who may facilitate (crm/access.py) for the
    owner's organization, or one already chosen (``include``)."""
    user = auth.principal()
    allowed = {person.id for person in include if person is not None}
    if chosen in allowed:
        return chosen
    if chosen is not None and db.session.scalar(access.facilitators(user, organization_id).where(User.id == chosen)):
        return chosen
    _refused("facilitator_id", _("Choose a facilitator of the organization that owns the session."))


def _plan(json: SessionCreate, *, cohort=None, enterprise=None):
    """As the session form: its defaults (the cohort's mode and place; its first facilitator, else
    the enterprise's coach, else the token's owner) and its facilitators to choose from."""
    owner_user = None if auth.token().is_service else auth.principal()
    if cohort is not None:
        default = cohort.facilitators[0] if cohort.facilitators else owner_user
        include = tuple(cohort.facilitators)
    else:
        default = enterprise.coach or owner_user
        include = (enterprise.coach, owner_user)
    values = json.model_dump(exclude={"starts_at", "ends_at", "facilitator_id"})
    values["mode"] = values["mode"] or (cohort.mode if cohort else "in_person")
    if cohort is not None and "place" not in json.model_fields_set:
        values["place"] = cohort.place
    chosen = json.facilitator_id or (default.id if default is not None else None)
    facilitator_id = _facilitator(chosen, (cohort or enterprise).organization_id, include=include)
    session = services.create_session(actor=auth.actor(), cohort=cohort, enterprise=enterprise,
                                      starts_at=json.starts_at, ends_at=json.ends_at, facilitator_id=facilitator_id,
                                      **values)
    return _answer(session, 201, Location=url_for("api.get_session", session_id=session.id))


@bp.post("/cohorts/<int:cohort_id>/sessions")
@spec.validate(json=SessionCreate, resp=Response(HTTP_201=Session, **WRITE_ERRORS), tags=[TAG])
@guarded_by(_managed_cohort)
def plan_cohort_session(cohort_id: int, json: SessionCreate):
    """Plan a session of a cohort

    Within the cohort's dates; the participants' reminders follow. Webhook ``session.planned``.
    """
    return _plan(json, cohort=_managed_cohort(cohort_id))


@bp.post("/enterprises/<int:enterprise_id>/sessions")
@spec.validate(json=SessionCreate, resp=Response(HTTP_201=Session, **WRITE_ERRORS), tags=[TAG])
@guarded_by(_plannable_enterprise)
def plan_individual_session(enterprise_id: int, json: SessionCreate):
    """Plan an individual coaching session

    For one enterprise, by those who edit it. Webhook ``session.planned``.
    """
    return _plan(json, enterprise=_plannable_enterprise(enterprise_id))


@bp.patch("/sessions/<int:session_id>")
@spec.validate(json=SessionUpdate, resp=Response(HTTP_200=Session, HTTP_412=Problem, HTTP_428=Problem, **WRITE_ERRORS),
               tags=[TAG])
@guarded_by(_facilitated)
def update_session(session_id: int, json: SessionUpdate):
    """Change a session's details

    Title, mode, place, link, facilitator, agenda (times: reschedule), with the ETag you read in
    If-Match (428 without it, 412 when the session changed since). A cancelled session no longer
    changes (422).
    """
    session = _facilitated(session_id)
    check_if_match(etag(session), _("Someone else changed this session since you read it. Read it again, then "
                                    "send your change with its new ETag."))
    values = json.model_dump(exclude_unset=True)
    refuse_nulls(values, ("title", "mode", "facilitator_id"))
    if "facilitator_id" in values:
        cohort_facilitators = tuple(session.cohort.facilitators) if session.cohort else ()
        values["facilitator_id"] = _facilitator(values["facilitator_id"], session.organization_id,
                                                include=(session.facilitator, *cohort_facilitators))
    services.update_session(session, actor=auth.actor(), **values)
    db.session.flush()
    return _answer(session)


@bp.post("/sessions/<int:session_id>/reschedule")
@spec.validate(json=RescheduleIn, resp=Response(HTTP_200=Session, **WRITE_ERRORS), tags=[TAG])
@guarded_by(_facilitated)
def reschedule_session(session_id: int, json: RescheduleIn):
    """Reschedule a session

    New start and end (a cohort's session stays within its dates); the participants are told.
    Webhook ``session.rescheduled``.
    """
    session = _facilitated(session_id)
    services.reschedule_session(session, actor=auth.actor(), starts_at=json.starts_at, ends_at=json.ends_at,
                                reason=json.reason)
    db.session.flush()
    return _answer(session)


@bp.post("/sessions/<int:session_id>/cancel")
@spec.validate(json=CancelIn, resp=Response(HTTP_200=Session, **WRITE_ERRORS), tags=[TAG])
@guarded_by(_facilitated)
def cancel_session(session_id: int, json: CancelIn):
    """Cancel a session

    The participants are told; a cancelled session no longer changes. Webhook ``session.cancelled``.
    """
    session = _facilitated(session_id)
    services.cancel_session(session, actor=auth.actor(), reason=json.reason)
    db.session.flush()
    return _answer(session)
