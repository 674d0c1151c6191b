"""The survey results on a hand-built data set, every figure checked exactly: response rates,
averages and shares per session, cohort, organization and programme, the threshold of five answers,
the funder's figures of a period (Québec days), and who sees the comments."""
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.contributions import ReportScope
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.surveys import queries
from crm.surveys.models import Survey
from tests.api_helpers import bearer, personal_token
from tests.cohorts_helpers import count_queries
from tests.referrals_helpers import signed_in
from tests.surveys_helpers import FIRST, add_session, add_survey, hand_built


@pytest.fixture
def data(app, make):
    return hand_built(app, make)


def test_results_per_session_cohort_organization_and_programme(app, data):
    _people, ids = data
    with app.app_context():
        a = queries.results(organization_id=ids["a"])
        total = a["total"]
        assert (total.sent, total.answered) == (13, 7)
        assert total.response_rate == pytest.approx(7 / 13)
        assert total.satisfaction == pytest.approx((21 + 5) / 7) and total.usefulness == pytest.approx((19 + 6) / 7)
        assert total.would_recommend == pytest.approx(5 / 7) and total.intends_to_act == pytest.approx(4 / 7)
        sessions = {g.key: g.figures for g in a["sessions"]}
        first, second = sessions[ids["s1"]], sessions[ids["s2"]]
        assert (first.sent, first.answered, first.response_rate) == (6, 5, pytest.approx(5 / 6))
        assert (first.satisfaction, first.usefulness) == (pytest.approx(4.2), pytest.approx(3.8))
        assert (first.would_recommend, first.intends_to_act) == (pytest.approx(0.8), pytest.approx(0.6))
        # Two answers: what was sent and answered shows, the averages do not (fewer than five).
        assert (second.sent, second.answered, second.response_rate) == (4, 2, 0.5)
        assert not second.shown and second.satisfaction is None and second.would_recommend is None
        cohorts = {g.key: g.figures for g in a["cohorts"]}
        assert (cohorts[ids["first_cohort"]].sent, cohorts[ids["first_cohort"]].answered) == (10, 7)
        assert cohorts[ids["first_cohort"]].satisfaction == pytest.approx(26 / 7)
        assert (cohorts[ids["second_cohort"]].sent, cohorts[ids["second_cohort"]].answered) == (3, 0)
        assert cohorts[ids["second_cohort"]].response_rate == 0
        programme = queries.results()
        assert (programme["total"].sent, programme["total"].answered) == (15, 8)
        by_org = {g.label: (g.figures.sent, g.figures.answered, g.figures.shown) for g in programme["organizations"]}
        assert by_org == {"Pôle A": (13, 7, True), "Pôle B": (2, 1, False)}


def test_the_threshold_is_a_setting(app, data):
    _people, ids = data
    app.config["SURVEY_MIN_ANSWERS"] = 2
    try:
        with app.app_context():
            second = {g.key: g.figures for g in queries.results(organization_id=ids["a"])["sessions"]}[ids["s2"]]
            assert second.shown and second.satisfaction == pytest.approx(2.5) and second.would_recommend == 0.5
    finally:
        app.config["SURVEY_MIN_ANSWERS"] = 5


def test_satisfaction_figures_of_a_period_for_the_ministry_report(app, data):
    _people, ids = data
    with app.app_context():
        # Sent at 23:30 on March 31 in Québec (April 1 in UTC): before a fiscal year that starts April 1.
        add_survey(ids["a"], ids["ea"], cohort=db.session.get(Survey, 1).cohort,
                sent_at=datetime(2026, 4, 1, 3, 30, tzinfo=UTC), answer=(1, 1, "no", False, None))
        db.session.commit()
        everything = select(Enterprise.id)
        year = ReportScope(everything, date_from=date(2026, 4, 1), date_to=date(2027, 3, 31))
        with count_queries(app) as statements:
            figures = queries.satisfaction_figures(year)
        assert len(statements) == 1
        assert figures == {"sent": 15, "answered": 8, "response_rate": pytest.approx(8 / 15),
                           "average_satisfaction": pytest.approx((26 + 1) / 8), "would_recommend": pytest.approx(5 / 8),
                           "hidden": False}
        march = queries.satisfaction_figures(ReportScope(everything, date_from=date(2026, 3, 1),
                                                         date_to=date(2026, 3, 31)))
        assert (march["sent"], march["answered"], march["hidden"], march["average_satisfaction"]) == (1, 1, True, None)
        only_b = queries.satisfaction_figures(ReportScope(select(Enterprise.id).where(Enterprise.id == ids["eb"])))
        assert (only_b["sent"], only_b["answered"], only_b["response_rate"]) == (2, 1, 0.5)


