"""`/health` answers load balancers without a session, and says when the database is down."""
from crm import create_app
from tests.conftest import BASE_CONFIG


def test_health_is_ok_without_signing_in(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_when_the_database_does_not_answer(tmp_path):
    broken = f"sqlite:///{tmp_path / 'no-such-folder' / 'virage.sqlite3'}"
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": broken})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_health_is_503_when_postgresql_is_unreachable():
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://127.0.0.1:1/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = app.test_client().get("/health")
    assert response.status_code == 503 and response.get_json()["database"] == "error"
