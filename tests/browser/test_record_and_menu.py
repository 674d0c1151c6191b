"""The enterprise page read as a record (summary, local navigation, one composer, forms closed until
needed), the header's grouped menu, and the month calendar as an agenda on a phone: with the mouse,
the keyboard, without JavaScript, accessible in both languages."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS, axe_violations, focused, login, tab_to
from tests.factories import PASSWORD
from tests.reminders_helpers import STARTS
from tests.route_access import build_world

PHONE = {"width": 390, "height": 844}


def _signed_in(page, world, role, locale="fr"):
    login(page, world.people[role].email, PASSWORD)
    if locale == "en":
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()


def _text_fields_shown(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll(
        'main input:not([type=hidden]), main select, main textarea')]
        .filter(el => el.checkVisibility()).map(el => el.name)""")


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_enterprise_page_reads_as_a_record(app, page, make, locale):
    world = build_world(app, make)
    _signed_in(page, world, "manager", locale)
    enterprise = world.ids["enterprise_id"]
    page.goto(f"/enterprises/{enterprise}")

    # The summary: stage, coach, last activity, next session (a link to it), hours, latest diagnostic.
    summary = page.locator(".record-summary")
    expect(summary.locator(".badge")).to_have_text("Identifiée" if locale == "fr" else "Identified")
    expect(summary).to_contain_text("Conseil A")
    next_session = summary.get_by_role("link", name=re.compile("2030"))
    expect(next_session).to_have_attribute("href", re.compile(r"/sessions/\d+$"))
    expect(summary).to_contain_text("5 janv. 2026" if locale == "fr" else "Jan 5, 2026")  # the diagnostic

    # Every entry of the local navigation leads to a part of this page.
    anchors = page.locator(".record-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"#profile", "#timeline", "#tasks", "#diagnostics", "#sessions", "#stage"} <= set(anchors)
    for anchor in anchors:
        assert page.locator(anchor).count() == 1, anchor

    # Forms stay closed until needed: not one field shows, and the page is short.
    assert _text_fields_shown(page) == []
    assert axe_violations(page) == [], "record"
    page.locator("#composer > summary").click()
    expect(page.locator("#activity-form textarea")).to_be_visible()
    expect(page.locator("#task-form input[name=task-title]")).to_be_visible()
    assert axe_violations(page) == [], "record with its composer open"

    # On a phone, the record holds in the screen's width.
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert axe_violations(page) == [], "record on a phone"


def test_the_composer_logs_an_activity_without_javascript(app, browser, live_server, make):
    world = build_world(app, make)
    context = browser.new_context(base_url=live_server.url, locale="fr-CA", java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _signed_in(page, world, "coach")
        page.goto(f"/enterprises/{world.ids['enterprise_id']}")
        composer = page.locator("#composer")
        expect(composer.locator("#activity-form")).to_be_hidden()
        composer.get_by_text("Consigner une activité ou un suivi").click()
        form = page.locator("#activity-form")
        form.get_by_label("Type").select_option(label="Appel")
        form.get_by_label("Note").fill("Appel sans JavaScript")
        with page.expect_navigation():
            form.get_by_role("button", name="Ajouter au fil des activités").click()
        expect(page.locator(".flash-success")).to_have_text("Ajouté au fil des activités.")
        expect(page.locator("#timeline .timeline li").first).to_contain_text("Appel sans JavaScript")

        # An error opens the composer again, on the field to fix.
        composer.get_by_text("Consigner une activité ou un suivi").click()
        with page.expect_navigation():
            page.locator("#task-form").get_by_role("button", name="Ajouter le suivi").click()
        expect(page.locator("#composer")).to_have_attribute("open", "")
        expect(page.locator("#task-form .error").first).to_be_visible()

        # The header's menus open without JavaScript too.
        page.get_by_role("navigation", name="Navigation principale").get_by_text("Programme").click()
        with page.expect_navigation():
            page.get_by_role("link", name="Cohortes").click()
        expect(page).to_have_url(re.compile(r"/cohorts$"))
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_header_groups_its_entries_in_menus(app, page, make, locale):
    world = build_world(app, make)
    _signed_in(page, world, "manager", locale)
    page.goto("/enterprises")
    nav = page.locator(".main-nav")
    # One line at 1280 px: the bar is as tall as one row of entries.
    bar = page.locator(".header-bar").bounding_box()
    assert bar["height"] < 70, page.locator(".header-bar").inner_text()
    programme = nav.locator(".nav-group summary", has_text="Programme")
    cohorts = nav.get_by_role("link", name="Cohortes" if locale == "fr" else "Cohorts")
    expect(cohorts).to_be_hidden()
    assert axe_violations(page) == [], "header"

    # With the keyboard: Enter opens a menu, Tab reaches its entries, Escape closes it.
    page.locator("main").focus()
    element = tab_to(page, lambda el: el["tag"] == "summary" and el["text"] == "Programme",
                     backwards=True)
    assert element["ring"]
    page.keyboard.press("Enter")
    expect(cohorts).to_be_visible()
    assert axe_violations(page) == [], "header with a menu open"
    page.keyboard.press("Tab")
    assert focused(page)["text"] in {"Cohortes", "Cohorts"}
    page.keyboard.press("Escape")
    expect(cohorts).to_be_hidden()
    assert focused(page)["tag"] == "summary"
    # A click elsewhere closes an open menu; the current page's group is marked.
    programme.click()
    expect(cohorts).to_be_visible()
    page.locator("h1").click()
    expect(cohorts).to_be_hidden()
    with page.expect_navigation():
        programme.click()
        cohorts.click()
    expect(nav.locator("summary.is-current")).to_have_text("Programme")
    expect(nav.locator("[aria-current=page]")).to_have_count(1)

    # On a phone, everything folds under « Menu ».
    page.set_viewport_size(PHONE)
    entreprises = nav.get_by_role("link", name="Entreprises" if locale == "fr" else "Enterprises")
    expect(entreprises).to_be_hidden()
    page.locator(".site-menu > summary").click()
    expect(entreprises).to_be_visible()
    assert axe_violations(page) == [], "phone menu"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_month_is_an_agenda_on_a_phone(app, page, make, locale):
    world = build_world(app, make)
    _signed_in(page, world, "coach", locale)
    page.goto(f"/calendar/month?month={STARTS:%Y-%m}")
    grid, agenda = page.locator(".calendar-grid"), page.locator(".calendar-agenda")
    expect(grid).to_be_visible()
    expect(agenda).to_be_hidden()

    page.set_viewport_size(PHONE)
    expect(grid).to_be_hidden()
    days = agenda.locator(".agenda > li")
    expect(days).to_have_count(2)  # the cohort's workshop, the individual session the day after
    expect(days.first).to_contain_text("Atelier")
    expect(days.nth(1)).to_contain_text("Accompagnement")
    expect(days.first.get_by_role("link", name="Atelier")).to_have_attribute("href", re.compile(r"/sessions/\d+$"))
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert axe_violations(page) == [], "agenda"

    page.goto(f"/calendar/month?month={STARTS.year + 1}-01")
    expect(agenda.locator(".empty")).to_be_visible()
