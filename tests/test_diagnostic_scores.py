"""Scored diagnostics: scores per configurable dimension, the enterprise page's before and after, and
the dashboard's average gain per dimension and enterprises diagnosed twice (exact, scoped)."""
from datetime import date

import pytest
from sqlalchemy import select

from crm.auth.models import User
from crm.domain import DomainError
from crm.enterprises import timeline
from crm.enterprises.models import DiagnosticScore, DigitalDiagnostic, Enterprise
from crm.extensions import db
from crm.reports import queries
from tests.enterprises_helpers import QueryCounter, post_prefixed, world  # noqa: F401 - fixture
from tests.reports_helpers import build_programme

SCORES = {"strategy": "1", "operations": "2", "sales_marketing": "", "data": "3", "cybersecurity": "1",
          "skills": "2"}


def _add(client, enterprise_id, day, scores, **more):
    page = f"/enterprises/{enterprise_id}"
    data = {"performed_on": day, "tool": "audit_industrie_40", "maturity_level": "2",
            **{f"score_{code}": value for code, value in scores.items()}, **more}
    return post_prefixed(client, f"{page}/diagnostics", "diagnostic", data, page=page)


def test_two_scored_diagnostics_show_side_by_side_with_the_gain(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.coach)
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "<details" in page and "Ajouter un diagnostic" in page and 'name="diagnostic-score_strategy"' in page
    assert "Stratégie" in page and "Cybersécurité" in page and "Non noté" in page
    assert _add(client, enterprise.id, "2026-01-15", SCORES).status_code == 302
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "Notes du seul diagnostic noté" in page
    later = {"strategy": "3", "operations": "2", "sales_marketing": "4", "data": "2", "cybersecurity": "",
             "skills": "5"}
    assert _add(client, enterprise.id, "2026-06-01", later, tool="adn_40").status_code == 302
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "Premier : 15 janv. 2026" in page and "Dernier : 1er juin 2026" in page
    for code, gain in (("strategy", "2"), ("operations", "0"), ("data", "-1"), ("skills", "3"),
                       ("sales_marketing", ""), ("cybersecurity", "")):
        assert f'data-dimension="{code}"' in page
        assert f'data-gain="{gain}"' in page.split(f'data-dimension="{code}"')[1].split("</tr>")[0]
    assert "+2" in page and "Autodiagnostic ADN 4.0" in page
    # The history names the scores.
    assert "Stratégie : 1, Opérations : 2, Données : 3, Cybersécurité : 1, Compétences : 2" in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(DiagnosticScore)) == 10


@pytest.mark.parametrize(("change", "field_error"), [
    ({"score_strategy": "9"}, "N&#39;est pas un choix valide"),
    ({"score_data": "trois"}, "N&#39;est pas un choix valide"),
    ({"tool": "self_assessment"}, "N&#39;est pas un choix valide"),
    ({"performed_on": "2099-01-01"}, "La date ne peut pas être dans le futur"),
])
def test_bad_scores_are_refused_and_nothing_is_saved(app, client, auth, make, world, change, field_error):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.coach)
    response = _add(client, enterprise.id, "2026-01-15", SCORES, **change)
    assert response.status_code == 400 and field_error in response.get_data(as_text=True)
    assert "<details class=\"disclosure\" open>" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(DigitalDiagnostic)) is None


def test_the_service_refuses_a_dimension_that_is_not_configured(app, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org)
    with app.test_request_context():
        row = db.session.get(Enterprise, enterprise.id)
        with pytest.raises(DomainError, match="Dimension du diagnostic inconnue"):
            timeline.add_diagnostic(row, actor=None, performed_on=date(2026, 1, 5), tool="own", maturity_level=2,
                                    scores={"astrology": 3})


def test_dimensions_come_from_the_configuration(app, client, auth, make, world):  # noqa: F811
    app.config["DIAGNOSTIC_DIMENSIONS"] = ("strategy", "ethics")
    app.config["DIAGNOSTIC_DIMENSION_LABELS"] = {"ethics": {"fr": "Éthique numérique", "en": "Digital ethics"}}
    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.coach)
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "Éthique numérique" in page and 'name="diagnostic-score_ethics"' in page
    assert 'name="diagnostic-score_data"' not in page
    assert _add(client, enterprise.id, "2026-01-15", {"strategy": "2", "ethics": "4"}).status_code == 302
    with app.app_context():
        assert dict(db.session.execute(select(DiagnosticScore.dimension, DiagnosticScore.score)).all()) == {
            "strategy": 2, "ethics": 4}


# --- The dashboard, on a hand-built data set -----------------------------------------------------

