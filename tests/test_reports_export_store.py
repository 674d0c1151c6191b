"""Stored enterprise exports (crm.reports.export_store): sent again byte for byte while nothing they
show has changed, made afresh after any write to it, never shared between different scopes,
languages or formats, and bounded in size."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from crm.auth.models import User
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.privacy.models import AccessLogEntry
from crm.reports.cache import EXPORTS
from crm.reports.models import FiguresVersion, StoredExport
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
    """Whether an export made its file afresh (read the enterprises) rather than sent a stored one."""
    with QueryCounter(app) as queries:
        export(client, path)
    return any("FROM enterprises" in statement for statement in queries.statements)


def stored(app) -> list[StoredExport]:
    with app.app_context():
        return db.session.scalars(select(StoredExport).order_by(StoredExport.created_at)).all()


def exports_version(app) -> int:
    with app.app_context():
        return db.session.scalar(select(FiguresVersion.version).where(FiguresVersion.id == EXPORTS)) or 0


def test_a_stored_file_is_sent_byte_for_byte_as_the_one_made_afresh(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    app.config["REPORT_CACHE_SECONDS"] = 0  # storing off: made on each request, streamed
    fresh = export(client)
    assert stored(app) == []
    app.config["REPORT_CACHE_SECONDS"] = 300
    assert reads_enterprises(app, client)  # made, then stored
    assert not reads_enterprises(app, client)  # sent from the store
    again = export(client)
    assert again.data == fresh.data and fresh.data.startswith("\ufeff".encode())
    assert again.headers["Content-Type"] == fresh.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert again.headers["Content-Disposition"] == fresh.headers["Content-Disposition"]
    assert "Content-Length" not in again.headers and "Content-Length" not in fresh.headers
    assert [row.row_count for row in stored(app)] == [4]


def test_a_stored_xlsx_holds_the_same_cells_and_headers(app, client, auth, programme):
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
    for _ in range(3):  # made, then sent from the store twice
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


def test_signing_in_and_other_tables_leave_the_stored_files_alone(app, client, auth, make, programme):
    auth.sign_in(programme.manager_a)
    export(client)
    before = exports_version(app)
    auth.logout()
    auth.login(programme.manager_a)  # writes the user's last sign-in
    make.user(role="coach", organization=programme.org_a)  # nobody's coach yet
    assert exports_version(app) == before
    assert not reads_enterprises(app, client)


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
    # One file per scope: the coach sees what the manager of the organization sees, the same file.
    assert sorted(row.row_count for row in stored(app)) == [2, 4, 6]


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
    assert len(stored(app)) == 4


def test_files_of_an_older_version_or_beyond_the_size_limit_are_deleted(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    export(client)
    export(client, CSV + "?stage=training")
    assert len(stored(app)) == 2
    add_identified(app, programme.org_a.id, 1)
    export(client)  # a new version: the files of the older one can never be sent again
    assert [row.row_count for row in stored(app)] == [5]
    newest = stored(app)[0].size
    app.config["EXPORT_STORE_BYTES"] = newest + 10
    export(client, CSV + "?stage=training")  # this one fits; the older, bigger one goes
    assert [row.row_count for row in stored(app)] == [2]  # E3 and the new one, in training


def test_only_exports_within_the_row_limits_are_stored(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    app.config.update(EXPORT_STORE_MIN_ROWS=2, EXPORT_STORE_MAX_ROWS=3)
    export(client, CSV + "?stage=training")  # 1 row
    export(client)  # 4 rows
    assert stored(app) == []
    assert exported_names(export(client, CSV + "?region=05")) == ["Entreprise E1", "Entreprise E2", "Entreprise E4"]
    assert [row.row_count for row in stored(app)] == [3]


def test_an_old_file_is_made_again(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    export(client)
    with app.app_context():  # as if stored ten minutes ago, and the data changed since without a write
        row = db.session.scalars(select(StoredExport)).one()
        row.created_at = row.created_at.replace(year=2020)
        db.session.commit()
    assert reads_enterprises(app, client)


def _statements(app, client) -> tuple[int, int]:
    """Statements of an export made afresh, then of the same export sent from the store."""
    with app.app_context():
        db.session.execute(update(Enterprise).values(city="Sherbrooke"))  # a write: stored files go stale
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
