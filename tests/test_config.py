import pytest

from crm import create_app
from crm.config import ConfigurationError, load_environment, normalize_database_url

pytestmark = pytest.mark.database_independent


def test_default_database_is_a_sqlite_file_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("VIRAGE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/virage.sqlite3"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "fr"


def test_instance_config_then_environment_then_test_config(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text("MAIL_SERVER = 'smtp.instance.example'\nMAIL_PORT = 2525\n")
    monkeypatch.setenv("VIRAGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["MAIL_SERVER"] == "smtp.instance.example"  # from instance/config.py
    assert app.config["MAIL_PORT"] == 587  # environment wins over the instance file
    assert app.config["MAIL_USE_TLS"] is True
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_PORT": 26})
    assert app.config["MAIL_PORT"] == 26  # test_config wins over everything


def test_database_url_switches_to_postgresql():
    config = {}
    load_environment(config, {"DATABASE_URL": "postgresql://db.internal/virage"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.internal/virage"
    assert normalize_database_url("postgres://h/d") == "postgresql+psycopg://h/d"
    assert normalize_database_url("postgresql+psycopg://h/d") == "postgresql+psycopg://h/d"


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ENV_NAME", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "a-long-random-production-secret"
