"""A manager and the programme office on the dashboard in a real browser, desktop and phone."""
import pytest

from tests.browser.conftest import axe_violations, login, screenshot
from tests.factories import PASSWORD
from tests.reports_helpers import build_programme


@pytest.fixture
def programme(app, make):
    return build_programme(app, make)


def test_manager_sees_their_dashboard_and_downloads_the_funder_report(page, programme):
    login(page, programme.manager_a.email, PASSWORD)
    page.locator("nav summary", has_text="Rapports").click()  # the header's Reports menu
    page.get_by_role("link", name="Tableau de bord").click()
    page.wait_for_url("**/reports/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord du programme"
    assert "3 entreprises rejointes sur une cible de 1" in page.locator(".target-figure").first.inner_text()
    funnel = page.get_by_role("img", name="Entonnoir du programme")
    assert funnel.is_visible()
    assert funnel.bounding_box()["width"] > 300
    assert axe_violations(page) == []
    screenshot(page, "reports-manager-dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="Rapport au bailleur de fonds (XLSX)").click()
    assert download.value.suggested_filename == "rapport-bailleur-de-fonds.xlsx"


def test_filters_stay_in_the_url_and_errors_are_shown_next_to_the_field(page, programme):
    login(page, programme.admin.email, PASSWORD)
    page.goto("/reports/")
    page.get_by_label("Organisation", exact=True).select_option(label="Pôle B")
    page.get_by_label("Région", exact=True).select_option("06")
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer les filtres").click()
    assert f"organization={programme.org_b.id}" in page.url and "region=06" in page.url
    assert "1 entreprise rejointe sur" in page.locator(".target-figure").first.inner_text()
    page.goto("/reports/?date_from=2026-03-01&date_to=2026-02-01")
    assert page.locator("#date_to-error").inner_text() == "La fin de la période ne peut pas précéder son début."
    assert axe_violations(page) == []


def test_charts_are_readable_on_a_phone_and_the_report_prints(browser, live_server, programme):
    context = browser.new_context(base_url=live_server.url, locale="fr-CA", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, programme.admin.email, PASSWORD)
        page.goto("/reports/")
        for name in ("Entonnoir du programme", "Entreprises rejointes par région"):
            box = page.get_by_role("img", name=name).bounding_box()
            assert 300 <= box["width"] <= 390, name  # the chart uses the phone's width without overflowing
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "reports-admin-dashboard-phone")
        page.goto("/reports/funder")
        assert page.get_by_role("button", name="Imprimer").is_visible()  # shown by reports.js
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        assert not page.get_by_role("button", name="Imprimer").is_visible()
        assert page.get_by_role("img", name="Entonnoir du programme").is_visible()
        assert axe_violations(page) == []
    finally:
        context.close()
