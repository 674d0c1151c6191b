"""The schema is built by migrations only, on SQLite and PostgreSQL, and matches the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from crm import create_app
from crm.extensions import db
from tests.conftest import BASE_CONFIG, DATABASE


def fresh_database_uri(request, tmp_path):
    if DATABASE == "postgresql":
        return request.getfixturevalue("pg_server").new_database("virage_migrations")
    return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


def test_upgrade_from_nothing_matches_models_and_downgrades_to_base(request, tmp_path):
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database_uri(request, tmp_path)})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"organizations", "users", "enterprises", "contacts", "stage_changes"} <= tables
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            drift = compare_metadata(context, db.metadata)
        assert drift == [], f"models and migrations differ: {drift}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()  # and back up again
        assert "enterprises" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_flask_db_check_reports_no_drift(app, runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
