"""``/health``: public, for load balancers and monitoring; says whether the database answers."""
import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crm.extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)


@bp.route("/health")
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("health check: the database does not answer", exc_info=True)
        response = jsonify(status="error", database="error")
        response.status_code = 503
    else:
        db.session.rollback()  # nothing to keep; give the connection back at once
        response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
