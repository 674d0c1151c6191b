"""The cohort, calendar, reminder, import, administration and privacy pages, in both languages:
no serious or critical accessibility violation (axe-core), forms showing errors included."""
from datetime import date, time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, login
from tests.cohorts_helpers import make_cohort, make_session
from tests.enterprises_helpers import quick_user, world  # noqa: F401 - fixture
from tests.factories import PASSWORD


class Audit:
    """Visits pages and keeps every page's violations, so one run shows them all."""

    def __init__(self, page):
        self.page = page
        self.found = {}

    def visit(self, what, path, status=200):
        response = self.page.goto(path)
        assert response.status == status, f"{what}: {path} answered {response.status}"
        self.check(what)

    def check(self, what):
        violations = axe_violations(self.page)
        if violations:
            self.found[what] = violations

    def submit(self, what, button):
        # The server's answer to an incomplete form is what is checked, not the browser's bubble.
        self.page.evaluate("document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")
        with self.page.expect_navigation():
            self.page.locator("main form[method=post]").get_by_role("button", name=button).first.click()
        expect(self.page.locator("main .error, main [role=alert]").first).to_be_visible()
        self.check(what)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_cohort_calendar_and_reminder_pages_are_accessible(app, page, make, world, locale):  # noqa: F811
    save = "Save" if locale == "en" else "Enregistrer"
    plan = "Plan the session" if locale == "en" else "Planifier la séance"
    manager = quick_user(app, world.org, "manager", locale=locale, full_name="Gestion Axe")
    coach = quick_user(app, world.org, "coach", locale=locale, full_name="Camille Axe")
    enterprises = [make.enterprise(world.org, coach=coach, stage="awareness", contacts=1, name=f"Coop Axe {n}")
                   for n in range(2)]
    cohort_id = make_cohort(app, world.org, facilitators=[coach], enterprises=enterprises,
                            start=date(2026, 9, 1), end=date(2027, 6, 20), name="Cohorte accessible")
    past = make_session(app, cohort_id=cohort_id, day=date(2026, 10, 14), start=time(9), end=time(12),
                        facilitator=coach, title="Atelier passé")
    make_session(app, cohort_id=cohort_id, day=date(2027, 3, 10), start=time(13), end=time(16),
                 facilitator=coach, title="Atelier à venir")
    audit = Audit(page)

    login(page, manager.email, PASSWORD)
    for what, path in [
        ("cohort list", "/cohorts"), ("cohort page", f"/cohorts/{cohort_id}"),
        ("cohort page with search results", f"/cohorts/{cohort_id}?q=coop"),
        ("cohort form", "/cohorts/new"), ("cohort edit form", f"/cohorts/{cohort_id}/edit"),
        ("session page", f"/sessions/{past}"), ("session form", f"/cohorts/{cohort_id}/sessions/new"),
        ("session edit form", f"/sessions/{past}/edit"), ("reschedule form", f"/sessions/{past}/reschedule"),
        ("attendance page", f"/sessions/{past}/attendance"),
        ("my sessions", "/calendar/mine"), ("month calendar", "/calendar/month?month=2026-10"),
        ("week calendar", "/calendar/week?date=2026-10-14"),
        ("reminders list", "/reminders"), ("session reminders", f"/sessions/{past}/reminders"),
        ("import upload", "/imports/new"), ("team list", "/admin/users"),
        ("account security", "/account/"),
    ]:
        audit.visit(what, path)

    page.goto("/cohorts/new")
    audit.submit("cohort form with errors", save)
    page.goto(f"/cohorts/{cohort_id}/sessions/new")
    page.locator("main form.card input[name=start_time]").fill("14:00")
    page.locator("main form.card input[name=end_time]").fill("13:00")
    audit.submit("session form with errors", plan)
    page.goto(f"/sessions/{past}/attendance")
    audit.submit("attendance with errors", save)

    page.context.clear_cookies()
    login(page, coach.email, PASSWORD)
    for what, path in [("coach's sessions", "/calendar/mine"), ("coach's week", "/calendar/week?date=2026-10-14"),
                       ("coach's session page", f"/sessions/{past}")]:
        audit.visit(what, path)

    assert audit.found == {}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_administration_and_privacy_pages_are_accessible(app, page, make, world, locale):  # noqa: F811
    save = "Save" if locale == "en" else "Enregistrer"
    admin = quick_user(app, world.org, "admin", locale=locale, full_name="Bureau Axe")
    enterprise = make.enterprise(world.org, coach=world.coach, stage="training", contacts=2, name="Coop Vie privée")
    with app.app_context():
        from crm.contacts.models import Contact
        from crm.extensions import db
        contact_id = db.session.scalars(
            db.select(Contact.id).where(Contact.enterprise_id == enterprise.id).order_by(Contact.id)).first()
    audit = Audit(page)

    login(page, admin.email, PASSWORD)
    for what, path in [
        ("administration", "/admin/"), ("users list", "/admin/users"), ("new user", "/admin/users/new"),
        ("edit user", f"/admin/users/{world.coach.id}/edit"), ("organizations", "/admin/organizations"),
        ("new organization", "/admin/organizations/new"), ("account security", "/account/"),
        ("privacy search", "/privacy/admin/"), ("privacy search results", "/privacy/admin/?q=pr%C3%A9nom"),
        ("privacy contact", f"/privacy/admin/contacts/{contact_id}"),
        ("anonymize", f"/privacy/admin/contacts/{contact_id}/anonymize"),
        ("access log", "/privacy/admin/access-log"), ("incidents", "/privacy/admin/incidents"),
        ("new incident", "/privacy/admin/incidents/new"),
    ]:
        audit.visit(what, path)

    page.goto("/admin/users/new")
    audit.submit("new user with errors", "Create the account" if locale == "en" else "Créer le compte")
    page.goto("/privacy/admin/incidents/new")
    audit.submit("new incident with errors", save)

    assert audit.found == {}
