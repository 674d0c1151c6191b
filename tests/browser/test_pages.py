"""Every main page in both languages: accessible (axe-core), translated, and sent only once."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login, screenshot
from tests.enterprises_helpers import quick_user, world  # noqa: F401 - fixture
from tests.factories import PASSWORD


def _check(page, what):
    assert axe_violations(page) == [], what


def _submit(page, button_name, form=None):
    scope = form if form is not None else page.locator("main form.card")
    with page.expect_navigation():
        scope.get_by_role("button", name=button_name).click()


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_main_page_has_no_serious_accessibility_violation(app, page, make, world, locale):  # noqa: F811
    save = "Save" if locale == "en" else "Enregistrer"
    coach = quick_user(app, world.org, "coach", locale=locale, full_name="Camille Axe")
    manager = quick_user(app, world.org, "manager", locale=locale, full_name="Gestion Axe")
    enterprise = make.enterprise(world.org, coach=coach, stage="training", contacts=2, name="Coop Accessible")
    make.enterprise(world.org, stage="identified", name="Coop sans conseillère")

    page.goto("/login")
    _check(page, "login")
    login(page, coach.email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", locale)
    for what, path in [("caseload", "/"), ("enterprise list", "/enterprises"),
                       ("empty enterprise list", "/enterprises?q=zzzz-nothing"),
                       ("enterprise page", f"/enterprises/{enterprise.id}"), ("new enterprise", "/enterprises/new"),
                       ("edit enterprise", f"/enterprises/{enterprise.id}/edit"),
                       ("new contact", f"/enterprises/{enterprise.id}/contacts/new"), ("privacy", "/privacy")]:
        page.goto(path)
        _check(page, what)

    # Forms showing their errors.
    page.goto("/enterprises/new")
    _submit(page, save)
    expect(page.locator(".form-errors")).to_be_visible()
    _check(page, "new enterprise with errors")
    page.goto(f"/enterprises/{enterprise.id}/edit")
    page.locator("main form.card input[name=name]").fill("")
    page.locator("main form.card input[name=postal_code]").fill("nowhere")
    _submit(page, save)
    expect(page.locator(".error").first).to_be_visible()
    _check(page, "edit enterprise with errors")
    screenshot(page, f"edit-errors-{locale}")
    page.goto(f"/enterprises/{enterprise.id}/contacts/new")
    page.locator("main form.card input[name=email]").fill("not an address")
    _submit(page, save)
    expect(page.locator(".error").first).to_be_visible()
    _check(page, "contact form with errors")
    page.goto(f"/enterprises/{enterprise.id}")
    page.locator("#composer > summary").click()
    with page.expect_navigation():
        page.locator("#activity-form button[type=submit]").click()
    expect(page.locator("#activity-form .error").first).to_be_visible()
    _check(page, "enterprise page with an error in a form")

    response = page.goto("/enterprises/999999")
    assert response.status == 404
    _check(page, "404")

    # The manager's pages: the list with its bulk action, the page with its management section.
    page.context.clear_cookies()
    login(page, manager.email, PASSWORD)
    for what, path in [("manager home", "/"), ("manager list", "/enterprises"),
                       ("manager enterprise page", f"/enterprises/{enterprise.id}")]:
        page.goto(path)
        _check(page, what)

    # And on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    for what, path in [("phone list", "/enterprises"), ("phone enterprise page", f"/enterprises/{enterprise.id}")]:
        page.goto(path)
        _check(page, what)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{what} overflows the phone's width"


def test_switching_language_on_an_enterprise_page_keeps_the_page_and_changes_every_text(page, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, stage="coaching_individual", contacts=1,
                                 name="Coop Bilingue", city="Gatineau", region_code="07")
    login(page, world.coach.email, PASSWORD)
    address = f"/enterprises/{enterprise.id}?from=caseload&note=%C3%A9t%C3%A9"
    page.goto(address)
    french = page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.url.endswith(address)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = page.locator("main").inner_text()
    assert "Individual coaching" in english and "Accompagnement individuel" in french

    # Data (names of people, enterprises and places, numbers, addresses) stays, and so do the words
    # spelt the same in both languages; every other line differs.
    people = [world.coach.full_name, world.colleague.full_name, world.manager.full_name, "Prénom0"]
    data = ["Coop Bilingue", "Gatineau", "Outaouais", world.org.name, "@", "+1 ", "Audit industrie 4.0", *people]
    same_words = {"Actions", "Date", "Date *", "Diagnostics", "NEQ", "Note", "Note *", "Notes",
                  "0 h",  # the summary's coaching hours: « h » is the unit's symbol in both languages
                  "test"}  # the factory's comment on its stage change
    lines = [{line.strip() for line in text.splitlines() if line.strip()} for text in (french, english)]
    unchanged = sorted(line for line in lines[0] & lines[1] - same_words
                       if not any(value in line for value in data) and not re.fullmatch(r"[\W\d]*", line))
    assert unchanged == [], " | ".join(unchanged)

    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    assert page.url.endswith(address)
    assert page.locator("main").inner_text() == french


def test_a_submit_button_is_disabled_while_its_form_is_sent(page, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, stage="awareness")
    login(page, world.coach.email, PASSWORD)
    page.goto(f"/enterprises/{enterprise.id}")
    sent = []

    def server_says_nothing(route):
        # 204 No Content: the browser stays on the page, as it does while a slow server works.
        sent.append(route.request.post_data)
        route.fulfill(status=204)

    page.route(re.compile(r".*/tasks$"), server_says_nothing)
    page.locator("#composer > summary").click()
    tasks = page.locator("#task-form")
    tasks.get_by_label("Suivi").fill("Rappeler")
    tasks.get_by_label("Échéance").fill("2099-03-01")
    button = tasks.get_by_role("button", name="Ajouter le suivi")
    button.click()
    expect(button).to_be_disabled()
    expect(tasks).to_have_attribute("aria-busy", "true")
    button.click(force=True)  # a second, impatient click sends nothing
    page.keyboard.press("Enter")
    expect(button).to_be_disabled()
    assert len(sent) == 1 and "Rappeler" in sent[0]
    # Buttons of other forms stay usable.
    page.locator("#stage").get_by_text("Passer à une autre étape").click()
    expect(page.locator("#stage").get_by_role("button", name="Changer l'étape")).to_be_enabled()


def test_a_form_the_browser_refuses_to_send_keeps_its_button(page, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, stage="awareness")
    login(page, world.coach.email, PASSWORD)
    page.goto(f"/enterprises/{enterprise.id}")
    page.locator("#composer > summary").click()
    form = page.locator("#task-form")
    form.evaluate("form => form.removeAttribute('novalidate')")  # let the browser check `required`
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    button = form.get_by_role("button", name="Ajouter le suivi")
    button.click()
    assert page.evaluate("document.activeElement.name") == "task-title"  # the browser points at the field
    expect(button).to_be_enabled()
    assert "POST" not in requests
