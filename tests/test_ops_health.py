"""`/health` answers load balancers without a session, and says when the database or Redis is down."""
import pytest

from crm import create_app
from crm.extensions import db
from tests.conftest import BASE_CONFIG
from tests.security_helpers import require_redis
from tests.smtp import free_port


def test_health_is_ok_without_signing_in(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.database_independent
def test_health_is_503_when_the_database_does_not_answer(tmp_path):
    broken = f"sqlite:///{tmp_path / 'no-such-folder' / 'virage.sqlite3'}"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": broken})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


@pytest.mark.database_independent
def test_health_is_503_when_postgresql_is_unreachable():
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://127.0.0.1:1/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = app.test_client().get("/health")
    assert response.status_code == 503 and response.get_json()["database"] == "error"


def health_with_redis(database_uri, redis_uri):
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri, "RATELIMIT_STORAGE_URI": redis_uri})
    response = app.test_client().get("/health")
    with app.app_context():
        db.engine.dispose()
    return response


def test_health_reports_redis_when_rate_limits_are_counted_there(database_uri):
    require_redis()
    response = health_with_redis(database_uri, "redis://127.0.0.1:6379")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_says_degraded_when_redis_does_not_answer(database_uri, caplog):
    """Sign-in goes on without Redis (tests/test_security_login.py), so the instance stays in the
    load balancer (200), and monitoring sees the status."""
    response = health_with_redis(database_uri, f"redis://:hunter2@127.0.0.1:{free_port()}")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok", "redis": "error"}
    assert "rate-limit storage redis://:***@127.0.0.1" in caplog.text and "hunter2" not in caplog.text
