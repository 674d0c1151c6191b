"""Satisfaction surveys through the API, read-only, with the results page's rules: the managers (and
service tokens) of an organization see its surveys and results, the programme office every
organization's; the comments never leave the pages."""
from flask import abort
from spectree import Response
from sqlalchemy import select

from crm import access
from crm.api import auth, bp, cursors
from crm.api.schemas import Problem
from crm.api.schemas_surveys import (
    SurveyFigures,
    SurveyGroup,
    SurveyListQuery,
    SurveyPage,
    SurveyResults,
    SurveySummary,
)
from crm.api.spec import spec
from crm.extensions import db
from crm.surveys import queries
from crm.surveys.models import Survey

TAG = "Surveys"
ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_429": Problem}


def _organization_in_view() -> int | None:
    user = auth.principal()
    if not access.can_view_survey_results(user):
        abort(403)
    return access.organization_in_view(user)


@bp.get("/surveys")
@spec.validate(query=SurveyListQuery, resp=Response(HTTP_200=SurveyPage, **ERRORS), tags=[TAG],
               validation_error_status=400)
def list_surveys(query: SurveyListQuery):
    """List surveys sent

    The surveys sent by the token's organization (the programme office: every organization's), the
    latest first, by pages (``next_cursor``); whether each was answered, not what was answered.
    """
    organization_id = _organization_in_view()
    statement = select(Survey).where(Survey.state == "sent")
    if organization_id is not None:
        statement = statement.where(Survey.organization_id == organization_id)
    if query.cursor:
        statement = statement.where(Survey.id < cursors.decode(query.cursor, int)[0])
    rows = db.session.scalars(statement.order_by(Survey.id.desc()).limit(query.limit + 1)).all()
    more, rows = len(rows) > query.limit, rows[:query.limit]
    items = [SurveySummary(id=r.id, organization_id=r.organization_id, cohort_id=r.cohort_id, session_id=r.session_id,
                           enterprise_id=r.enterprise_id, sent_at=r.sent_at, closes_at=r.closes_at,
                           answered=r.answered_at is not None) for r in rows]
    return SurveyPage(items=items, next_cursor=cursors.encode(rows[-1].id) if more else None)


def _figures(f) -> SurveyFigures:
    return SurveyFigures(sent=f.sent, answered=f.answered, response_rate=f.response_rate, shown=f.shown,
                         satisfaction=f.satisfaction, usefulness=f.usefulness, intends_to_act=f.intends_to_act,
                         would_recommend=f.would_recommend)


def _groups(groups) -> list[SurveyGroup]:
    return [SurveyGroup(id=g.key, name=g.label, figures=_figures(g.figures)) for g in groups]


@bp.get("/surveys/results")
@spec.validate(resp=Response(HTTP_200=SurveyResults, **ERRORS), tags=[TAG])
def survey_results():
    """Survey results

    Sent, answered and the response rate for the organization (the programme office: the programme
    and each organization), each cohort and each session; the averages and shares only for groups
    with ``minimum_answers`` answers or more.
    """
    organization_id = _organization_in_view()
    data = queries.results(organization_id=organization_id)
    return SurveyResults(organization_id=organization_id, minimum_answers=queries.minimum_answers(),
                         total=_figures(data["total"]), organizations=_groups(data["organizations"]),
                         cohorts=_groups(data["cohorts"]), sessions=_groups(data["sessions"]))