def _diagnose(enterprise_id, day, scores, tool="audit_industrie_40"):
    row = db.session.get(Enterprise, enterprise_id)
    timeline.add_diagnostic(row, actor=None, performed_on=date.fromisoformat(f"2026-{day}"), tool=tool,
                            maturity_level=2, scores=scores)


@pytest.fixture
def diagnosed(app, make):
    """A (manager_a's): E1 strategy 1→3→4 (latest scores strategy only), data 2→2→–; E2 strategy 2→3,
    data 1→4; E3 once (then an unscored diagnostic). B: E5 strategy 1→5. E4, E6: none."""
    programme = build_programme(app, make)
    ids = programme.enterprise_ids
    with app.test_request_context():
        _diagnose(ids["E1"], "01-10", {"strategy": 1, "data": 2})
        _diagnose(ids["E1"], "03-01", {"strategy": 3, "data": 2, "skills": 4})
        _diagnose(ids["E1"], "05-01", {"strategy": 4})
        _diagnose(ids["E2"], "02-01", {"strategy": 2, "data": 1})
        _diagnose(ids["E2"], "02-20", {"strategy": 3, "data": 4}, tool="own")
        _diagnose(ids["E3"], "02-01", {"strategy": 2})
        _diagnose(ids["E3"], "04-01", {})
        _diagnose(ids["E5"], "01-05", {"strategy": 1})
        _diagnose(ids["E5"], "03-05", {"strategy": 5})
        db.session.commit()
    return programme


def _figures(app, user, **filters) -> tuple[int, dict]:
    with app.test_request_context():
        scope = queries.build_scope(db.session.get(User, user.id), **filters)
        template, section, _sheets = next(s for s in queries.dashboard(scope).sections
                                          if s[0] == "enterprises/_dashboard_diagnostics.html")
        return section["twice"], {row.code: (row.average, row.enterprises) for row in section["gains"]
                                  if row.enterprises}


def test_average_gain_and_enterprises_diagnosed_twice_are_exact_and_scoped(app, diagnosed):
    # A: E1 strategy +3 (1 → 4; data not in the latest); E2 strategy +1, data +3.
    assert _figures(app, diagnosed.manager_a) == (2, {"strategy": (2.0, 2), "data": (3.0, 1)})
    # B: E5 strategy +4.
    assert _figures(app, diagnosed.manager_b) == (1, {"strategy": (4.0, 1)})
    twice, gains = _figures(app, diagnosed.admin)
    assert twice == 3 and gains["data"] == (3.0, 1)
    assert gains["strategy"][1] == 3 and gains["strategy"][0] == pytest.approx(8 / 3)
    assert _figures(app, diagnosed.admin, organization_id=diagnosed.org_b.id) == (1, {"strategy": (4.0, 1)})
    assert _figures(app, diagnosed.manager_c) == (0, {})


def test_the_period_ends_where_the_latest_diagnostic_is_taken(app, diagnosed):
    # Until April 1st: E1's latest is March 1st (strategy +2, data 0, skills not in the first).
    assert _figures(app, diagnosed.manager_a, date_to=date(2026, 4, 1)) == (
        2, {"strategy": (1.5, 2), "data": (1.5, 2)})
    assert _figures(app, diagnosed.manager_a, date_to=date(2026, 1, 31)) == (0, {})


def test_the_dashboard_page_and_workbook_show_the_gains(app, client, auth, diagnosed):
    auth.sign_in(diagnosed.manager_a)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Maturité numérique : avant et après" in page
    assert 'data-figure="diagnosed-twice">2<' in page
    row = page.split('data-dimension="strategy"')[1].split("</tr>")[0]
    assert "+2" in row and ">2<" in row
    assert "+3" in page.split('data-dimension="data"')[1].split("</tr>")[0]
    funder = client.get("/reports/funder").get_data(as_text=True)
    assert "Maturité numérique : avant et après" in funder


def test_the_dashboard_query_count_does_not_grow_with_diagnostics(app, client, auth, diagnosed):
    app.config["REPORT_CACHE_SECONDS"] = 0
    auth.sign_in(diagnosed.admin)
    with QueryCounter(app) as before:
        assert client.get("/reports/").status_code == 200
    with app.test_request_context():
        for key in ("E4", "E6", "E3"):
            for day in ("05-02", "05-03", "05-04"):
                _diagnose(diagnosed.enterprise_ids[key], day, {"strategy": 3, "skills": 2})
        db.session.commit()
    with QueryCounter(app) as after:
        assert client.get("/reports/").status_code == 200
    assert after.count == before.count
