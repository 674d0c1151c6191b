"""A manager runs a collective-coaching cohort, in a real browser, as a person sees it: the cohort
form, enterprises added from the cohort page, a session planned in Québec time, its calendar file,
then the programme dashboard."""
import re
from datetime import datetime, time
from pathlib import Path

import icalendar
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.enterprises_helpers import world  # noqa: F401 - fixture
from tests.factories import PASSWORD


def _submit(page, name):
    with page.expect_navigation():
        page.locator("main form.card").get_by_role("button", name=name).click()


def test_a_manager_runs_a_collective_coaching_cohort(page, make, world):  # noqa: F811
    make.enterprise(world.org, coach=world.coach, stage="awareness", name="Coop Numérique du Plateau", contacts=1)
    make.enterprise(world.org, coach=world.coach, stage="training", name="Coop Boulangerie Solidaire")
    make.enterprise(world.org, stage="identified", name="Friperie Entraide")
    make.enterprise(world.other_org, stage="awareness", name="Coop de l'Estrie")  # another organization's
    login(page, world.manager.email, PASSWORD)

    # The cohort form: a mistake first, explained next to the field, nothing lost.
    page.goto("/cohorts/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle cohorte")
    form = page.locator("main form.card")
    form.get_by_label(re.compile(r"^Nom( \*)?$")).fill("Virage numérique — automne 2027")
    form.get_by_label("Type").select_option(label="Accompagnement collectif")
    form.get_by_label("Date de début").fill("2027-09-01")
    form.get_by_label("Date de fin").fill("2027-12-20")
    form.get_by_label("Capacité (entreprises)").fill("12")
    _submit(page, "Enregistrer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle cohorte")
    expect(page.locator("main .error").first).to_be_visible()
    expect(form.get_by_label(re.compile(r"^Nom( \*)?$"))).to_have_value("Virage numérique — automne 2027")
    form.get_by_role("group", name="Personnes à l'animation").get_by_label("Camille Conseil").check()
    form.get_by_label("Lieu").fill("Maison de l'économie sociale, Montréal")
    _submit(page, "Enregistrer")

    # The cohort page.
    expect(page).to_have_url(re.compile(r"/cohorts/\d+$"))
    expect(page.locator(".flash-success")).to_have_text("Cohorte créée.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Virage numérique — automne 2027")
    expect(page.locator("main .lead")).to_contain_text("Accompagnement collectif")
    expect(page.locator("main")).to_contain_text("Camille Conseil")
    expect(page.locator("main")).to_contain_text("Aucune entreprise dans cette cohorte pour l'instant.")
    cohort_url = page.url

    # Search-and-add: only the manager's organization's enterprises come up.
    members = page.locator("section", has=page.get_by_role("heading", name="Entreprises", exact=True))
    for name in ("Coop Numérique du Plateau", "Coop Boulangerie Solidaire"):
        members.get_by_label("Rechercher par nom, NEQ, ville ou personne-ressource").fill("coop")
        with page.expect_navigation():
            members.get_by_role("button", name="Recherche", exact=True).click()
        results = members.locator("table", has=page.locator("caption", has_text="Résultats de la recherche"))
        expect(results).to_be_visible()
        expect(results).not_to_contain_text("Coop de l'Estrie")
        with page.expect_navigation():
            results.locator("tr", has_text=name).get_by_role("button", name="Ajouter").click()
        expect(page.locator(".flash-success")).to_have_text(f"{name} s'est jointe à la cohorte.")
    roster = members.locator("table").first
    expect(roster.locator("tbody tr")).to_have_count(2)
    expect(roster).to_contain_text("Coop Numérique du Plateau")
    expect(roster).to_contain_text("Coop Boulangerie Solidaire")
    # Moved to the cohort's stage since they were at an earlier one; the contact is listed.
    expect(roster.locator("tr", has_text="Coop Numérique du Plateau").locator(".badge")).to_have_text(
        "Accompagnement collectif")
    expect(roster.locator("tr", has_text="Coop Numérique du Plateau")).to_contain_text("Prénom0")
    about = page.locator("section[aria-labelledby=about-title]")
    expect(about).to_contain_text("2 sur 12")
    screenshot(page, "manager-cohort")

    # Plans a session in Québec time.
    with page.expect_navigation():
        page.get_by_role("link", name="Planifier une séance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planifier une séance")
    form = page.locator("main form.card")
    form.locator("input[name=title]").fill("Atelier 1 : diagnostic numérique")
    form.get_by_label(re.compile(r"^Date( \*)?$")).fill("2027-10-14")
    form.get_by_label("Heure de début").fill("09:30")
    form.get_by_label("Heure de fin").fill("12:00")
    form.get_by_label(re.compile(r"^Animation( \*)?$")).select_option(label="Camille Conseil")
    _submit(page, "Planifier la séance")
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(page.locator(".flash-success")).to_have_text("Séance planifiée.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Atelier 1 : diagnostic numérique")
    lead = page.locator("main .lead")
    expect(lead).to_contain_text(re.compile(r"14 octobre 2027, 9\sh\s30 – 12\sh"))
    expect(lead).to_contain_text("Virage numérique — automne 2027")
    participants = page.locator("section[aria-labelledby=participants-title]")
    expect(participants).to_contain_text("Coop Numérique du Plateau")
    expect(participants).to_contain_text("Coop Boulangerie Solidaire")
    screenshot(page, "manager-session")

    # Its calendar file: the same local time, in Québec's time zone.
    with page.expect_download() as info:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Atelier 1 : diagnostic numérique"
    start, end = event["DTSTART"], event["DTEND"]
    assert start.params["TZID"] == "America/Montreal"
    assert start.dt.replace(tzinfo=None) == datetime(2027, 10, 14, 9, 30)
    assert end.dt.replace(tzinfo=None).time() == time(12, 0)
    assert start.dt.utcoffset().total_seconds() == -4 * 3600  # daylight time in October
    assert any(tz["TZID"] == "America/Montreal" for tz in calendar.walk("VTIMEZONE"))

    # Back on the cohort page, the session is listed.
    page.goto(cohort_url)
    sessions = page.locator("section", has=page.get_by_role("heading", name="Séances"))
    expect(sessions).to_contain_text("Atelier 1 : diagnostic numérique")

    # The dashboard, scoped to the manager's organization.
    page.goto("/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord du programme")
    expect(page.locator("main")).to_contain_text(world.org.name)
    expect(page.locator("main")).not_to_contain_text(world.other_org.name)
    screenshot(page, "manager-dashboard")
