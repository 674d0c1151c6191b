"""Optional request instrumentation for benchmarks: SQL statements per request.

With ``QUERY_COUNT_HEADER = True`` every response carries ``X-Query-Count``; with
``BENCHMARK_ENDPOINTS = True`` the app also serves ``/bench/floor``, a minimal page that runs one
indexed query, the floor the benchmark compares every page's throughput with.
"""
from flask import Blueprint, Flask, g, has_request_context, jsonify
from sqlalchemy import event, select

from crm.extensions import db

bench_bp = Blueprint("bench", __name__)


@bench_bp.route("/bench/floor")
def floor():
    from crm.organizations.models import Organization

    organization_id = db.session.scalar(select(Organization.id).where(Organization.id == 1))
    return jsonify(ok=True, organization=organization_id)


def _count_query(*_args, **_kwargs):
    if has_request_context():
        g.query_count = g.get("query_count", 0) + 1


def install(app: Flask) -> None:
    if app.config.get("BENCHMARK_ENDPOINTS"):
        app.register_blueprint(bench_bp)
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count_query)

    @app.after_request
    def add_query_count(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response
