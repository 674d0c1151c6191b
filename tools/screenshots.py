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
# (who, page name, path) — extend as features land.
PAGES = [
    (None, "login", "/login"),
    ("gestion.estrie@virage.example", "manager-home", "/"),
    ("gestion.estrie@virage.example", "manager-dashboard", "/reports/"),
    ("gestion.estrie@virage.example", "manager-funder-report", "/reports/funder?date_from=2026-01-01"),
    ("admin@virage.example", "admin-dashboard", "/reports/"),
    ("admin@virage.example", "admin-dashboard-montreal-2026", "/reports/?region=06&date_from=2026-01-01"),
    ("conseiller.estrie@virage.example", "coach-home", "/"),
    ("conseiller.estrie@virage.example", "privacy", "/privacy"),
]


def build_app(db_path: Path):
    from flask_migrate import upgrade

    from crm import create_app
    from crm.demo.seed import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "screenshots"})
    with app.app_context():
        upgrade()
        seed_demo()
    return app


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "screens.sqlite3")
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
                    for who, name, path in PAGES:
                        if who != signed_in:
                            context.clear_cookies()
                            if who:
                                page.goto("/login")
                                page.fill("input[name=email]", who)
                                page.fill("input[name=password]", PASSWORD)
                                with page.expect_navigation():
                                    page.click("main button[type=submit]")
                            signed_in = who
                        page.goto(path)
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
