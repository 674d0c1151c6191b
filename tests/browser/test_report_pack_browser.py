"""The ministry's report pack in a real browser: chosen from the dashboard, a period set on its form,
the figures with their definitions, and the printout (menus and filters left out)."""
import pytest

from tests.browser.conftest import axe_violations, login, screenshot
from tests.factories import PASSWORD
from tests.report_pack_helpers import build_pack_world


@pytest.fixture
def pack_world(app, make):
    return build_pack_world(app, make)


def test_the_report_pack_for_a_period_and_its_printout(page, pack_world):
    login(page, pack_world.admin.email, PASSWORD)
    page.goto("/reports/")
    page.get_by_role("link", name="Trousse de reddition de comptes au ministère").click()
    page.wait_for_url("**/reports/pack")
    page.get_by_label("Période", exact=True).select_option(label="Période personnalisée (les dates ci-dessous)")
    page.get_by_label("Du", exact=True).fill("2026-04-01")
    page.get_by_label("Au", exact=True).fill("2027-03-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer les filtres").click()
    assert "period=custom" in page.url and "date_from=2026-04-01" in page.url
    invested = page.locator("tr[data-indicator=invested]")
    assert "1 244 567 $" in invested.inner_text().replace("\u202f", " ").replace("\u00a0", " ")
    assert "Sommes investies dans les projets réalisés" in invested.inner_text()
    hubs = page.locator("table[data-breakdown=hub]").first
    assert "Pôle de l'Estrie" in hubs.inner_text() and "Suivies par un partenaire national" in hubs.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "report-pack-screen")
    assert page.get_by_role("button", name="Imprimer").is_visible()  # shown by reports.js
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".report-filters").is_visible()
    assert not page.get_by_role("button", name="Imprimer").is_visible()
    assert invested.is_visible() and hubs.is_visible()
    screenshot(page, "report-pack-print")
    page.pdf(path=str(screenshot.__globals__["SCREENSHOTS"] / "report-pack.pdf"))
