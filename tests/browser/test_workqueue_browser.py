"""The work queue in a real browser: a coach closes a follow-up and logs an activity from the rows,
without leaving the page (and without JavaScript, by the plain forms), at 1280 and 390 px."""
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from crm.auth.models import User
from crm.enterprises import timeline
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.browser.conftest import TIMEOUT_MS, axe_violations, login, screenshot
from tests.enterprises_helpers import world  # noqa: F401 - fixture
from tests.factories import PASSWORD


def _queue_world(app, make, world):  # noqa: F811
    today = timeline.today_in_quebec()
    late = make.enterprise(world.org, coach=world.coach, name="Coopérative de l'Anse-aux-Outardes")
    quiet = make.enterprise(world.org, coach=world.coach, name="Épicerie solidaire du Vieux-Port")
    with app.app_context():
        coach = db.session.get(User, world.coach.id)
        row = db.session.get(Enterprise, late.id)
        timeline.add_task(row, actor=None, title="Rappeler la directrice générale", due_on=today - timedelta(days=2),
                          assignee=coach)
        timeline.add_task(row, actor=None, title="Envoyer l'offre de formation", due_on=today + timedelta(days=2),
                          assignee=coach)
        still = db.session.get(Enterprise, quiet.id)
        still.last_activity_at = still.created_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=45)
        db.session.commit()
    return late, quiet


def _no_horizontal_overflow(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, (width, viewport)


@pytest.mark.parametrize("width", [1280, 390])
def test_closing_a_follow_up_and_logging_an_activity_from_the_queue(app, page, make, world, width):  # noqa: F811
    _late, quiet = _queue_world(app, make, world)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, world.coach.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma file de travail")
    _no_horizontal_overflow(page)
    assert axe_violations(page) == []
    screenshot(page, f"workqueue-coach-{width}")
    page.evaluate("window.stayedOnThePage = true")  # gone if the page were loaded again

    overdue = page.locator("section", has=page.get_by_role("heading", name="Suivis en retard"))
    row = overdue.locator("li", has_text="Rappeler la directrice générale")
    row.get_by_role("button", name="Marquer comme fait").click()
    expect(page.locator(".flash-success")).to_have_text("Suivi « Rappeler la directrice générale » fait.")
    expect(overdue).to_contain_text("Aucun suivi en retard.")
    expect(page.locator(".flashes")).to_be_focused()

    quiet_section = page.locator("section", has=page.get_by_role("heading", name="Aucune activité depuis 30 jours"))
    quiet_row = quiet_section.locator("li", has_text="Épicerie solidaire du Vieux-Port")
    quiet_row.locator("summary").click()
    quiet_row.get_by_label("Type").select_option(label="Rencontre")
    quiet_row.get_by_label("Note").fill("Rencontre au marché public : projet de boutique en ligne")
    _no_horizontal_overflow(page)
    screenshot(page, f"workqueue-compose-{width}")
    quiet_row.get_by_role("button", name="Enregistrer l'activité").click()
    expect(page.locator(".flash-success")).to_have_text("Activité notée pour Épicerie solidaire du Vieux-Port.")
    expect(quiet_section).not_to_contain_text("Épicerie solidaire du Vieux-Port")
    assert page.evaluate("window.stayedOnThePage === true")
    _no_horizontal_overflow(page)
    screenshot(page, f"workqueue-after-{width}")

    page.goto(f"/enterprises/{quiet.id}")
    expect(page.locator("#timeline")).to_contain_text("Rencontre au marché public : projet de boutique en ligne")


def test_a_refused_quick_form_shows_its_error_in_the_row(app, page, make, world):  # noqa: F811
    _queue_world(app, make, world)
    login(page, world.coach.email, PASSWORD)
    row = page.locator("li", has_text="Envoyer l'offre de formation")
    row.locator("summary").click()
    note = row.get_by_label("Note")
    note.evaluate("el => el.removeAttribute('required')")  # as a browser without validation would send it
    row.get_by_role("button", name="Enregistrer l'activité").click()
    fresh = page.locator("li", has_text="Envoyer l'offre de formation")
    expect(fresh.locator(".error")).to_have_text("Ce champ est requis.")
    expect(fresh.get_by_label("Note")).to_be_focused()


def test_the_queue_works_without_javascript(app, browser, live_server, make, world):  # noqa: F811
    _queue_world(app, make, world)
    context = browser.new_context(base_url=live_server.url, locale="fr-CA", java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        login(page, world.coach.email, PASSWORD)
        row = page.locator("li", has_text="Rappeler la directrice générale")
        with page.expect_navigation():
            row.get_by_role("button", name="Marquer comme fait").click()
        expect(page.locator(".flash-success")).to_have_text("Suivi « Rappeler la directrice générale » fait.")
        expect(page.get_by_role("heading", level=1)).to_have_text("Ma file de travail")
        overdue = page.locator("section", has=page.get_by_role("heading", name="Suivis en retard"))
        expect(overdue).to_contain_text("Aucun suivi en retard.")
    finally:
        context.close()
