"""Dashboard, printable funder report and funder workbook through the real routes: access scope,
figures formatted by locale, filters kept in the URL, bad filters refused with a message."""
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from crm.extensions import db
from tests.reports_helpers import add_identified, build_programme

PAGES = ["/reports/", "/reports/funder", "/reports/funder.xlsx",
         "/reports/enterprises.csv", "/reports/enterprises.xlsx"]


@pytest.fixture
def programme(app, make):
    return build_programme(app, make)


def summary(workbook) -> dict:
    return {row[0]: row[1] for row in workbook["Résumé"].iter_rows(min_row=2, values_only=True)}


def funder_workbook(client, query=""):
    response = client.get("/reports/funder.xlsx" + query)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data), read_only=True)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "manager_a", "coach_a", "manager_c"])
def test_every_role_opens_every_report(client, auth, programme, role):
    auth.sign_in(getattr(programme, role))
    for path in PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role, enterprises, reached", [
    ("admin", 6, 4), ("manager_a", 4, 3), ("coach_a", 4, 3), ("manager_b", 2, 1), ("manager_c", 0, 0)])
def test_funder_workbook_counts_what_the_user_may_see(client, auth, programme, role, enterprises, reached):
    auth.sign_in(getattr(programme, role))
    figures = summary(funder_workbook(client))
    assert (figures["Entreprises"], figures["Entreprises rejointes"]) == (enterprises, reached)


def test_a_manager_cannot_choose_another_organization(client, auth, programme):
    auth.sign_in(programme.manager_a)
    figures = summary(funder_workbook(client, f"?organization={programme.org_b.id}"))
    assert figures["Entreprises"] == 4 and figures["Portée"] == "Pôle A"
    page = client.get(f"/reports/?organization={programme.org_b.id}").get_data(as_text=True)
    assert "Pôle B" not in page and 'name="organization"' not in page


def test_admin_filters_the_workbook_by_organization_region_and_period(client, auth, programme):
    auth.sign_in(programme.admin)
    workbook = funder_workbook(client, f"?organization={programme.org_b.id}")
    assert summary(workbook)["Entreprises"] == 2
    assert [row[0] for row in workbook["Organisations"].iter_rows(min_row=2, values_only=True)] == ["Pôle B"]
    workbook = funder_workbook(client, "?date_from=2026-02-01&date_to=2026-02-28")
    figures = summary(workbook)
    assert figures["Rejointes pendant la période"] == 2
    assert figures["Période"] == "Du 1er février 2026 au 28 février 2026"
    stages = {row[0]: row[1:] for row in workbook["Étapes"].iter_rows(min_row=2, values_only=True)}
    assert stages["Sensibilisation"] == (2, 4, 2, 22.5, 2)  # now, ever, entered, median days, stays
    regions = {row[0]: row[1:] for row in workbook["Régions"].iter_rows(min_row=2, values_only=True)}
    assert len(regions) == 17 and regions["Estrie"][:4] == (3, 2, 1, 0)  # E1 completes in April
    assert workbook.sheetnames == ["Résumé", "Entonnoir", "Étapes", "Régions", "Organisations",
                                   "Formes juridiques", "Secteurs", "Mois", "Activité", "Diagnostics",
                                   "Des plans aux projets", "Projets réalisés", "Satisfaction"]


def test_dashboard_shows_target_funnel_and_regions_formatted_in_french(app, client, auth, programme):
    app.config["PROGRAMME_TARGET"] = 32
    auth.sign_in(programme.admin)
    page = client.get("/reports/").get_data(as_text=True)
    flat = page.replace("\u202f", " ").replace("\u00a0", " ")
    assert "12,5 %" in flat  # 4 of 32
    assert "4 entreprises rejointes sur une cible de 32" in page
    assert '<progress class="target-progress" max="32" value="4"' in page
    assert "Pôle A" in page and "Pôle B" in page
    # Each chart is a picture with a text alternative, and the data table is there too.
    assert page.count('role="img"') == 6
    assert "Sensibilisation : 4 (66,7 % de l&#39;étape précédente)" in flat
    assert "Entonnoir du programme" in page and "<table" in page
    assert "<script>" not in page and "style=" not in page


def test_numbers_use_french_grouping(client, auth, programme):
    auth.sign_in(programme.manager_a)
    page = client.get("/reports/").get_data(as_text=True)
    assert "sur une cible de 1\u202f120" in page
    assert "Contribution de Pôle A à la cible du programme." in page


def test_dashboard_in_english(client, auth, make, programme):
    english = make.user(role="manager", organization=programme.org_a, locale="en")
    auth.sign_in(english)
    page = client.get("/reports/?date_from=2026-02-01").get_data(as_text=True)
    assert "Programme dashboard" in page and "3 enterprises reached out of a target of 1,120" in page
    assert "Since February 1, 2026" in page


@pytest.mark.parametrize("query, message", [
    ("?date_from=2026-02-30", "N&#39;est pas une date valide."),
    ("?date_from=2026-03-01&date_to=2026-02-01", "La fin de la période ne peut pas précéder son début."),
    ("?region=99", "N&#39;est pas un choix valide."),
    ("?organization=999999", "N&#39;est pas un choix valide."),
    ("?organization=abc", "N&#39;est pas un choix valide."),
])
def test_bad_filters_are_explained_never_a_500(client, auth, programme, query, message):
    auth.sign_in(programme.admin)
    for path in ("/reports/", "/reports/funder", "/reports/funder.xlsx"):
        response = client.get(path + query)
        assert response.status_code == 400, path
        page = response.get_data(as_text=True)
        assert message.lower() in page.lower(), path
        assert "Certains filtres ne sont pas valides" in page


def test_filters_stay_in_the_url_of_the_links(client, auth, programme):
    auth.sign_in(programme.admin)
    page = client.get("/reports/?date_from=2026-02-01&region=05").get_data(as_text=True)
    assert re.search(r'href="/reports/funder\.xlsx\?[^"]*date_from=2026-02-01', page)
    assert re.search(r'href="/reports/funder\?[^"]*region=05', page)
    assert 'value="2026-02-01"' in page and '<option selected value="05">' in page


def test_printable_report_prints_with_a_vendored_script_and_a_print_stylesheet(client, auth, programme):
    auth.sign_in(programme.manager_a)
    page = client.get("/reports/funder").get_data(as_text=True)
    assert "Rapport au bailleur de fonds" in page
    assert 'href="/static/css/reports-print.css" media="print"' in page
    assert '<script src="/static/js/reports.js" defer></script>' in page and "<script>" not in page
    assert "data-print hidden" in page
    with client.get("/static/css/reports-print.css") as stylesheet:
        assert stylesheet.status_code == 200 and b"@media print" not in stylesheet.data  # linked with media


def test_dashboard_nav_entry(client, auth, programme):
    auth.sign_in(programme.coach_a)
    assert '<a href="/reports/">Tableau de bord</a>' in client.get("/").get_data(as_text=True)


def count_queries(app, client, path) -> int:
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


@pytest.mark.parametrize("path", ["/reports/", "/reports/funder.xlsx?date_from=2026-01-01",
                                  "/reports/enterprises.csv", "/reports/enterprises.xlsx"])
def test_constant_number_of_queries_whatever_the_data_size(app, client, auth, programme, path):
    auth.sign_in(programme.admin)
    small = count_queries(app, client, path)
    add_identified(app, programme.org_a.id, 25)
    add_identified(app, programme.org_b.id, 15, region="11")
    assert count_queries(app, client, path) == small
    # The figures' statements, one per section a feature adds (activity, diagnostics, outcomes, referrals).
    assert small <= 14
