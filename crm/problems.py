"""Problem details (RFC 9457): how the API answers an error, in the caller's language.

A problem is a JSON object with ``type``, ``title``, ``status``, ``detail`` and, for refused input,
``errors`` (one entry per field: where, and a message). The media type is
``application/problem+json``. Titles and details go through gettext: the API answers in the
language its caller asked for (Accept-Language), French by default.
"""
from flask import current_app, request
from werkzeug.exceptions import HTTPException

from crm.i18n import _, current_locale

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        412: _("Precondition failed"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Invalid input"),
        428: _("Precondition required"),
        429: _("Too many requests"),
        500: _("Internal error"),
    }


def _details() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Send a valid access token in the Authorization header: Bearer <token>."),
        403: _("Your access does not allow this."),
        404: _("This resource does not exist or you do not have access to it."),
        405: _("This method is not available on this resource."),
        413: _("The request body is larger than allowed."),
        415: _("Send the body as JSON (Content-Type: application/json)."),
        429: _("Too many requests with this token. Wait a minute and try again."),
        500: _("An unexpected error occurred. Nothing was saved; please try again."),
    }


def problem(status: int, detail: str | None = None, *, title: str | None = None, code: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None):
    """A problem-details response. ``code`` names the kind of problem: its ``type`` is the section of the
    documentation page (/api-docs) that explains it."""
    body = {
        "type": f"{request.host_url.rstrip('/')}/api-docs#problem-{code}" if code else "about:blank",
        "title": title or _titles().get(status, _titles()[500 if status >= 500 else 400]),
        "status": status,
        "detail": detail or _details().get(status, ""),
    }
    if errors:
        body["errors"] = errors
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Content-Language"] = current_locale()
    return response


def from_http_exception(error: HTTPException):
    """The problem for a werkzeug error raised under /api (a 404 of the router, a 405, a 429…)."""
    headers = {}
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    response = getattr(error, "response", None)
    if response is not None and error.code == 429:
        retry = response.headers.get("Retry-After")
        if retry:
            headers["Retry-After"] = retry
    return problem(error.code or 500, headers=headers)