def test_results_page_comments_for_the_organization_s_managers_only(app, data):
    people, ids = data
    manager = signed_in(app, people["manager"]).get("/surveys").get_data(as_text=True)
    assert "Très utile" in manager and "Formatrice claire" in manager and "Trop rapide" in manager
    assert "Commentaire de B" not in manager and "Pôle B" not in manager
    assert "4,2" in manager and "moins de 5 réponses" in manager and "83,3" in manager
    other = signed_in(app, people["other_manager"]).get("/surveys").get_data(as_text=True)
    # B's one answer: below the threshold, so neither its figures nor its comment show.
    assert "Très utile" not in other and "Séance 1" not in other and "Commentaire de B" not in other
    assert "moins de 5 réponses" in other
    admin = signed_in(app, people["admin"]).get("/surveys").get_data(as_text=True)
    assert "Pôle A" in admin and "Pôle B" in admin and "Très utile" not in admin  # figures, never the comments
    assert signed_in(app, people["coach"]).get("/surveys").status_code == 403


def test_session_and_cohort_pages_show_their_results(app, data):
    people, ids = data
    manager = signed_in(app, people["manager"])
    page = manager.get(f"/sessions/{ids['s1']}").get_data(as_text=True)
    assert "Sondages de satisfaction" in page and 'data-figure="surveys-satisfaction">4,2 / 5<' in page
    assert "Très utile" in page
    cohort = manager.get(f"/cohorts/{ids['first_cohort']}").get_data(as_text=True)
    assert 'data-figure="surveys-sent">10<' in cohort and "Séance 2" in cohort and "Très utile" in cohort
    assert 'name="timing"' in cohort
    coach = signed_in(app, people["coach"]).get(f"/sessions/{ids['s1']}").get_data(as_text=True)
    assert 'data-figure="surveys-satisfaction">4,2 / 5<' in coach and "Très utile" not in coach
    second = manager.get(f"/sessions/{ids['s2']}").get_data(as_text=True)
    assert "moins de 5 réponses" in second and "Trop rapide" not in second
    assert signed_in(app, people["other_manager"]).get(f"/sessions/{ids['s1']}").status_code == 404


def test_results_page_in_a_constant_number_of_queries(app, data, make):
    people, ids = data
    client = signed_in(app, people["manager"])
    client.get("/surveys")
    with count_queries(app) as before:
        client.get("/surveys")
    with app.app_context():
        cohort = db.session.get(Survey, 1).cohort
        session = add_session(cohort, "Séance 3", 24)
        for answer in FIRST:
            add_survey(ids["a"], ids["ea"], session=session, answer=answer)
        db.session.commit()
    with count_queries(app) as after:
        client.get("/surveys")
    assert len(after) == len(before)


