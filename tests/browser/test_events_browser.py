"""The public events pages in a real browser: at 1280 and 390 px, in French and English, axe clean,
no horizontal scrolling on a phone, the form usable with the keyboard; and the check-in on a phone."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login, screenshot, tab_to
from tests.events_helpers import make_event, registrations
from tests.factories import PASSWORD

WIDTHS = (1280, 390)


def _check(page, what, width):
    assert axe_violations(page) == [], what
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{what} overflows the phone's width"


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_are_accessible_in_both_languages_and_on_a_phone(app, page, make, locale, width):
    organization = make.organization(code="pole-axe", name="Pôle de l'Estrie")
    event_id = make_event(app, organization, capacity=1, questions="Quel outil utilisez-vous ?",
                          region_code="05", mode="hybrid", place="50, rue King Ouest, Sherbrooke")
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    lang = "" if locale == "fr" else "?lang=en"
    texts = {"fr": ("Événements à venir", "S'inscrire", "Merci", "Prénom"),
             "en": ("Upcoming events", "Register", "Thank you", "First name")}[locale]

    page.goto(f"/events{lang}")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator("h1")).to_have_text(texts[0])
    _check(page, "list", width)
    page.goto(f"/events{'?lang=en&' if lang else '?'}organization=pole-axe&region=05")
    _check(page, "list of an organization", width)
    page.goto(f"/events/{event_id}{lang}")
    _check(page, "event", width)
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=texts[1]).click()
    _check(page, "registration form", width)
    screenshot(page, f"event-register-{locale}-{width}")

    # The form sent empty shows its errors, accessible too.
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    expect(page.locator(".form-errors")).to_be_visible()
    _check(page, "registration form with errors", width)

    # Filled with the keyboard: the first field is reached by Tab, the honeypot never.
    page.goto(f"/events/{event_id}/register{lang}")
    reached = tab_to(page, lambda e: e["name"] == "first_name")
    assert reached["label"].startswith(texts[3])
    page.keyboard.type("Léa")
    for name, value in (("last_name", "Tremblay"), ("email", f"lea.{locale}{width}@coop.example"),
                        ("enterprise_name", "Coopérative du Marais"), ("city", "Sherbrooke")):
        page.locator(f"main form.card [name={name}]").fill(value)
    page.locator("main form.card select[name=region_code]").select_option("05")
    page.locator("main form.card select[name=legal_form]").select_option("coop_work")
    page.locator("main form.card [name=consent_reminders]").check()
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(texts[2])
    _check(page, "registered", width)
    (row,) = registrations(app, event_id)
    assert (row.status, row.language, row.first_name) == ("confirmed", locale, "Léa")

    # Full: the event page offers the waiting list.
    page.goto(f"/events/{event_id}{lang}")
    expect(page.locator("main .badge-full")).to_be_visible()
    _check(page, "full event", width)

    # The page of the registration, from the link of its email.
    from crm.events.tokens import registration_token

    with app.app_context():
        token = registration_token(row.id)
    page.goto(f"/events/registration/{token}{lang}")
    _check(page, "registration page", width)
    screenshot(page, f"event-registration-{locale}-{width}")


def test_the_manager_checks_people_in_on_a_phone(app, page, make):
    organization = make.organization()
    manager = make.user("manager", organization, locale="fr")
    event_id = make_event(app, organization)
    from tests.events_helpers import register

    for n in range(3):
        register(app.test_client(), event_id, email=f"p{n}@coop.example", first_name=f"Personne{n}",
                 enterprise_name=f"Coop {n}")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, manager.email, PASSWORD)
    for path in (f"/events/manage/{event_id}", f"/events/manage/{event_id}/registrations",
                 f"/events/manage/{event_id}/attendance-import"):
        page.goto(path)
        _check(page, path, 1280)
    page.goto(f"/events/manage/{event_id}/check-in")
    _check(page, "check-in", 390)
    row = page.locator(".check-in-row", has_text="Personne1")
    with page.expect_navigation():
        row.get_by_role("button").click()
    expect(page.locator(".check-in-row.checked-in")).to_have_count(1)
    _check(page, "check-in after one", 390)
    screenshot(page, "event-check-in-390")
    assert [r.attended for r in registrations(app, event_id)] == [False, True, False]
