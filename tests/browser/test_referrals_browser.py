"""The contact's public consent page (the signed link of the referral's email) in a real browser: at
1280 and 390 px, in French and English, axe clean, no horizontal scrolling on a phone, answered with
the keyboard alone."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from crm.auth.models import User
from crm.contacts.models import Contact
from crm.db import utcnow
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.referrals import services
from crm.referrals.models import Referral
from crm.referrals.tokens import consent_token
from tests.browser.conftest import axe_violations, screenshot, tab_to
from tests.referrals_helpers import programme

WIDTHS = (1280, 390)
TEXTS = {"fr": ("Votre consentement", "J'accepte", "Vous avez accepté. Merci."),
         "en": ("Your consent", "I agree", "You agreed. Thank you.")}


def _check(page, what, width):
    assert axe_violations(page) == [], what
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{what} overflows the phone's width"


def _consent_asked(app, make, language) -> tuple[int, str]:
    """A share of the Chantier's enterprise with the Estrie hub, the contact's consent asked by email."""
    p = programme(app, make, language=language)
    with app.app_context():
        enterprise = db.session.get(Enterprise, p.enterprise_id)
        contact = db.session.scalars(db.select(Contact).where(Contact.enterprise_id == enterprise.id)).first()
        referral = services.refer(
            enterprise, actor=db.session.get(User, p.chantier_manager.id), to_organization=p.hub, kind="share",
            purpose="Un accompagnement individuel en commerce en ligne, offert par le pôle régional de l'Estrie, "
                    "pendant la saison des fêtes.",
            shared=["record", "contacts", "history", "diagnostics"], contact=contact, consent_method="email",
            share_ends_on=services.today(utcnow()) + timedelta(days=60))
        db.session.commit()
        return referral.id, consent_token(referral.id)


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_consent_page_is_accessible_in_both_languages_and_on_a_phone(app, page, make, locale, width):
    referral_id, token = _consent_asked(app, make, locale)
    title, agree, agreed = TEXTS[locale]
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    # The email's link carries the contact's language; without it, the contact's preferred one is used.
    page.goto(f"/referrals/consent/{token}?lang={locale}")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator("h1")).to_have_text(title)
    _check(page, "consent page", width)
    screenshot(page, f"referral-consent-{locale}-{width}")
    page.goto(f"/referrals/consent/{token}")
    expect(page.locator("html")).to_have_attribute("lang", locale)

    # Answered with the keyboard alone: Tab reaches the "I agree" button (a focus ring on the way), Enter.
    reached = tab_to(page, lambda e: e["tag"] == "button" and e["text"] == agree)
    assert reached["name"] == "answer"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main .card p[role=status]")).to_have_text(agreed)
    _check(page, "consent answered", width)
    screenshot(page, f"referral-consent-answered-{locale}-{width}")
    with app.app_context():
        row = db.session.get(Referral, referral_id)
        assert (row.consent_status, row.status) == ("given", "sent")
