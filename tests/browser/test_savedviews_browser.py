"""Saved views of the enterprise list in a real browser: a manager saves filters and columns as a
shared view, a coach of the organization opens it; at 1280 and 390 px."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login, screenshot
from tests.enterprises_helpers import world  # noqa: F401 - fixture
from tests.factories import PASSWORD


def _document_fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_saving_a_shared_view_and_opening_it(browser, live_server, page, make, world, width):  # noqa: F811
    make.enterprise(world.org, coach=world.coach, name="Coopérative en formation", stage="training")
    make.enterprise(world.org, coach=world.coach, name="Marché sensibilisé", stage="awareness")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, world.manager.email, PASSWORD)
    page.goto("/enterprises")
    filters = page.locator("form[role=search]")
    filters.get_by_label("Formation", exact=True).check()
    columns = page.locator(".list-columns")
    columns.locator("summary").click()
    columns.get_by_label("Ville").check()
    columns.get_by_label("Conseillère ou conseiller").check()
    with page.expect_navigation():
        filters.get_by_role("button", name="Appliquer les filtres").click()
    panel = page.locator(".saved-views")
    panel.locator("summary").click()
    panel.get_by_label("Nom de la vue").fill("Formation : qui suit qui")
    panel.get_by_label("Partager avec mon organisation").check()
    _document_fits(page)
    screenshot(page, f"savedviews-save-{width}")
    with page.expect_navigation():
        panel.get_by_role("button", name="Enregistrer la vue").click()
    expect(page.locator(".flash-success")).to_have_text("Vue « Formation : qui suit qui » enregistrée.")
    expect(page.locator("main table")).to_contain_text("Coopérative en formation")
    expect(page.locator("main table")).not_to_contain_text("Marché sensibilisé")
    expect(page.locator("main thead th")).to_have_text(["Sélectionner", "Nom", "Ville", "Conseillère ou conseiller"])
    assert axe_violations(page) == []
    _document_fits(page)

    coach = browser.new_context(base_url=live_server.url, locale="fr-CA", viewport={"width": width, "height": 900})
    other = coach.new_page()
    try:
        login(other, world.coach.email, PASSWORD)
        other.goto("/enterprises")
        with other.expect_navigation():
            other.locator(".saved-views").get_by_role("link", name="Formation : qui suit qui").click()
        expect(other.locator("main table")).to_contain_text("Coopérative en formation")
        expect(other.locator("main table")).not_to_contain_text("Marché sensibilisé")
        other.goto("/enterprises/views")
        expect(other.locator("main")).to_contain_text("Partagée par une ou un collègue")
        expect(other.get_by_role("button", name="Renommer ou partager")).to_have_count(0)
        _document_fits(other)
        assert axe_violations(other) == []
        screenshot(other, f"savedviews-coach-{width}")
    finally:
        coach.close()
