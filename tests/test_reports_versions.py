"""Which organizations a committed write marks changed (crm.reports.versions): only theirs lose
their cached dashboard figures, list counts and exports."""
from datetime import date

import pytest
from sqlalchemy import insert, select, update

from crm.auth.models import User
from crm.cohorts import services as cohort_services
from crm.cohorts.models import CohortMembership, ProgrammeSession
from crm.enterprises import services
from crm.enterprises.models import Activity, Enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.reports import versions
from crm.reports.models import OrganizationVersion
from tests.cohorts_helpers import make_cohort, make_session
from tests.imports_helpers import batch_id_from, commit, confirm_mapping, upload
from tests.reports_helpers import enterprises_counted


@pytest.fixture
def world(app, make):
    class World:
        a, b, c = (make.organization(name=f"Pôle {n}") for n in "ABC")
        coach = make.user(role="coach", organization=a, full_name="Claire Conseil")
        in_a = make.enterprise(a, coach=coach)
        in_b = make.enterprise(b)
    return World


def changed_by(app, write) -> set[int]:
    """The organizations whose version ``write`` (run in an app context, then committed) bumped."""
    def current():
        return dict(db.session.execute(select(OrganizationVersion.organization_id, OrganizationVersion.version)).all())
    with app.app_context():
        before = current()
        write()
        db.session.commit()
        after = current()
    return {organization for organization, version in after.items() if version != before.get(organization, 0)}


def test_an_enterprise_its_stage_and_its_timeline_change_its_organization(app, world):
    def enterprise():
        return db.session.get(Enterprise, world.in_a.id)
    assert changed_by(app, lambda: services.change_stage(enterprise(), "awareness", actor=None)) == {world.a.id}
    assert changed_by(app, lambda: setattr(enterprise(), "city", "Magog")) == {world.a.id}
    assert changed_by(app, lambda: db.session.add(Activity(enterprise_id=world.in_a.id, kind="note", body="Appel",
                                                           occurred_on=date(2026, 3, 2)))) == {world.a.id}


def test_an_enterprise_handed_over_changes_both_organizations(app, world):
    def hand_over():
        services.hand_over(db.session.get(Enterprise, world.in_a.id), db.session.get(Organization, world.b.id),
                           actor=None)
    assert changed_by(app, hand_over) == {world.a.id, world.b.id}


def test_a_cohort_session_changes_the_organizations_of_its_members(app, world):
    cohort_id = make_cohort(app, world.c, enterprises=[world.in_a, world.in_b])
    session_id = make_session(app, cohort_id=cohort_id)  # committed: look at the versions of a change
    def reschedule():
        session = db.session.get(ProgrammeSession, session_id)
        cohort_services.update_session(session, actor=None, title="Atelier déplacé")
    assert changed_by(app, reschedule) == {world.a.id, world.b.id}
    def leave():
        membership = db.session.scalars(select(CohortMembership).where(
            CohortMembership.enterprise_id == world.in_b.id)).one()
        cohort_services.leave_cohort(membership, actor=None, left_on=date(2027, 10, 1))
    assert changed_by(app, leave) == {world.b.id}


def test_an_individual_session_changes_its_enterprises_organization(app, world):
    session_id = make_session(app, enterprise_id=world.in_b.id)
    def cancel():
        cohort_services.cancel_session(db.session.get(ProgrammeSession, session_id), actor=None)
    assert changed_by(app, cancel) == {world.b.id}


def test_an_organization_renamed_changes_itself(app, world):
    assert changed_by(app, lambda: setattr(db.session.get(Organization, world.b.id), "name", "Pôle Bis")) \
        == {world.b.id}


def test_a_coach_renamed_changes_every_organization_and_a_sign_in_none(app, world):
    every = {world.a.id, world.b.id, world.c.id}
    assert changed_by(app, lambda: setattr(db.session.get(User, world.coach.id), "full_name", "Claire Neuve")) >= every
    assert changed_by(app, lambda: setattr(db.session.get(User, world.coach.id), "locale", "en")) == set()


def test_bulk_statements_change_the_organizations_of_their_rows_or_every_one(app, world):
    def insert_activity():
        db.session.execute(insert(Activity), [{"enterprise_id": world.in_b.id, "kind": "note", "body": "Appel",
                                               "occurred_on": date(2026, 3, 2)}])
    assert changed_by(app, insert_activity) == {world.b.id}
    def update_city():
        db.session.execute(update(Enterprise).where(Enterprise.id == world.in_b.id).values(city="Laval"))
    assert changed_by(app, update_city) >= {world.a.id, world.b.id, world.c.id}


def test_a_write_that_bypasses_the_session_says_which_organization_changed(app, world):
    assert changed_by(app, lambda: versions.organizations_changed(db.session, [world.c.id])) == {world.c.id}


def test_a_rolled_back_change_changes_nothing(app, world):
    with app.app_context():
        db.session.get(Enterprise, world.in_a.id).city = "Magog"
        db.session.flush()
        db.session.rollback()
    assert changed_by(app, lambda: None) == set()


def test_an_import_shows_on_its_organizations_next_dashboard(app, client, auth, make, world):
    """On PostgreSQL the import writes through COPY, which the session's events do not see."""
    app.config["EXPORT_STORE_MIN_ROWS"] = 1  # this export is cached too
    manager = make.user(role="manager", organization=world.a)
    auth.sign_in(manager)
    assert "Coop Importée" not in client.get("/reports/enterprises.csv").get_data(as_text=True)
    assert enterprises_counted(client) == 1
    batch_id = batch_id_from(upload(client, "Nom;Région;Forme juridique\r\nCoop Importée;05;OBNL\r\n".encode(),
                                    "mars.csv"))
    assert confirm_mapping(client, batch_id).status_code == 302
    assert commit(client, batch_id).status_code == 302
    assert "Coop Importée" in client.get("/reports/enterprises.csv").get_data(as_text=True)
    assert enterprises_counted(client) == 2
