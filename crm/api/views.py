"""The API's gate (every call: a token, a JSON body, problems for errors) and its documentation:
the OpenAPI document and the page that shows it."""
from flask import abort, current_app, render_template, request
from sqlalchemy.orm.exc import StaleDataError

from crm import problems
from crm.api import auth, bp, pages, reference_page
from crm.api.spec import spec
from crm.domain import DomainError
from crm.extensions import csrf, db, limiter
from crm.i18n import _
from crm.transaction import ChangedMeanwhile

PUBLIC = frozenset({"api.openapi"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# Bearer tokens are no cookies: nothing a browser sends on its own reaches the API.
csrf.exempt(bp)
limiter.shared_limit(auth.rate_limit, scope="api", key_func=auth.rate_limit_key,
                     exempt_when=lambda: request.endpoint in PUBLIC)(bp)


@bp.before_request
def gate():
    if request.endpoint in PUBLIC:
        return
    auth.authenticate()
    if request.method in BODY_METHODS:
        if request.mimetype != "application/json":
            abort(problems.problem(415))
        if request.get_json(silent=True) is None:
            abort(problems.problem(400, _("The body is not valid JSON."), code="invalid-json"))


@bp.after_request
def no_store(response):
    # What a token reads is nobody else's: no shared cache keeps it.
    if request.endpoint not in PUBLIC:
        response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    return response


# The forms' field names that the API calls otherwise.
FIELD_NAMES = {"duration_hours": "duration_minutes"}


@bp.errorhandler(DomainError)
def refused(error: DomainError):
    """A service's refusal (a rule of the programme), on the field it names."""
    db.session.rollback()
    field = FIELD_NAMES.get(error.field, error.field)
    errors = [{"location": "body", "field": field, "message": str(error.message)}] if field else None
    return problems.problem(422, str(error.message), code="refused", errors=errors)


@bp.errorhandler(StaleDataError)
def changed_meanwhile(_error):
    db.session.rollback()
    return problems.problem(412, str(ChangedMeanwhile().message), code="changed-meanwhile")


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API (public: it holds no data)."""
    return current_app.json.response(spec.spec)


@pages.route("/api-docs")
def docs():
    """The API's documentation, read from the OpenAPI document by this page's own script."""
    document = spec.spec
    return render_template("api/docs.html", document=document, operations=reference_page.operations(document),
                           schemas=reference_page.schemas(document), problem_codes=reference_page.PROBLEM_CODES)
