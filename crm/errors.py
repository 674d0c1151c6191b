"""Translated error pages; a failed request never leaves a half-done transaction."""
import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from crm import problems
from crm.extensions import db
from crm.i18n import _

log = logging.getLogger(__name__)


def _messages():
    return {
        400: (_("Bad request"), _("The request could not be understood. Check what you typed and try again.")),
        403: (_("Access denied"), _("You do not have permission to do this.")),
        404: (_("Page not found"), _("This page does not exist or you do not have access to it.")),
        405: (_("Method not allowed"), _("This action is not available here.")),
        413: (_("File too large"), _("The file is larger than the allowed size.")),
        429: (_("Too many attempts"), _("Too many attempts. Wait a few minutes and try again.")),
        500: (_("Something went wrong"), _("An unexpected error occurred. Nothing was saved; please try again.")),
    }


def render_error(code: int, detail: str | None = None):
    title, message = _messages().get(code, _messages()[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def register_error_handlers(app: Flask) -> None:
    """Pages answer with a translated page; the API (under /api/) with problem details, never HTML."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        return render_error(400, _("The form expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        if problems.is_api_request():
            return problems.from_http_exception(error)
        if error.code in _messages():
            return render_error(error.code)
        return error

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        db.session.rollback()
        log.exception("unhandled error", exc_info=getattr(error, "original_exception", error))
        if problems.is_api_request():
            return problems.problem(500)
        return render_error(500)
