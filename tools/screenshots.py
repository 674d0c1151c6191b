#!/usr/bin/env python3
"""Screenshots of Virage's main pages at desktop and phone widths, with the demo data.

    make screenshots          # → screenshots/<role>-<page>-<width>.png (git ignores the folder)

Serves the app on 127.0.0.1 against a throw-away SQLite database filled by `crm seed-demo`,
signs in as each demo role in Debian's headless Chromium and captures every page in PAGES.
"""
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.smtp import free_port  # noqa: E402

OUT = ROOT / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PASSWORD = "virage-demo-2026"  # noqa: S105 - the published demo password
COACH = "conseiller.estrie@virage.example"
MANAGER = "gestion.estrie@virage.example"


def submit_empty_name(page):
    """Show the edit form with its errors: empty the required name and save."""
    page.fill("input[name=name]", "")
    page.fill("input[name=postal_code]", "not a postal code")
    with page.expect_navigation():
        page.click("main form.card button[type=submit]")


# (who, page name, path[, what to do on the page before the capture]) — extend as features land.
# "{enterprise}" in a path is the id of the first enterprise (by name) assigned to the coach; "{cohort}",
# "{session}" and "{upcoming}" are the manager's first demo cohort, its first session and its next one.
PAGES = [
    (None, "login", "/login"),
    (MANAGER, "manager-home", "/"),
    (MANAGER, "manager-enterprises", "/enterprises?region=05"),
    (MANAGER, "manager-enterprises-empty", "/enterprises?q=zzzz"),
    (MANAGER, "manager-enterprise", "/enterprises/{enterprise}"),
    (COACH, "coach-caseload", "/"),
    (COACH, "coach-enterprise", "/enterprises/{enterprise}"),
    (COACH, "coach-enterprise-new", "/enterprises/new"),
    (COACH, "coach-enterprise-edit-errors", "/enterprises/{enterprise}/edit", submit_empty_name),
    (COACH, "coach-contact-new", "/enterprises/{enterprise}/contacts/new"),
    (COACH, "privacy", "/privacy"),
    (COACH, "not-found", "/enterprises/999999"),
    (MANAGER, "manager-dashboard", "/reports/"),
    (MANAGER, "manager-funder-report", "/reports/funder?date_from=2026-01-01"),
    (MANAGER, "manager-cohorts", "/cohorts"),
    (MANAGER, "manager-calendar", "/calendar/month"),
    (MANAGER, "manager-imports", "/imports/"),
    (MANAGER, "manager-reminders", "/reminders"),
    (COACH, "coach-sessions", "/calendar/mine"),
    (MANAGER, "manager-cohort", "/cohorts/{cohort}"),
    (MANAGER, "manager-cohort-new", "/cohorts/new"),
    (MANAGER, "manager-session", "/sessions/{session}"),
    (MANAGER, "manager-session-new", "/cohorts/{cohort}/sessions/new"),
    (MANAGER, "manager-attendance", "/sessions/{session}/attendance"),
    (MANAGER, "manager-calendar-week", "/calendar/week"),
    (MANAGER, "manager-session-reminders", "/sessions/{upcoming}/reminders"),
    (MANAGER, "manager-import-new", "/imports/new"),
    (MANAGER, "manager-team", "/admin/users"),
    (MANAGER, "manager-account", "/account/"),
]


def build_app(db_path: Path):
    from flask_migrate import upgrade

    from crm import create_app
    from crm.demo.seed import seed_demo
    from crm.transaction import step

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "screenshots"})
    with app.app_context():
        upgrade()
        with step():
            seed_demo()
    return app


