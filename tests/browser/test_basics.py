"""A person in a real browser: signing in and out, switching language, accessibility."""
import pytest

from tests.browser.conftest import axe_violations, login, screenshot
from tests.factories import PASSWORD


def test_sign_in_land_on_home_and_sign_out(page, make):
    user = make.user(role="manager", full_name="Martine Lefebvre")
    login(page, user.email, PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "File de mon organisation"
    assert "Bonjour, Martine Lefebvre" in page.locator("main .lead").inner_text()
    screenshot(page, "home-fr")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/login")
    assert "Votre session est fermée." in page.content()


def test_wrong_password_is_said_next_to_the_field(page, make):
    user = make.user()
    login(page, user.email, "not-the-password")
    assert page.locator(".error").inner_text() == "Courriel ou mot de passe incorrect, ou compte inactif."


def test_language_switch_keeps_the_page_and_changes_every_text(app, page, make):
    page.goto("/privacy")
    french = page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.url.endswith("/privacy")
    assert page.locator("html").get_attribute("lang") == "en"
    english = page.locator("main").inner_text()
    assert "Privacy policy" in english and "Politique de confidentialité" in french
    french_lines = {line.strip() for line in french.splitlines() if len(line.strip()) > 12}
    english_lines = {line.strip() for line in english.splitlines() if len(line.strip()) > 12}
    # Every sentence changed, except the configured privacy officer (a name, a title) and addresses.
    configured = [v for v in (app.config["PRIVACY_OFFICER_NAME"], app.config["PRIVACY_OFFICER_TITLE"]) if v]
    unchanged = [line for line in french_lines & english_lines
                 if "@" not in line and not any(value in line for value in configured)]
    assert unchanged == []


def test_keyboard_only_sign_in(page, make):
    user = make.user(full_name="Clavier Seulement")
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("Courriel").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Ma file de travail"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_main_pages_have_no_serious_accessibility_violation(page, make, locale):
    user = make.user(role="coach", locale=locale)
    page.goto("/login")
    assert axe_violations(page) == []
    login(page, user.email, PASSWORD)
    for path in ["/", "/privacy"]:
        page.goto(path)
        assert axe_violations(page) == [], path
