"""The dashboard's figures through the API: the funnel and the counts per stage, with the
dashboard's filters and rules (every role sees its organization's; the programme office, any)."""
from flask import abort
from spectree import Response

from crm import access, problems
from crm.api import auth, bp
from crm.api.schemas import Dashboard, DashboardQuery, FunnelStep, Problem, StageFigures
from crm.api.spec import spec
from crm.i18n import _
from crm.reference import STAGES
from crm.reports import queries

TAG = "Dashboard"


@bp.get("/dashboard")
@spec.validate(query=DashboardQuery, resp=Response(HTTP_200=Dashboard, HTTP_401=Problem, HTTP_403=Problem,
                                                   HTTP_429=Problem), tags=[TAG], validation_error_status=400)
def dashboard(query: DashboardQuery):
    """The dashboard's figures

    The funnel (enterprises that reached each level, and the conversion from one level to the
    next) and the counts per stage, for the token's organization (the programme office: the whole
    programme, or one organization), over an optional period and region.
    """
    user = auth.principal()
    if not access.can_view_reports(user):
        abort(403)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        abort(problems.problem(400, _("Some parameters were not understood."), code="invalid-input", errors=[
            {"location": "query", "field": "date_to", "message": _("The end of the period is before its start.")}]))
    organization = query.organization if access.can_filter_reports_by_organization(user) else None
    scope = queries.build_scope(user, date_from=query.date_from, date_to=query.date_to,
                                organization_id=organization, region=query.region)
    figures = queries.dashboard(scope)
    totals = figures.totals
    return Dashboard(
        date_from=query.date_from, date_to=query.date_to, organization_id=scope.organization_id, region=query.region,
        target=figures.target, enterprises=totals.enterprises, reached=totals.reached,
        reached_in_period=totals.reached_in_period, completed=totals.completed_now,
        funnel=[FunnelStep(level=step.level, label=str(step.label), count=step.count, conversion=step.conversion)
                for step in figures.funnel],
        stages=[StageFigures(stage=code, label=str(label), now=totals.at_stage.get(code, 0),
                             ever=totals.ever.get(code, 0), entered=totals.entered.get(code, 0))
                for code, label in STAGES.items()])
