"""The public survey page (the signed link of the survey's email) in a real browser: on a phone
(390 px) and a desktop, in French and English, axe clean, no horizontal scrolling; refused with its
errors when empty, then answered by tapping the choices. The manager's results, on both widths too."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.cohorts import timeutil
from crm.extensions import db
from crm.surveys import services
from crm.surveys.models import Survey
from crm.surveys.tokens import survey_token
from tests.browser.conftest import axe_violations, login, screenshot
from tests.factories import PASSWORD
from tests.surveys_helpers import build, hand_built, take_attendance

TEXTS = {"fr": ("Votre avis", "Choisissez une réponse.", "Merci : vos réponses sont enregistrées.", "Très", "Oui"),
         "en": ("Your opinion", "Choose an answer.", "Thank you: your answers are recorded.", "Very", "Yes")}


def _check(page, what, width):
    assert axe_violations(page) == [], what
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{what} overflows the phone's width"


def _survey_sent(app, make, language) -> str:
    w = build(app, make, people=1, languages=(language,))
    take_attendance(app, w.session_id, w.enterprise_ids)
    with app.app_context():
        services.add_question(actor=None, kind="scale", label_fr="Comment avez-vous trouvé l'accueil du lieu?",
                              label_en="How did you find the venue?")
        services.add_question(actor=None, kind="text", label_fr="Un sujet pour une prochaine séance?",
                              label_en="A topic for a next session?")
        services.queue_due_surveys(timeutil.now())
        survey = db.session.scalar(select(Survey))
        survey.state, survey.sent_at = "sent", timeutil.now()
        db.session.commit()
        return survey_token(survey.id)


@pytest.mark.parametrize(("locale", "width"), [("fr", 390), ("en", 390), ("fr", 1280)])
def test_the_survey_is_answerable_on_a_phone_in_both_languages(app, page, make, locale, width):
    token = _survey_sent(app, make, locale)
    title, required, thanks, _very, yes = TEXTS[locale]
    page.set_viewport_size({"width": width, "height": 844 if width < 400 else 900})
    page.goto(f"/surveys/answer/{token}?lang={locale}")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator("h1")).to_have_text(title)
    _check(page, "survey page", width)

    page.get_by_role("button", name="Envoyer mes réponses" if locale == "fr" else "Send my answers").click()
    expect(page.locator("#satisfaction-error")).to_have_text(required)
    _check(page, "survey refused", width)
    screenshot(page, f"survey-errors-{locale}-{width}")

    page.locator("label[for], label.checkbox").filter(has=page.locator("#satisfaction-4")).click()
    page.locator("#usefulness-3").check()
    page.locator("#intention-0").check()
    page.locator("fieldset").filter(has=page.locator("#recommend-0")).get_by_label(yes, exact=True).check()
    page.locator("textarea[name=comment]").fill("Très concret." if locale == "fr" else "Very practical.")
    page.get_by_role("button", name="Envoyer mes réponses" if locale == "fr" else "Send my answers").click()
    expect(page.locator(".flash")).to_have_text(thanks)
    expect(page.locator("#satisfaction-4")).to_be_checked()
    _check(page, "survey answered", width)
    screenshot(page, f"survey-answered-{locale}-{width}")
    with app.app_context():
        survey = db.session.scalar(select(Survey))
        assert (survey.satisfaction, survey.usefulness, survey.intention, survey.recommend) == (5, 4, "yes", True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_manager_s_results_page_and_session_section(app, page, make, width):
    people, ids = hand_built(app, make)
    page.set_viewport_size({"width": width, "height": 844 if width < 400 else 900})
    login(page, people["manager"].email, PASSWORD)
    page.goto("/surveys")
    expect(page.locator("h1")).to_have_text("Sondages de satisfaction")
    expect(page.locator("[data-figure=surveys-rate]").first).to_have_text("53,8 %")
    expect(page.locator(".survey-comments li")).to_have_count(3)
    _check(page, "results page", width)
    screenshot(page, f"survey-results-{width}")
    page.goto(f"/sessions/{ids['s1']}")
    expect(page.locator("#surveys [data-figure=surveys-satisfaction]")).to_have_text("4,2 / 5")
    _check(page, "session page", width)
    screenshot(page, f"survey-session-{width}")
