"""Cohorts through the API: the list (the list page's filters, keyset pages), one cohort, its
memberships, enrolling enterprises and an enterprise leaving, with the cohort pages' rules and
services (crm/cohorts)."""
from datetime import date

from flask import abort
from spectree import Response
from sqlalchemy import func, select, tuple_

from crm import access, problems
from crm.api import auth, bp, cursors
from crm.api.schemas import Problem
from crm.api.schemas_cohorts import (
    Cohort,
    CohortListQuery,
    CohortPage,
    CohortSummary,
    Enrolment,
    EnrolmentIn,
    LeaveIn,
    Membership,
    MembershipList,
)
from crm.api.spec import guarded_by, spec
from crm.cohorts import queries, services
from crm.cohorts.models import Cohort as CohortRow
from crm.cohorts.models import CohortMembership
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.i18n import _

TAG = "Cohorts"
ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_429": Problem}
SUMMARY_FIELDS = ("id", "name", "kind", "organization_id", "start_date", "end_date", "capacity", "mode", "place",
                  "region_code", "status")


def _visible(cohort_id: int):
    return access.get_cohort_or_404(cohort_id, auth.principal())


def _managed(cohort_id: int):
    return access.get_cohort_or_404(cohort_id, auth.principal(), for_manage=True)


def _active_members(cohort_ids) -> dict[int, int]:
    if not cohort_ids:
        return {}
    return dict(db.session.execute(
        select(CohortMembership.cohort_id, func.count())
        .where(CohortMembership.cohort_id.in_(cohort_ids), CohortMembership.left_on.is_(None))
        .group_by(CohortMembership.cohort_id)).all())


def _fields(cohort) -> dict:
    return {name: getattr(cohort, name) for name in SUMMARY_FIELDS}


@bp.get("/cohorts")
@spec.validate(query=CohortListQuery, resp=Response(HTTP_200=CohortPage, **ERRORS), tags=[TAG],
               validation_error_status=400)
def list_cohorts(query: CohortListQuery):
    """List cohorts

    The cohorts the token's owner sees (their organization's, and those they facilitate), the
    latest start first, by pages (``next_cursor``).
    """
    statement = access.visible_cohorts(auth.principal())
    if query.status:
        statement = statement.where(CohortRow.status == query.status)
    if query.kind:
        statement = statement.where(CohortRow.kind == query.kind)
    if query.cursor:
        day, last_id = cursors.decode(query.cursor, str, int)
        statement = statement.where(tuple_(CohortRow.start_date, CohortRow.id) < (_day(day), last_id))
    rows = db.session.scalars(statement.order_by(CohortRow.start_date.desc(), CohortRow.id.desc())
                              .limit(query.limit + 1)).all()
    more, rows = len(rows) > query.limit, rows[:query.limit]
    members = _active_members([row.id for row in rows])
    return CohortPage(items=[CohortSummary(**_fields(row), members=members.get(row.id, 0)) for row in rows],
                      next_cursor=cursors.encode(rows[-1].start_date.isoformat(), rows[-1].id) if more else None)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return abort(400)


def _cohort(cohort) -> Cohort:
    return Cohort(**_fields(cohort), members=_active_members([cohort.id]).get(cohort.id, 0),
                  description=cohort.description, facilitator_ids=[user.id for user in cohort.facilitators],
                  created_at=cohort.created_at, updated_at=cohort.updated_at)


@bp.get("/cohorts/<int:cohort_id>")
@spec.validate(resp=Response(HTTP_200=Cohort, **ERRORS), tags=[TAG])
def get_cohort(cohort_id: int):
    """One cohort

    With its facilitators and the number of enterprises in it now.
    """
    return _cohort(_visible(cohort_id))


def _memberships(cohort_id: int, only=None) -> list[Membership]:
    """The cohort page's members (crm.cohorts.queries.cohort_members), without their contacts."""
    return [Membership(id=m.id, cohort_id=cohort_id, enterprise_id=m.enterprise_id, enterprise_name=m.name,
                       joined_on=m.joined_on, left_on=m.left_on, present=m.present, absent=m.absent)
            for m in queries.cohort_members(cohort_id) if only is None or m.id in only]


@bp.get("/cohorts/<int:cohort_id>/memberships")
@spec.validate(resp=Response(HTTP_200=MembershipList, **ERRORS), tags=[TAG])
def list_memberships(cohort_id: int):
    """A cohort's memberships

    The enterprises in the cohort, then those that left it, with their attendance.
    """
    cohort = _visible(cohort_id)
    return MembershipList(items=_memberships(cohort.id))


@bp.post("/cohorts/<int:cohort_id>/memberships")
@spec.validate(json=EnrolmentIn, resp=Response(HTTP_200=Enrolment, HTTP_201=Enrolment, HTTP_422=Problem, **ERRORS),
               tags=[TAG])
@guarded_by(_managed)
def enrol(cohort_id: int, json: EnrolmentIn):
    """Enrol enterprises

    All or none: enterprises the token's owner sees, within the cohort's capacity. Those already in
    the cohort are listed in ``already_members`` (200 when nobody joined, 201 otherwise).
    """
    cohort = _managed(cohort_id)
    wanted = set(json.enterprise_ids)
    enterprises = db.session.scalars(access.visible_enterprises(auth.principal())
                                     .where(Enterprise.id.in_(wanted))).unique().all()
    unknown = sorted(wanted - {e.id for e in enterprises})
    if unknown:
        message = _("No enterprise of yours has this id: %(ids)s.", ids=", ".join(map(str, unknown)))
        abort(problems.problem(422, _("Some values were refused."), code="invalid-input", errors=[
            {"location": "body", "field": "enterprise_ids", "message": message}]))
    added, skipped = services.enrol_enterprises(cohort, enterprises, actor=auth.actor(), move_stage=json.move_stage)
    return Enrolment(added=sorted(e.id for e in added), already_members=sorted(e.id for e in skipped)), \
        201 if added else 200


def _membership(cohort_id: int, membership_id: int) -> CohortMembership:
    cohort = _managed(cohort_id)
    membership = db.session.get(CohortMembership, membership_id)
    if membership is None or membership.cohort_id != cohort.id:
        abort(404)
    return membership


@bp.post("/cohorts/<int:cohort_id>/memberships/<int:membership_id>/leave")
@spec.validate(json=LeaveIn, resp=Response(HTTP_200=Membership, HTTP_422=Problem, **ERRORS), tags=[TAG])
@guarded_by(_membership)
def leave_cohort(cohort_id: int, membership_id: int, json: LeaveIn):
    """An enterprise leaves the cohort

    On ``left_on`` (not before it joined); its membership stays, with the date.
    """
    membership = _membership(cohort_id, membership_id)
    services.leave_cohort(membership, actor=auth.actor(), left_on=json.left_on)
    db.session.flush()
    return _memberships(cohort_id, only={membership.id})[0]
