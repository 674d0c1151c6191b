"""``/health``: public, for load balancers and monitoring; says whether the database and Redis answer.

- The database does not answer: 503, ``status`` ``error``; nothing works without it.
- Redis (the rate-limit storage, when one is configured) does not answer: 200, ``status``
  ``degraded``, ``redis`` ``error``. Sign-in still works, its attempts counted in each process's
  memory (crm/ratelimit.py): a 503 would make the load balancer take every instance out for a
  dependency whose loss only weakens the limits. Alert on any ``status`` other than ``ok``.
"""
import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crm import ratelimit
from crm.extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)


@bp.route("/health")
def health():
    checks = {"database": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("health check: the database does not answer", exc_info=True)
        checks["database"] = "error"
    finally:
        db.session.rollback()  # nothing to keep; give the connection back at once
    redis = ratelimit.storage_status(current_app)
    if redis is not None:
        checks["redis"] = redis
        if redis == "error":
            log.warning("health check: the rate-limit storage %s does not answer",
                        ratelimit.redacted(current_app.config["RATELIMIT_STORAGE_URI"]))
    status = "error" if checks["database"] == "error" else "degraded" if "error" in checks.values() else "ok"
    response = jsonify(status=status, **checks)
    response.status_code = 503 if status == "error" else 200
    response.headers["Cache-Control"] = "no-store"
    return response