def placeholders(app) -> dict[str, str]:
    """Values for the placeholders of PAGES' paths, found in the demo data."""
    from sqlalchemy import select

    from crm.auth.models import User
    from crm.enterprises.models import Enterprise
    from crm.extensions import db

    with app.app_context():
        coach = db.session.scalar(select(User).where(User.email == COACH))
        enterprise = db.session.scalar(
            select(Enterprise).where(Enterprise.coach_id == coach.id).order_by(Enterprise.name).limit(1))
        _fill_records(enterprise, coach)
        cohort, session, upcoming = _cohort_and_sessions()
        return {"enterprise": str(enterprise.id), "cohort": str(cohort), "session": str(session),
                "upcoming": str(upcoming)}


def _cohort_and_sessions() -> tuple[int, int, int]:
    """The first demo cohort (by name) of the manager's organization that has a session, its first
    session (held, attendance taken) and its next one (reminders waiting in the outbox)."""
    from sqlalchemy import select

    from crm.auth.models import User
    from crm.cohorts import timeutil
    from crm.cohorts.models import Cohort, ProgrammeSession
    from crm.extensions import db

    manager = db.session.scalar(select(User).where(User.email == MANAGER))
    cohort = db.session.scalar(
        select(Cohort.id).join(ProgrammeSession, ProgrammeSession.cohort_id == Cohort.id)
        .where(Cohort.organization_id == manager.organization_id).order_by(Cohort.name).limit(1))
    sessions = (select(ProgrammeSession.id).where(ProgrammeSession.cohort_id == cohort)
                .order_by(ProgrammeSession.starts_at).limit(1))
    first = db.session.scalar(sessions)
    upcoming = db.session.scalar(sessions.where(ProgrammeSession.starts_at > timeutil.now()))
    return cohort, first, upcoming


def _fill_records(enterprise, coach) -> None:
    """A timeline, follow-ups and a diagnostic, so the enterprise page shows every section in use."""
    from datetime import timedelta

    from crm.enterprises import timeline
    from crm.extensions import db

    today = timeline.today_in_quebec()
    timeline.add_activity(enterprise, actor=coach, kind="meeting", occurred_on=today - timedelta(days=3),
                          body="Rencontre de démarrage : besoins en gestion des dons et site Web.",
                          is_coaching=True, duration_minutes=90)
    timeline.add_activity(enterprise, actor=coach, kind="call", occurred_on=today - timedelta(days=10),
                          body="Premier appel avec la direction générale.")
    timeline.add_task(enterprise, actor=coach, title="Envoyer le gabarit de diagnostic",
                      due_on=today - timedelta(days=2), assignee=coach)
    timeline.add_task(enterprise, actor=coach, title="Planifier l'atelier de formation",
                      due_on=today + timedelta(days=12), assignee=coach)
    timeline.add_diagnostic(enterprise, actor=coach, performed_on=today - timedelta(days=1),
                            tool="self_assessment", maturity_level=2, link="https://example.org/rapport")
    db.session.commit()


def main() -> int:
    import logging

    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "screens.sqlite3")
        values = placeholders(app)
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for width_name, (width, height) in WIDTHS.items():
                for locale in ("fr", "en"):
                    context = browser.new_context(base_url=base, viewport={"width": width, "height": height},
                                                  locale=f"{locale}-CA")
                    page = context.new_page()
                    signed_in = None
                    for who, name, path, *prepare in PAGES:
                        if who != signed_in:
                            context.clear_cookies()
                            if who:
                                page.goto("/login")
                                page.fill("input[name=email]", who)
                                page.fill("input[name=password]", PASSWORD)
                                with page.expect_navigation():
                                    page.click("main button[type=submit]")
                            signed_in = who
                            page.goto("/privacy")
                            if page.locator("html").get_attribute("lang") != locale:
                                # A demo person's own language wins over the browser's: switch it.
                                with page.expect_navigation():
                                    page.click(".language-switch button")
                        page.goto(path.format(**values))
                        for step in prepare:
                            step(page)
                        target = OUT / f"{name}-{locale}-{width_name}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target.relative_to(ROOT))
                    context.close()
            browser.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("VIRAGE_INSTANCE_PATH", tempfile.gettempdir())
    sys.exit(main())
