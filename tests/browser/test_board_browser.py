"""The funnel board in a real browser: cards dragged with the mouse (forward at once, back with the
comment the rule asks for), and moved with the keyboard alone by their own form, which is also the
phone's way (touch screens do not drag HTML cards); at 1280 and 390 px, where the board scrolls
inside its own box, never the page."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, focused, login, screenshot, tab_to
from tests.enterprises_helpers import world  # noqa: F401 - fixture
from tests.factories import PASSWORD


def _board(page, make, world, width):  # noqa: F811
    make.enterprise(world.org, coach=world.coach, name="Coop du Quai", stage="awareness")
    make.enterprise(world.org, coach=world.coach, name="Marché du Vieux-Port", stage="training")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, world.coach.email, PASSWORD)
    page.goto("/board")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau du parcours")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.evaluate("window.stayedOnThePage = true")


def test_dragging_cards_with_the_mouse(page, make, world):  # noqa: F811
    _board(page, make, world, 1280)
    screenshot(page, "board-1280")

    # Forward: sent at once.
    training = page.locator(".board-column[data-stage=training]")
    page.locator(".board-card", has_text="Coop du Quai").drag_to(training)
    expect(page.locator(".flash-success")).to_have_text("Coop du Quai passe à l'étape « Formation ».")
    expect(page.locator(".board-column[data-stage=training]")).to_contain_text("Coop du Quai")

    # Back: the card's form opens on the comment the rule asks for, and nothing is sent before it.
    awareness = page.locator(".board-column[data-stage=awareness]")
    card = page.locator(".board-card", has_text="Marché du Vieux-Port")
    card.drag_to(awareness)
    comment = card.get_by_label("Commentaire")
    expect(comment).to_be_focused()
    expect(page.locator(".board-column[data-stage=training]")).to_contain_text("Marché du Vieux-Port")
    comment.fill("La formation est reportée à l'automne")
    card.get_by_role("button", name="Déplacer l'entreprise").click()
    expect(page.locator(".flash-success")).to_have_text("Marché du Vieux-Port passe à l'étape « Sensibilisation ».")
    expect(page.locator(".board-column[data-stage=awareness]")).to_contain_text("Marché du Vieux-Port")
    assert page.evaluate("window.stayedOnThePage === true")
    screenshot(page, "board-after-drag-1280")


@pytest.mark.parametrize("width", [1280, 390])
def test_moving_a_card_with_the_keyboard(page, make, world, width):  # noqa: F811
    _board(page, make, world, width)
    assert axe_violations(page) == []
    tab_to(page, lambda el: el["tag"] == "summary" and "Coop du Quai" in el["text"], limit=120)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "stage"
    page.locator(".board-card", has_text="Coop du Quai").get_by_label("Déplacer vers").select_option(
        label="Formation")
    page.keyboard.press("Tab")  # the comment
    assert focused(page)["name"] == "comment"
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_have_text("Coop du Quai passe à l'étape « Formation ».")
    expect(page.locator(".flashes")).to_be_focused()
    expect(page.locator(".board-column[data-stage=training]")).to_contain_text("Coop du Quai")
    assert page.evaluate("window.stayedOnThePage === true")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"board-keyboard-{width}")
