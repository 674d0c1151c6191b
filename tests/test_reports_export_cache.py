"""Cached enterprise exports (crm.reports.cache): sent again byte for byte while nothing they show
has changed, made afresh after a write to it in an organization they cover, kept after a write in
another one, and never shared between different scopes, languages or formats."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from crm.auth.models import User
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.privacy.models import AccessLogEntry
from crm.reports.models import OrganizationVersion
from tests.enterprises_helpers import QueryCounter
from tests.reports_helpers import add_enterprise, add_identified, build_programme

CSV = "/reports/enterprises.csv"


@pytest.fixture
def programme(app, make):
    app.config["EXPORT_STORE_MIN_ROWS"] = 1  # the hand-built programme is small
    return build_programme(app, make)


def export(client, path=CSV):
    response = client.get(path)
    assert response.status_code == 200
    response.get_data()  # to the end: a streamed response holds its request context until then
    return response


def exported_names(response) -> list[str]:
    lines = response.data.decode("utf-8-sig").splitlines()[1:]
    return sorted(line.split(";")[0] for line in lines)


def reads_enterprises(app, client, path=CSV) -> bool:
    """Whether an export made its file afresh (read the enterprises) rather than sent a cached one."""
    with QueryCounter(app) as queries:
        export(client, path)
    return any("FROM enterprises" in statement for statement in queries.statements)


def versions(app) -> list:
    with app.app_context():
        return db.session.execute(select(OrganizationVersion.organization_id, OrganizationVersion.version)
                                  .order_by(OrganizationVersion.organization_id)).all()


def test_a_cached_file_is_sent_byte_for_byte_as_the_one_made_afresh(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    app.config["REPORT_CACHE_SECONDS"] = 0  # caching off: made on each request, streamed
    fresh = export(client)
    assert reads_enterprises(app, client)
    app.config["REPORT_CACHE_SECONDS"] = 300
    assert reads_enterprises(app, client)  # made, then cached
    assert not reads_enterprises(app, client)  # sent from the cache
    again = export(client)
    assert again.data == fresh.data and fresh.data.startswith("\ufeff".encode())
    assert again.headers["Content-Type"] == fresh.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert again.headers["Content-Disposition"] == fresh.headers["Content-Disposition"]
    assert "Content-Length" not in again.headers and "Content-Length" not in fresh.headers


def test_a_cached_xlsx_holds_the_same_cells_and_headers(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    app.config["REPORT_CACHE_SECONDS"] = 0
    fresh = export(client, "/reports/enterprises.xlsx")
    app.config["REPORT_CACHE_SECONDS"] = 300
    export(client, "/reports/enterprises.xlsx")
    assert not reads_enterprises(app, client, "/reports/enterprises.xlsx")
    again = export(client, "/reports/enterprises.xlsx")

    def cells(response):
        sheet = load_workbook(io.BytesIO(response.data))["Entreprises"]
        return [[(cell.value, cell.data_type, cell.number_format) for cell in row] for row in sheet.iter_rows()]

    assert cells(again) == cells(fresh) and len(cells(again)) == 5
    assert again.headers["Content-Length"] == str(len(again.data))
    assert again.headers["Content-Type"] == fresh.headers["Content-Type"]
    assert again.headers["Content-Disposition"] == fresh.headers["Content-Disposition"]


def test_every_export_is_in_the_access_log_with_its_count(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    for _ in range(3):  # made, then sent from the cache twice
        export(client)
    export(client, CSV + "?stage=training")
    with app.app_context():
        entries = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "export_enterprises")
                                     .order_by(AccessLogEntry.id)).all()
        assert [(e.user_id, e.details) for e in entries] == [
            (programme.manager_a.id, {"count": 4, "format": "csv"})] * 3 + [
            (programme.manager_a.id, {"count": 1, "format": "csv"})]


def test_a_change_through_the_application_shows_in_the_next_export(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    export(client)
    add_identified(app, programme.org_a.id, 1)  # the enterprise services, through the ORM
    assert "Extra 0" in exported_names(export(client))
    with app.app_context():
        db.session.get(Enterprise, programme.enterprise_ids["E1"]).name = "Renommée"
        db.session.commit()
    assert "Renommée" in exported_names(export(client))


def test_a_bulk_update_shows_in_the_next_export(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    assert "Entreprise E2" in exported_names(export(client))
    with app.app_context():
        db.session.execute(update(Enterprise).where(Enterprise.id == programme.enterprise_ids["E2"])
                           .values(name="Changée en bloc"))
        db.session.commit()
    assert "Changée en bloc" in exported_names(export(client))
    with app.app_context():
        db.session.execute(update(Enterprise).where(Enterprise.id == programme.enterprise_ids["E3"])
                           .values(archived_at=func.now()))
        db.session.commit()
    assert "Entreprise E3" not in exported_names(export(client))


def test_a_new_organization_or_coach_name_shows_in_the_next_export(app, client, auth, make, programme):
    coach = make.user(role="coach", organization=programme.org_a, full_name="Ancien Nom")
    with app.app_context():
        add_enterprise(programme.org_a.id, "05", "obnl", [("identified", "03-01")], name="Suivie", coach_id=coach.id)
        db.session.commit()
    auth.sign_in(programme.manager_a)
    assert "Ancien Nom" in export(client).get_data(as_text=True)
    with app.app_context():
        db.session.get(User, coach.id).full_name = "Nouveau Nom"
        db.session.commit()
    assert "Nouveau Nom" in export(client).get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(Organization).where(Organization.id == programme.org_a.id).values(name="Pôle Z"))
        db.session.commit()
    assert "Pôle Z" in export(client).get_data(as_text=True)


def test_signing_in_and_other_tables_leave_the_cached_files_alone(app, client, auth, make, programme):
    auth.sign_in(programme.manager_a)
    export(client)
    before = versions(app)
    auth.logout()
    auth.login(programme.manager_a)  # writes the user's last sign-in
    make.user(role="coach", organization=programme.org_a)  # nobody's coach yet
    assert versions(app) == before
    assert not reads_enterprises(app, client)


def test_a_write_in_another_organization_leaves_the_file_cached(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    export(client)
    auth.logout()
    auth.sign_in(programme.admin)
    export(client)
    add_identified(app, programme.org_b.id, 1)
    assert "Extra 0" in exported_names(export(client))  # the programme-wide file is made again
    auth.logout()
    auth.sign_in(programme.manager_a)
    assert not reads_enterprises(app, client)
    assert "Extra 0" not in exported_names(export(client))


def test_different_scopes_never_get_each_others_file(app, client, auth, make, programme):
    for user, expected in [(programme.manager_a, ["Entreprise E1", "Entreprise E2", "Entreprise E3", "Entreprise E4"]),
                           (programme.manager_b, ["Entreprise E5", "Entreprise E6"]),
                           (programme.admin, [f"Entreprise E{n}" for n in range(1, 7)]),
                           (programme.coach_a, ["Entreprise E1", "Entreprise E2", "Entreprise E3", "Entreprise E4"]),
                           (programme.manager_b, ["Entreprise E5", "Entreprise E6"])]:
        auth.sign_in(user)
        assert exported_names(export(client)) == expected
        assert exported_names(export(client)) == expected
        auth.logout()
    # The coach sees what the manager of the organization sees: the same file.
    auth.sign_in(programme.coach_a)
    assert not reads_enterprises(app, client)


def test_filters_language_and_format_each_have_their_own_file(app, client, auth, make, programme):
    auth.sign_in(programme.manager_a)
    assert exported_names(export(client, CSV + "?stage=training")) == ["Entreprise E3"]
    assert len(exported_names(export(client))) == 4
    assert exported_names(export(client, CSV + "?stage=training")) == ["Entreprise E3"]
    export(client, "/reports/enterprises.xlsx")
    auth.logout()
    auth.sign_in(make.user(role="manager", organization=programme.org_a, locale="en"))
    english = export(client).get_data(as_text=True)
    assert english.startswith("\ufeffName,NEQ,Legal form,Region")
    assert "Entreprise E1,," in english
    assert not reads_enterprises(app, client)
    assert load_workbook(io.BytesIO(export(client, "/reports/enterprises.xlsx").data))["Enterprises"]


def test_only_exports_within_the_row_limits_are_cached(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    app.config.update(EXPORT_STORE_MIN_ROWS=2, EXPORT_STORE_MAX_ROWS=3)
    for path in (CSV + "?stage=training", CSV):  # 1 row, 4 rows
        export(client, path)
        assert reads_enterprises(app, client, path)
    assert exported_names(export(client, CSV + "?region=05")) == ["Entreprise E1", "Entreprise E2", "Entreprise E4"]
    assert not reads_enterprises(app, client, CSV + "?region=05")


def _statements(app, client) -> tuple[int, int]:
    """Statements of an export made afresh, then of the same export sent from the cache."""
    with app.app_context():
        db.session.execute(update(Enterprise).values(city="Sherbrooke"))  # a write: cached files go stale
        db.session.commit()
    with QueryCounter(app) as made:
        export(client)
    with QueryCounter(app) as sent:
        export(client)
    return made.count, sent.count


def test_an_export_sends_as_many_queries_with_four_times_the_data(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    export(client)  # per-process caches
    few = _statements(app, client)
    add_identified(app, programme.org_a.id, 12)
    many = _statements(app, client)
    assert few == many and few[1] < few[0]
