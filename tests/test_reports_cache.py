"""Stored dashboard figures (crm.reports.cache): reused while nothing they count has changed, and
recomputed on the next view after any change, whether made through the ORM or a bulk statement."""
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from crm.reports.cache import FIGURES
from crm.reports.models import FiguresVersion, StoredFigures
from tests.enterprises_helpers import QueryCounter
from tests.reports_helpers import add_identified, build_programme


@pytest.fixture
def programme(app, make):
    return build_programme(app, make)


def enterprises_counted(client) -> int:
    response = client.get("/reports/funder.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["Résumé"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}["Entreprises"]


def statements_of(app, client, path) -> list[str]:
    with QueryCounter(app) as queries:
        assert client.get(path).status_code == 200
    return queries.statements


def stored_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredFigures))


def version(app) -> int:
    with app.app_context():
        return db.session.scalar(select(FiguresVersion.version).where(FiguresVersion.id == FIGURES)) or 0


def test_a_second_view_reads_the_stored_figures_instead_of_the_history(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    first = statements_of(app, client, "/reports/")
    second = statements_of(app, client, "/reports/")
    assert any("stage_changes" in s for s in first)
    assert not any("stage_changes" in s or "attendances" in s for s in second)
    assert len(second) < len(first) and stored_rows(app) == 1
    # The same page, but for its form tokens (signed with the second they were made in).
    assert without_tokens(client.get("/reports/")) == without_tokens(client.get("/reports/"))


def without_tokens(response) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def test_each_scope_and_filter_has_its_own_figures(app, client, auth, programme):
    auth.sign_in(programme.admin)
    assert enterprises_counted(client) == 6
    assert client.get(f"/reports/?organization={programme.org_b.id}").status_code == 200
    auth.logout()
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    assert stored_rows(app) == 3


def test_a_change_through_the_application_shows_on_the_next_view(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    before = version(app)
    add_identified(app, programme.org_a.id, 2)  # the enterprise services, through the ORM
    assert version(app) > before
    assert enterprises_counted(client) == 6


def test_a_bulk_statement_also_marks_the_figures_stale(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    with app.app_context():
        enterprise_id = db.session.execute(insert(Enterprise.__table__).values(
            name="Importée", name_key="importee", legal_form="obnl", region_code="05",
            organization_id=programme.org_a.id, stage="identified", preferred_language="fr")
            .returning(Enterprise.__table__.c.id)).scalar()
        db.session.execute(insert(StageChange.__table__), [{"enterprise_id": enterprise_id,
                                                            "to_stage": "identified"}])
        db.session.commit()
    assert enterprises_counted(client) == 5


def test_a_rolled_back_change_leaves_the_figures_alone(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    before = version(app)
    with app.app_context():
        db.session.get(Enterprise, programme.enterprise_ids["E1"]).city = "Magog"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert version(app) == before


def test_storing_can_be_turned_off(app, client, auth, programme):
    app.config["REPORT_CACHE_SECONDS"] = 0
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    assert enterprises_counted(client) == 4 and stored_rows(app) == 0


def test_figures_older_than_the_limit_are_recomputed(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    with app.app_context():  # as if computed ten minutes ago, and the data changed since without a write
        stored = db.session.scalars(select(StoredFigures)).one()
        stored.computed_at = stored.computed_at.replace(year=2020)
        db.session.commit()
    assert any("stage_changes" in s for s in statements_of(app, client, "/reports/"))
