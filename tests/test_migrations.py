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


def insert_organization(conn) -> None:
    """Organization 1, written in SQL as an old revision's schema holds it."""
    from sqlalchemy import text

    conn.execute(text("INSERT INTO organizations (id, code, name, kind, is_active, created_at, updated_at) "
                      "VALUES (1, 'o', 'O', 'national', TRUE, '2026-01-01', '2026-01-01')"))


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


def test_consents_in_force_become_the_first_event_of_their_history(request, tmp_path):
    """Migration 0006 records each existing consent so that it has its when, how and by whom."""
    from sqlalchemy import text

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database_uri(request, tmp_path)})
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            insert_organization(conn)
            conn.execute(text(
                "INSERT INTO enterprises (id, name, name_key, legal_form, region_code, city_key, organization_id, "
                "stage, preferred_language, search_text, version, created_at, updated_at) VALUES "
                "(1, 'E', 'e', 'obnl', '05', '', 1, 'identified', 'fr', '', 1, '2026-01-01', '2026-01-01')"))
            for cid, consent in ((1, True), (2, False)):
                conn.execute(text(
                    "INSERT INTO contacts (id, enterprise_id, first_name, last_name, preferred_language, "
                    "email_consent, consent_at, consent_source, version, created_at, updated_at) VALUES "
                    "(:id, 1, 'A', 'B', 'fr', :consent, '2026-02-03', 'papier', 1, '2026-01-01', '2026-01-01')"),
                    {"id": cid, "consent": consent})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT contact_id, purpose, granted, source FROM consent_events")).all()
        assert [(r[0], r[1], bool(r[2]), r[3]) for r in rows] == [(1, "email_reminders", True, "papier")]
        db.engine.dispose()


def test_existing_stage_changes_are_credited_to_their_enterprise_s_organization(request, tmp_path):
    """Migration 7c1e5a9d3b20 fills the new column of the steps already taken from their enterprise's owner."""
    from sqlalchemy import text

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database_uri(request, tmp_path)})
    with app.app_context():
        upgrade(revision="28ac40102b33")
        with db.engine.begin() as conn:
            insert_organization(conn)
            conn.execute(text(
                "INSERT INTO enterprises (id, name, name_key, legal_form, region_code, city_key, organization_id, "
                "stage, preferred_language, search_text, version, created_at, updated_at) VALUES "
                "(1, 'E', 'e', 'obnl', '05', '', 1, 'awareness', 'fr', '', 1, '2026-01-01', '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO stage_changes (id, enterprise_id, from_stage, to_stage, changed_at) VALUES "
                "(1, 1, NULL, 'identified', '2026-01-01'), (2, 1, 'identified', 'awareness', '2026-02-01')"))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, organization_id FROM stage_changes ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 1), (2, 1)]
        db.engine.dispose()