def test_the_api_gives_the_same_results_with_the_same_rules(app, client, data):
    people, ids = data
    manager = bearer(personal_token(app, people["manager"]))
    results = client.get("/api/v1/surveys/results", headers=manager).get_json()
    assert results["organization_id"] == ids["a"] and results["minimum_answers"] == 5
    assert (results["total"]["sent"], results["total"]["answered"]) == (13, 7)
    sessions = {s["id"]: s["figures"] for s in results["sessions"]}
    assert sessions[ids["s1"]]["satisfaction"] == pytest.approx(4.2) and sessions[ids["s1"]]["shown"] is True
    assert sessions[ids["s2"]]["satisfaction"] is None and sessions[ids["s2"]]["shown"] is False
    assert "comment" not in str(results)
    page = client.get("/api/v1/surveys?limit=10", headers=manager).get_json()
    assert len(page["items"]) == 10 and page["next_cursor"]
    rest = client.get(f"/api/v1/surveys?limit=10&cursor={page['next_cursor']}", headers=manager).get_json()
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None
    assert {i["organization_id"] for i in page["items"] + rest["items"]} == {ids["a"]}
    assert sum(i["answered"] for i in page["items"] + rest["items"]) == 7
    other = client.get("/api/v1/surveys/results", headers=bearer(personal_token(app, people["other_manager"])))
    assert other.get_json()["total"]["sent"] == 2 and other.get_json()["sessions"][0]["figures"]["satisfaction"] is None
    coach = client.get("/api/v1/surveys/results", headers=bearer(personal_token(app, people["coach"])))
    assert coach.status_code == 403
    assert client.get("/api/v1/surveys?cursor=bogus", headers=manager).status_code == 400


def test_the_funder_workbook_and_printable_report_have_the_satisfaction(app, data):
    people, _ids = data
    admin = signed_in(app, people["admin"])
    response = admin.get("/reports/funder.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["Satisfaction"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Toutes"][:2] == (15, 8) and rows["Toutes"][2] == pytest.approx(8 / 15)
    assert rows["Toutes"][3] == pytest.approx((26 + 1) / 8)  # A's seven answers and B's one (satisfaction 1)
    assert rows["Pôle A"][:5] == (13, 7, pytest.approx(7 / 13), pytest.approx(26 / 7), pytest.approx(25 / 7))
    assert rows["Pôle B"][:3] == (2, 1, 0.5) and not any(rows["Pôle B"][3:])  # one answer: averages hidden
    printable = admin.get("/reports/funder").get_data(as_text=True)
    assert 'data-figure="surveys-sent">15<' in printable and "Satisfaction par organisation" in printable


def test_the_ministry_report_pack_shows_satisfaction_for_the_whole_scope(app, data):
    """Through ``signals.report_indicators``: the same figures as ``satisfaction_figures``, on the page
    (hidden below the threshold) and in the workbook, never broken down by region or sector."""
    people, _ids = data
    year = {"period": "custom", "date_from": "2026-04-01", "date_to": "2027-03-31"}
    admin = signed_in(app, people["admin"])
    page = admin.get("/reports/pack", query_string=year)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # 14 sent, 7 answered in the year (A: 6 of 12 with 26 points, 4 yes of 6; B: 1 of 2).
    with app.app_context():
        expected = queries.satisfaction_figures(ReportScope(select(Enterprise.id), date_from=date(2026, 4, 1),
                                                            date_to=date(2027, 3, 31)))
    assert expected["answered"] >= 5 and not expected["hidden"]
    assert 'data-indicator="surveys_sent"><th scope="row">Sondages de satisfaction envoyés</th>' in html
    assert f'<td class="num">{expected["sent"]}</td>' in html
    rate = round(100 * expected["answered"] / expected["sent"], 1)
    assert f"{rate:.1f}".replace(".", ",") in html or f"{round(rate):d} %" in html
    assert f'{expected["average_satisfaction"]:.1f}'.replace(".", ",") in html
    assert "Moyenne des réponses à « satisfaction globale »" in html
    workbook = load_workbook(io.BytesIO(admin.get("/reports/pack.xlsx", query_string=year).data))
    cells = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Sondages de satisfaction envoyés" in cells and expected["sent"] in cells
    # Below the threshold (one organization's single answer), the average is a dash, not a figure.
    other = signed_in(app, people["other_manager"]).get("/reports/pack", query_string=year).get_data(as_text=True)
    assert 'data-indicator="average_satisfaction"><th scope="row">Satisfaction globale moyenne</th>' in other
    assert other.split('data-indicator="average_satisfaction">')[1].split("</tr>")[0].count("–") == 1
