from crm import create_app
from crm.extensions import db
from tests.conftest import BASE_CONFIG


def test_query_count_header_and_floor_endpoint_only_when_enabled(database_uri):
    plain = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    response = plain.test_client().get("/bench/floor")
    assert response.status_code == 404 and "X-Query-Count" not in response.headers
    bench = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri,
                        "QUERY_COUNT_HEADER": True, "BENCHMARK_ENDPOINTS": True})
    response = bench.test_client().get("/bench/floor")
    assert response.status_code == 200 and response.headers["X-Query-Count"] == "1"
    for app in (plain, bench):
        with app.app_context():
            db.engine.dispose()
