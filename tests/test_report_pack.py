"""The ministry's report pack: every indicator exactly on a hand-built programme
(tests/report_pack_helpers.py), fiscal years in Québec time, distinct counts, breakdowns that add up
to the totals, the page, the workbook, bad filters and the constant number of queries."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from crm.reports import pack, periods
from crm.reports import queries as report_queries
from tests.enterprises_helpers import QueryCounter
from tests.report_pack_helpers import EXPECTED_FY_2026, build_pack_world

INVESTED_FR = "1\u202f244\u202f567\u00a0$"  # Babel's French: narrow no-break spaces, then « $ »
FY_2026 = {"period": "custom", "date_from": "2026-04-01", "date_to": "2027-03-31"}


@pytest.fixture
def pack_world(app, make):
    return build_pack_world(app, make)


def _pack(app, user, **filters):
    with app.test_request_context("/"):
        from crm.extensions import db
        viewer = db.session.get(type(user), user.id)
        scope = report_queries.build_scope(viewer, **filters)
        return pack.report_pack(scope)


def _figures(result) -> dict:
    return {figure.indicator.code: figure.value for figure in result.figures}


def _subset(figures: dict, expected: dict) -> dict:
    return {code: figures.get(code, "absent") for code in expected}


# --- Periods -----------------------------------------------------------------------------------

def test_the_fiscal_year_runs_from_april_1_to_march_31():
    assert periods.fiscal_year_of(date(2026, 4, 1)) == periods.Period(date(2026, 4, 1), date(2027, 3, 31))
    assert periods.fiscal_year_of(date(2026, 3, 31)) == periods.Period(date(2025, 4, 1), date(2026, 3, 31))
    assert periods.fiscal_year_of(date(2027, 1, 15)) == periods.Period(date(2026, 4, 1), date(2027, 3, 31))
    today = date(2026, 12, 3)
    assert periods.resolve(periods.CURRENT_FISCAL_YEAR, None, None, today=today) == \
        periods.Period(date(2026, 4, 1), date(2027, 3, 31))
    assert periods.resolve(periods.PREVIOUS_FISCAL_YEAR, None, None, today=today) == \
        periods.Period(date(2025, 4, 1), date(2026, 3, 31))
    assert periods.resolve(periods.CUSTOM, date(2026, 1, 1), None, today=today) == \
        periods.Period(date(2026, 1, 1), None)


def test_since_the_start_of_the_programme_is_the_setting_or_the_earliest_stage_change(app, pack_world):
    with app.app_context():
        assert periods.resolve(periods.SINCE_START, None, None, today=date(2026, 12, 3)) == \
            periods.Period(date(2026, 1, 5), date(2026, 12, 3))  # E3 identified 2026-01-05 15:00 UTC
        app.config["PROGRAMME_START"] = date(2025, 9, 1)
        assert periods.programme_start() == date(2025, 9, 1)


# --- Every indicator ---------------------------------------------------------------------------

def test_every_indicator_of_fiscal_year_2026_2027_exactly(app, pack_world):
    figures = _figures(_pack(app, pack_world.admin, date_from=date(2026, 4, 1), date_to=date(2027, 3, 31)))
    assert _subset(figures, EXPECTED_FY_2026) == EXPECTED_FY_2026


def test_the_previous_fiscal_year_takes_what_happened_before_april_1_midnight_in_quebec(app, pack_world):
    figures = _figures(_pack(app, pack_world.admin, date_from=date(2025, 4, 1), date_to=date(2026, 3, 31)))
    # E2 made aware on March 31 at 23:30 in Québec (April 1, 03:30 UTC); S4 with C4; E1's 60 minutes of
    # March 31; E2's two diagnostics (strategy 1 -> 4); E3's plan of January.
    assert _subset(figures, {"made_aware": 1, "trained": 0, "coached": 0, "people": 1, "coaching_hours": 1.0,
                             "sessions_held": 1, "diagnosed_twice": 1, "gain_strategy": 3.0, "plans": 1,
                             "projects": 0, "conversion": 0.0}) == \
        {"made_aware": 1, "trained": 0, "coached": 0, "people": 1, "coaching_hours": 1.0, "sessions_held": 1,
         "diagnosed_twice": 1, "gain_strategy": 3.0, "plans": 1, "projects": 0, "conversion": 0.0}


@pytest.mark.parametrize(("date_from", "date_to", "expected"), [
    # Daylight time ends on 2026-11-01: Québec's midnight of Nov. 2 is 05:00 UTC, not 04:00.
    (date(2026, 10, 1), date(2026, 11, 1), {"made_aware": 1, "trained": 1, "coached": 0}),
    (date(2026, 11, 2), date(2026, 12, 31), {"made_aware": 0, "trained": 0, "coached": 1}),
    # The fiscal year's last day ends at 04:00 UTC on April 1 (daylight time).
    (date(2027, 3, 31), date(2027, 3, 31), {"made_aware": 0, "trained": 0, "coached": 1}),
    (date(2027, 4, 1), date(2027, 4, 30), {"made_aware": 0, "trained": 1, "coached": 0}),
])
def test_period_boundaries_are_quebec_midnights_through_daylight_time(app, pack_world, date_from, date_to,
                                                                      expected):
    figures = _figures(_pack(app, pack_world.admin, date_from=date_from, date_to=date_to))
    assert _subset(figures, expected) == expected


def test_distinct_counts_an_enterprise_or_a_person_once(app, pack_world):
    figures = _figures(_pack(app, pack_world.admin, date_from=date(2026, 6, 1), date_to=date(2026, 9, 30)))
    # E1 moved to training twice and to awareness once in the period; C1 attended S2 (and S1, before).
    assert _subset(figures, {"made_aware": 1, "trained": 1, "people": 1}) == \
        {"made_aware": 1, "trained": 1, "people": 1}


def test_breakdowns_add_up_to_the_totals_and_split_as_built(app, pack_world):
    result = _pack(app, pack_world.admin, date_from=date(2026, 4, 1), date_to=date(2027, 3, 31))
    totals = _figures(result)
    for breakdown in result.breakdowns:
        for indicator in result.broken_down:
            if indicator.per is None:
                added = sum(row.values[indicator.code] or 0 for row in breakdown.rows)
                assert added == pytest.approx(totals[indicator.code]), (breakdown.dimension, indicator.code)
    rows = {b.dimension: {row.label: row.values for row in b.rows} for b in result.breakdowns}
    estrie, national = rows["hub"]["Pôle de l'Estrie"], rows["hub"]["Suivies par un partenaire national"]
    assert (estrie["made_aware"], estrie["people"], estrie["coaching_hours"], estrie["plans"],
            estrie["conversion"], estrie["invested"]) == (1, 2, 0.5, 3, 0.5, 1_234_567)
    assert (national["made_aware"], national["people"], national["coaching_hours"], national["plans"],
            national["conversion"], national["invested"]) == (1, 1, 1.5, 0, None, 10_000)
    assert rows["region"]["Estrie"] == estrie and rows["region"]["Montréal"] == national
    assert rows["organization"]["Partenaire national"] == national
    assert rows["sector"]["Services aux personnes"]["trained"] == 2  # E1 and E4
    assert rows["sector"]["Non précisé"]["coached"] == 1  # E3
    assert rows["legal_form"]["Coopérative de solidarité"]["trained"] == 1  # E4
    assert "sessions_held" not in {indicator.code for indicator in result.broken_down}


def test_a_manager_counts_only_the_enterprises_of_the_organization(app, pack_world):
    figures = _figures(_pack(app, pack_world.manager_hub, date_from=date(2026, 4, 1), date_to=date(2027, 3, 31)))
    expected = {"made_aware": 1, "trained": 1, "coached": 1, "people": 2, "plans": 3, "projects": 1,
                "diagnosed_twice": 1, "gain_strategy": 2.0}
    assert _subset(figures, expected) == expected


# --- The page and the workbook -----------------------------------------------------------------

def test_the_page_shows_each_figure_with_its_definition_in_french(client, auth, pack_world):
    auth.sign_in(pack_world.admin)
    page = client.get("/reports/pack", query_string=FY_2026)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Trousse de reddition de comptes au ministère" in html
    assert "Investissement déclenché" in html and INVESTED_FR in html
    assert "Entreprises distinctes passées à l’étape de sensibilisation" in html
    assert "<td class=\"num\">50 %</td>" in html and "Par pôle régional" in html and "Définitions" in html
    assert 'name="period"' in html and "Exercice financier en cours" in html


def test_the_page_in_english(client, auth, make, pack_world):
    english = make.user(role="admin", organization=pack_world.national, locale="en")
    auth.sign_in(english)
    html = client.get("/reports/pack", query_string=FY_2026).get_data(as_text=True)
    assert "Ministry's report pack" in html and "Investment triggered" in html and "$1,244,567" in html
    assert "Distinct enterprises that moved to the awareness stage" in html and "By regional hub" in html
    book = load_workbook(io.BytesIO(client.get("/reports/pack.xlsx", query_string=FY_2026).data))
    assert book.sheetnames[0] == "Indicators" and book.sheetnames[-1] == "Definitions"
    invested = {row[0].value: row[1] for row in book["Indicators"].iter_rows(min_row=2)}["Investment triggered"]
    assert invested.value == 1_244_567 and invested.number_format == '"$"#,##0'


def test_the_current_fiscal_year_is_the_default(client, auth, pack_world, monkeypatch):
    monkeypatch.setattr(periods, "today_in_quebec", lambda: date(2026, 12, 3))
    auth.sign_in(pack_world.admin)
    html = client.get("/reports/pack").get_data(as_text=True)
    assert "Exercice financier 2026-2027" in html and INVESTED_FR in html
    html = client.get("/reports/pack?period=fiscal_previous").get_data(as_text=True)
    assert "Exercice financier 2025-2026" in html


@pytest.mark.parametrize("query", [
    "period=fiscal_next", "period=custom&date_from=2026-13-01", "period=fiscal_current&date_from=2026-01-01",
    "period=custom&date_from=2026-05-01&date_to=2026-04-01", "organization=abc", "region=99",
])
def test_bad_filters_are_refused_with_a_translated_error(client, auth, pack_world, query):
    auth.sign_in(pack_world.admin)
    for path in ("/reports/pack", "/reports/pack.xlsx"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert "Certains filtres ne sont pas valides" in response.get_data(as_text=True)


def test_the_workbook_holds_the_figures_with_number_formats_and_a_definitions_sheet(client, auth, pack_world):
    auth.sign_in(pack_world.admin)
    response = client.get("/reports/pack.xlsx", query_string=FY_2026)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "Indicateurs" and book.sheetnames[-1] == "Définitions"
    indicators = {row[0].value: row[1] for row in book["Indicateurs"].iter_rows(min_row=2)}
    invested = indicators["Investissement déclenché"]
    assert invested.value == 1_244_567 and invested.number_format == '#,##0\\ "$"'
    assert indicators["Heures d'accompagnement"].value == 2.0
    assert indicators["Heures d'accompagnement"].number_format == "#,##0.0"
    assert indicators["Conversion du plan au projet réalisé"].value == 0.5
    definitions = {row[0]: row[1] for row in book["Définitions"].iter_rows(min_row=2, values_only=True)}
    assert definitions["Personnes ayant participé"].startswith("Contacts distincts")
    hubs = [row for row in book["Par pôle régional"].iter_rows(min_row=2, values_only=True)]
    assert [row[0] for row in hubs] == ["Pôle de l'Estrie", "Suivies par un partenaire national", "Total"]


def test_the_pack_takes_a_constant_number_of_queries(app, client, auth, make, pack_world):
    auth.sign_in(pack_world.admin)
    app.config["REPORT_CACHE_SECONDS"] = 0
    with QueryCounter(app) as small:
        assert client.get("/reports/pack", query_string=FY_2026).status_code == 200
    build_pack_world(app, make, tag=" 2")  # the same programme again: twice the data
    with QueryCounter(app) as large:
        assert client.get("/reports/pack", query_string=FY_2026).status_code == 200
    assert large.count == small.count
    app.config["REPORT_CACHE_SECONDS"] = 300
    client.get("/reports/pack", query_string=FY_2026)
    with QueryCounter(app) as cached:
        assert client.get("/reports/pack", query_string=FY_2026).status_code == 200
    assert cached.count < small.count


def test_the_workbook_is_cached_until_a_write_changes_what_it_counts(app, client, auth, pack_world):
    auth.sign_in(pack_world.admin)

    def invested() -> int:
        book = load_workbook(io.BytesIO(client.get("/reports/pack.xlsx", query_string=FY_2026).data))
        return {row[0]: row[1] for row in book["Indicateurs"].iter_rows(min_row=2, values_only=True)}[
            "Investissement déclenché"]

    assert invested() == 1_244_567
    with QueryCounter(app) as cached:
        assert invested() == 1_244_567
    assert cached.count <= 5  # the session's user, the cache's versions, the filters' organizations
    with app.app_context():
        from crm.extensions import db
        from crm.outcomes.models import DigitalProject
        db.session.add(DigitalProject(enterprise_id=pack_world.ids["E4"], title="Site", category="other",
                                      status="carried_out", completed_on=date(2026, 11, 1), amount_invested=433))
        db.session.commit()
    assert invested() == 1_245_000


def test_a_feature_adds_indicators_through_the_signal_as_surveys_will(app, client, auth, pack_world):
    """What crm/surveys is to answer: figures for the whole scope only (``totals``), e.g. satisfaction."""
    from crm import signals
    from crm.contributions import Indicator, ReportIndicators

    seen = []

    def satisfaction(scope):
        seen.append((scope.date_from, scope.date_to))
        return {"satisfaction": 4.3, "answers": 8, "sent": 10}

    def receiver(_sender, **_extra):
        return ReportIndicators("a-feature", (
            Indicator("satisfaction", "Satisfaction globale", "Moyenne des réponses, de 1 à 5.", kind="score"),
            Indicator("response_rate", "Taux de réponse", "Réponses sur sondages envoyés.", kind="percent",
                      value="answers", per="sent"),
        ), totals=satisfaction, order=15, heading="Satisfaction")

    signals.report_indicators.connect(receiver)
    try:
        auth.sign_in(pack_world.admin)
        html = client.get("/reports/pack", query_string=FY_2026).get_data(as_text=True)
        result = _pack(app, pack_world.admin, date_from=date(2026, 4, 1), date_to=date(2027, 3, 31))
    finally:
        signals.report_indicators.disconnect(receiver)
    assert seen[0] == (date(2026, 4, 1), date(2027, 3, 31))
    assert _subset(_figures(result), {"satisfaction": 4.3, "response_rate": 0.8, "made_aware": 2}) == \
        {"satisfaction": 4.3, "response_rate": 0.8, "made_aware": 2}
    assert {"satisfaction", "response_rate"}.isdisjoint(i.code for i in result.broken_down)
    assert 'data-indicator="satisfaction"><th scope="row">Satisfaction globale</th>' in html
    assert "<td class=\"num\">4,3</td>" in html
    assert "Moyenne des réponses, de 1 à 5." in html and "<td class=\"num\">80 %</td>" in html
