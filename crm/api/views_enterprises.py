"""Enterprises through the API: the list (the list page's filters, keyset pages), one enterprise,
creating one and changing its profile (ETag / If-Match: no change is lost)."""
from flask import abort, url_for
from spectree import Response
from sqlalchemy import tuple_

from crm import access, problems
from crm.api import auth, bp, cursors
from crm.api.preconditions import check_if_match, refuse_nulls
from crm.api.schemas import (
    REQUIRED_ON_UPDATE,
    Enterprise,
    EnterpriseCreate,
    EnterpriseListQuery,
    EnterprisePage,
    EnterpriseSummary,
    EnterpriseUpdate,
    Problem,
)
from crm.api.spec import guarded_by, spec
from crm.enterprises import queries, services
from crm.enterprises.models import Enterprise as EnterpriseRow
from crm.extensions import db
from crm.i18n import _

TAG = "Enterprises"
SUMMARY_COLUMNS = (EnterpriseRow.id, EnterpriseRow.name, EnterpriseRow.neq, EnterpriseRow.legal_form,
                   EnterpriseRow.region_code, EnterpriseRow.city, EnterpriseRow.stage,
                   EnterpriseRow.organization_id, EnterpriseRow.coach_id, EnterpriseRow.last_activity_at,
                   EnterpriseRow.version, EnterpriseRow.name_key)
ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_429": Problem}


def _may_create():
    if not access.can_create_enterprise(auth.principal()):
        abort(403)


def _editable(enterprise_id: int):
    return access.get_enterprise_or_404(enterprise_id, auth.principal(), for_edit=True)


def etag(enterprise) -> str:
    return f'"{enterprise.id}.{enterprise.version}"'


def _filters(query: EnterpriseListQuery, user) -> queries.EnterpriseFilters:
    if query.organization is not None and not access.can_choose_organization(user) \
            and query.organization != user.organization_id:
        abort(problems.problem(400, _("Some parameters were not understood."), code="invalid-input", errors=[
            {"location": "query", "field": "organization",
             "message": _("Only the programme office chooses the organization.")}]))
    return queries.EnterpriseFilters(
        q=query.q.strip(), stages=list(query.stage), region=query.region or "", legal_form=query.legal_form or "",
        organization_id=query.organization, coach=query.coach)


@bp.get("/enterprises")
@spec.validate(query=EnterpriseListQuery, resp=Response(HTTP_200=EnterprisePage, **ERRORS), tags=[TAG],
               validation_error_status=400)
def list_enterprises(query: EnterpriseListQuery):
    """List enterprises

    The enterprises the token's owner may see, with the list page's filters, sorted by name. Pages
    follow each other by cursor (``next_cursor``): a row added or removed meanwhile moves nothing.
    """
    user = auth.principal()
    statement = queries.filtered_enterprises(user, _filters(query, user), ordered=False)
    if query.cursor:
        name_key, last_id = cursors.decode(query.cursor, str, int)
        statement = statement.where(tuple_(EnterpriseRow.name_key, EnterpriseRow.id) > (name_key, last_id))
    rows = db.session.execute(statement.with_only_columns(*SUMMARY_COLUMNS)
                              .order_by(EnterpriseRow.name_key, EnterpriseRow.id).limit(query.limit + 1)).all()
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return EnterprisePage(items=[EnterpriseSummary.model_validate(row) for row in rows],
                          next_cursor=cursors.encode(rows[-1].name_key, rows[-1].id) if more else None)


@bp.get("/enterprises/<int:enterprise_id>")
@spec.validate(resp=Response(HTTP_200=Enterprise, **ERRORS), tags=[TAG])
def get_enterprise(enterprise_id: int):
    """One enterprise

    Its profile, stage and owner. The ETag header carries its version: send it back in If-Match to
    change it.
    """
    enterprise = access.get_enterprise_or_404(enterprise_id, auth.principal())
    return Enterprise.model_validate(enterprise), 200, {"ETag": etag(enterprise)}


@bp.post("/enterprises")
@spec.validate(json=EnterpriseCreate, resp=Response(HTTP_201=Enterprise, HTTP_409=Problem, **ERRORS), tags=[TAG])
@guarded_by(_may_create)
def create_enterprise(json: EnterpriseCreate):
    """Create an enterprise

    At stage "identified", owned by the token's organization (a coach's own enterprise is assigned
    to them). A same NEQ is refused (409), and so is a same name in the same city unless
    ``allow_same_name``.
    """
    _may_create()
    user = auth.principal()
    values = json.model_dump(exclude={"allow_same_name"})
    try:
        enterprise = services.create_enterprise(
            actor=auth.actor(), context=auth.audit_context(), organization_id=user.organization_id,
            coach_id=user.id if access.has_caseload(user) else None, allow_same_name=json.allow_same_name, **values)
    except services.DuplicateEnterprise as error:
        db.session.rollback()
        return _duplicate(error, user)
    return Enterprise.model_validate(enterprise), 201, {
        "ETag": etag(enterprise), "Location": url_for("api.get_enterprise", enterprise_id=enterprise.id)}


@bp.patch("/enterprises/<int:enterprise_id>")
@spec.validate(json=EnterpriseUpdate, resp=Response(HTTP_200=Enterprise, HTTP_409=Problem, HTTP_412=Problem,
                                                    HTTP_428=Problem, **ERRORS), tags=[TAG])
@guarded_by(_editable)
def update_enterprise(enterprise_id: int, json: EnterpriseUpdate):
    """Change an enterprise's profile

    Send the fields to change, with the ETag of the version you read in If-Match: without it the
    answer is 428, and 412 when someone saved the enterprise since (read it again, then retry).
    """
    user = auth.principal()
    enterprise = _editable(enterprise_id)
    check_if_match(etag(enterprise), _("Someone else changed this enterprise since you read it. Read it again, "
                                       "then send your change with its new ETag."))
    values = json.model_dump(exclude_unset=True)
    refuse_nulls(values, REQUIRED_ON_UPDATE)
    try:
        services.update_enterprise(enterprise, actor=auth.actor(), expected_version=enterprise.version, **values)
    except services.DuplicateEnterprise as error:
        db.session.rollback()
        return _duplicate(error, user)
    return Enterprise.model_validate(enterprise), 200, {"ETag": etag(enterprise)}


def _duplicate(error: services.DuplicateEnterprise, user):
    existing = error.existing
    if access.can_view_enterprise(user, existing):
        if error.field == "neq":
            detail = _("An enterprise with this NEQ already exists: %(name)s.", name=existing.name)
        else:
            detail = _("An enterprise with this name already exists in this city: %(name)s.", name=existing.name)
        extra = {"Link": f'<{url_for("api.get_enterprise", enterprise_id=existing.id)}>; rel="duplicate"'}
    else:
        detail = _("%(organization)s already follows this enterprise; contact them rather than creating it again.",
                   organization=existing.organization.name)
        extra = {}
    return problems.problem(409, detail, code="duplicate", headers=extra,
                            errors=[{"location": "body", "field": error.field, "message": detail}])
