"""`flask crm retention`: contacts of enterprises archived too long ago are anonymized."""
from datetime import timedelta

from sqlalchemy import select

from crm.contacts.models import Contact
from crm.db import utcnow
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.privacy_helpers import contact_ids


def _archive(app, enterprise, days_ago):
    with app.app_context():
        db.session.get(Enterprise, enterprise.id).archived_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()


def _world(app, make):
    org = make.organization()
    old = make.enterprise(org, contacts=2, name="Coop ancienne")
    recent = make.enterprise(org, contacts=1, name="Coop récente")
    active = make.enterprise(org, contacts=1, name="Coop active")
    _archive(app, old, 800)
    _archive(app, recent, 100)
    return old, recent, active


def _anonymized(app):
    with app.app_context():
        return set(db.session.scalars(select(Contact.id).where(Contact.anonymized_at.is_not(None))))


def test_dry_run_lists_and_changes_nothing(app, runner, make):
    old, _, _ = _world(app, make)
    result = runner.invoke(args=["crm", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 contact(s)" in result.output and "dry run" in result.output
    for contact_id in contact_ids(app, old):
        assert f"contact {contact_id} - enterprise {old.id} (Coop ancienne)" in result.output
    assert "Coop récente" not in result.output and "@" not in result.output
    assert _anonymized(app) == set()


def test_run_anonymizes_only_contacts_past_the_limit(app, runner, make):
    old, recent, active = _world(app, make)
    result = runner.invoke(args=["crm", "retention"])
    assert result.exit_code == 0, result.output
    assert _anonymized(app) == set(contact_ids(app, old))
    with app.app_context():
        enterprise = db.session.get(Enterprise, old.id)
        assert "coop ancienne" in enterprise.search_text and "@" not in enterprise.search_text
    again = runner.invoke(args=["crm", "retention"])
    assert "0 contact(s)" in again.output


def test_the_limit_comes_from_the_configuration(app, runner, make):
    old, recent, _ = _world(app, make)
    app.config["RETENTION_ARCHIVED_DAYS"] = 30
    runner.invoke(args=["crm", "retention"])
    assert _anonymized(app) == set(contact_ids(app, old)) | set(contact_ids(app, recent))
