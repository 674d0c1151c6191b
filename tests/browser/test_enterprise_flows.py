"""A coach's day and a manager's bulk assignment, in a real browser, as a person sees them."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import focused, login, screenshot, tab_to
from tests.enterprises_helpers import world  # noqa: F401 - fixture
from tests.factories import PASSWORD


def _signed_out(page):
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash")).to_contain_text("Votre session est fermée.")


def test_a_coachs_day(page, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, stage="awareness", name="Café solidaire du Plateau",
                                 city="Montréal")
    login(page, world.coach.email, PASSWORD)

    # Lands on the work queue; the caseload shows the enterprise under its stage.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma file de travail")
    page.goto("/caseload")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon portefeuille")
    awareness = page.locator("section", has=page.get_by_role("heading", name=re.compile("Sensibilisation")))
    with page.expect_navigation():
        awareness.get_by_role("link", name="Café solidaire du Plateau").click()
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Café solidaire du Plateau")
    expect(page.locator("h1 .badge")).to_have_text("Sensibilisation")

    # Moves it from awareness to training, with a comment (the form opens when asked for).
    stage = page.locator("#stage")
    expect(stage.get_by_label("Nouvelle étape")).to_be_hidden()
    stage.get_by_text("Passer à une autre étape").click()
    stage.get_by_label("Nouvelle étape").select_option(label="Formation")
    stage.get_by_label("Commentaire").fill("Inscrite à l'atelier de janvier")
    with page.expect_navigation():
        stage.get_by_role("button", name="Changer l'étape").click()
    expect(page.locator(".flash-success")).to_have_text("Étape changée.")
    expect(page.locator("h1 .badge")).to_have_text("Formation")
    latest = page.locator("#stage tbody tr").first
    expect(latest).to_contain_text("Sensibilisation")
    expect(latest).to_contain_text("Formation")
    expect(latest).to_contain_text("Inscrite à l'atelier de janvier")
    expect(latest).to_contain_text("Camille Conseil")

    # Notes a 1.5-hour coaching meeting, typed the French way, in the page's one composer.
    timeline = page.locator("#activity-form")
    expect(timeline).to_be_hidden()
    page.locator("#composer").get_by_text("Consigner une activité ou un suivi").click()
    timeline.get_by_label("Type").select_option(label="Rencontre")
    timeline.get_by_label("Durée (heures)").fill("1,5")
    timeline.get_by_label("Temps d'accompagnement").check()
    timeline.get_by_label("Note").fill("Rencontre de démarrage du plan numérique")
    with page.expect_navigation():
        timeline.get_by_role("button", name="Ajouter au fil des activités").click()
    expect(page.locator(".flash-success")).to_have_text("Ajouté au fil des activités.")
    entry = page.locator("#timeline .timeline li").first
    expect(entry).to_contain_text("Rencontre")
    expect(entry).to_contain_text("1,5 h")
    expect(entry).to_contain_text("Accompagnement")
    expect(entry).to_contain_text("Rencontre de démarrage du plan numérique")

    # Plans a follow-up, in the same composer.
    page.locator("#composer").get_by_text("Consigner une activité ou un suivi").click()
    tasks = page.locator("#task-form")
    tasks.get_by_label("Suivi").fill("Envoyer le gabarit de diagnostic")
    tasks.get_by_label("Échéance").fill("2099-01-15")
    with page.expect_navigation():
        tasks.get_by_role("button", name="Ajouter le suivi").click()
    expect(page.locator(".flash-success")).to_have_text("Suivi ajouté.")
    row = page.locator("#tasks tbody tr", has_text="Envoyer le gabarit de diagnostic")
    expect(row).to_contain_text("15 janv. 2099")
    expect(row).to_contain_text("Camille Conseil")
    expect(row.get_by_role("button", name="Marquer comme fait")).to_be_visible()
    screenshot(page, "coach-day-enterprise")

    # And signs out.
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    _signed_out(page)


def _type_into(page, label, text):
    tab_to(page, lambda el: el["label"].startswith(label))
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _choose(page, label, option_text):
    """Pick an option of the focused select by typing its first letters, as a keyboard user does."""
    tab_to(page, lambda el: el["label"].startswith(label) and el["tag"] == "select")
    page.keyboard.type(option_text)
    selected = page.evaluate("document.activeElement.selectedOptions[0].textContent.trim()")
    assert selected == option_text


def _type_date(page, iso):
    """Type a date in the focused date field, digits only: each part moves on to the next when full.

    The order of the parts follows the browser's system locale (headless Chromium: month first),
    so try the usual orders until the field holds the date.
    """
    year, month, day = iso.split("-")
    field_id = page.evaluate("document.activeElement.id")
    for parts in ((month, day, year), (day, month, year), (year, month, day)):
        page.keyboard.type("".join(parts))
        if page.evaluate("document.activeElement.value") == iso:
            return
        # Tab moves between the field's parts too: go back out of the field, then in at its first part.
        for _ in range(4):
            page.keyboard.press("Shift+Tab")
            if page.evaluate("document.activeElement.id") != field_id:
                break
        page.keyboard.press("Tab")
    raise AssertionError(f"could not type {iso} in the date field")


def _open(page, summary):
    """Open a closed part of the page (a <details>) with the keyboard."""
    tab_to(page, lambda el: el["tag"] == "summary" and el["text"] == summary)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open") is True


def _press_button(page, name):
    element = tab_to(page, lambda el: el["tag"] == "button" and el["text"] == name)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return element


def test_a_coachs_day_with_the_keyboard_only(page, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, stage="awareness", name="Épicerie solidaire Clavier",
                                 city="Laval")
    page.goto("/login")
    _type_into(page, "Courriel", world.coach.email)
    _type_into(page, "Mot de passe", PASSWORD)
    _press_button(page, "Se connecter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma file de travail")
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Mon portefeuille")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon portefeuille")

    # The skip link comes first and takes the focus to the main content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Aller au contenu principal"
    page.keyboard.press("Enter")
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Épicerie solidaire Clavier")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/enterprises/{enterprise.id}$"))

    _open(page, "Passer à une autre étape")
    _choose(page, "Nouvelle étape", "Formation")
    _type_into(page, "Commentaire", "Atelier de janvier")
    _press_button(page, "Changer l'étape")
    expect(page.locator(".flash-success")).to_have_text("Étape changée.")
    expect(page.locator("h1 .badge")).to_have_text("Formation")

    _open(page, "Consigner une activité ou un suivi")
    _choose(page, "Type", "Rencontre")
    _type_into(page, "Durée (heures)", "1,5")
    tab_to(page, lambda el: el["label"] == "Temps d'accompagnement")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked") is True
    _type_into(page, "Note", "Rencontre au clavier")
    # Shift+Tab goes back to the duration, which kept what was typed.
    back = tab_to(page, lambda el: el["label"] == "Durée (heures)", backwards=True)
    assert back["text"] == "1,5"
    _press_button(page, "Ajouter au fil des activités")
    expect(page.locator(".flash-success")).to_have_text("Ajouté au fil des activités.")
    expect(page.locator("#timeline .timeline li").first).to_contain_text("1,5 h")
    expect(page.locator("#timeline .timeline li").first).to_contain_text("Rencontre au clavier")

    _open(page, "Consigner une activité ou un suivi")
    _type_into(page, "Suivi", "Rappeler la direction")
    tab_to(page, lambda el: el["label"].startswith("Échéance"))
    _type_date(page, "2099-01-15")
    _press_button(page, "Ajouter le suivi")
    expect(page.locator(".flash-success")).to_have_text("Suivi ajouté.")
    expect(page.locator("#tasks tbody tr", has_text="Rappeler la direction")).to_contain_text("15 janv. 2099")

    # The sign-out button is in the header: backwards from the page's content.
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Se déconnecter", backwards=True, limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _signed_out(page)


def test_a_manager_filters_selects_and_assigns_in_bulk(page, make, world):  # noqa: F811
    estrie = [make.enterprise(world.org, name=f"Coop de l'Estrie {i}", region_code="05", stage="identified")
              for i in range(3)]
    make.enterprise(world.org, name="Coop de l'Estrie en formation", region_code="05", stage="training")
    make.enterprise(world.org, name="Coop de Montréal", region_code="06", stage="identified")
    login(page, world.manager.email, PASSWORD)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Entreprises").click()

    filters = page.get_by_role("search")
    filters.get_by_label("Région").select_option(label="Estrie")
    filters.get_by_role("checkbox", name="Identifiée").check()
    with page.expect_navigation():
        filters.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.locator("#result-count")).to_have_text("3 entreprises correspondent.")
    expect(page).to_have_url(re.compile(r"region=05.*stage=identified|stage=identified.*region=05"))
    names = page.locator("tbody th[scope=row] a")
    expect(names).to_have_text([e.name for e in estrie])
    # The filters show what was chosen.
    expect(filters.get_by_label("Région")).to_have_value("05")
    expect(filters.get_by_role("checkbox", name="Identifiée")).to_be_checked()

    page.get_by_role("checkbox", name="Sélectionner Coop de l'Estrie 0").check()  # its accessible name
    page.get_by_role("checkbox", name="Sélectionner Coop de l'Estrie 2").check()
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("Action").select_option(label="Confier à une conseillère ou un conseiller")
    bulk.get_by_label("Conseillère ou conseiller", exact=True).select_option(label="Dominique Collègue")
    with page.expect_navigation():
        bulk.get_by_role("button", name="Appliquer", exact=True).click()

    expect(page.locator(".flash-success")).to_have_text("2 entreprises mises à jour.")
    expect(page.locator("#result-count")).to_have_text("3 entreprises correspondent.")  # the filters are kept
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="Coop de l'Estrie 0")).to_contain_text("Dominique Collègue")
    expect(rows.filter(has_text="Coop de l'Estrie 1")).to_contain_text("Non attribuée")
    expect(rows.filter(has_text="Coop de l'Estrie 2")).to_contain_text("Dominique Collègue")
    screenshot(page, "manager-bulk-assigned")
