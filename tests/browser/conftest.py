"""Real-browser fixtures: the app served on 127.0.0.1 by a real WSGI server, driven by
Debian's headless Chromium through Playwright (no browser download: STACK.md pitfall 14)."""
import functools
import os
import threading
import time
from pathlib import Path

import pyotp
import pytest
from werkzeug.serving import make_server

from tests.smtp import free_port

CHROMIUM = os.environ.get("VIRAGE_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "data" / "vendor" / "axe-4.14.1.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "tests"
# Without these, Chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test and .ci/run do it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        # Join the request threads on close: one still rendering a page when the test ends would keep
        # a database connection past the app's teardown (a ResourceWarning, hence an error, later).
        self.server.daemon_threads = False
        self.server.block_on_close = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    app.config.update(SERVER_NAME=None)
    server = LiveServer(app).start()
    yield server
    server.stop()


# Generous: the machine may be busy (several test runs at once); Playwright waits only as long as needed.
TIMEOUT_MS = 30_000


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (cookies, storage) per test, in the shared browser."""
    context = browser.new_context(base_url=live_server.url, locale="fr-CA", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    yield page
    context.close()


def login(page, email, password):
    """Sign in as a person would, including the second step for people who use 2FA: admins enrol
    on the real page (reading the manual key) the first time, then type a code from it."""
    page.goto("/login")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button").first.click()
    if "/account/two-factor/setup" in page.url:
        secret = page.locator("#manual-key").inner_text().replace(" ", "")
        _TOTP_SECRETS[email.lower()] = secret
        page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        page.goto("/")
    elif "/login/code" in page.url:
        secret = _TOTP_SECRETS[email.lower()]
        counter = int(time.time()) // 30 + 1  # a code not used yet by the enrolment (single use)
        page.locator("input[name=code]").fill(pyotp.TOTP(secret).generate_otp(counter))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()


_TOTP_SECRETS: dict[str, str] = {}


def focused(page) -> dict:
    """What has the keyboard focus: tag, name, accessible text, and whether a focus ring is drawn."""
    return page.evaluate("""async () => {
        await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
            || style.boxShadow !== 'none';
        return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '', id: el.id,
                text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
                label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
                ring: ring, visible: el.offsetParent !== null || el === document.body};
    }""")


def tab_to(page, predicate, *, limit=80, backwards=False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element satisfies ``predicate``; fail if never.

    Every element reached on the way must show a focus ring: focus is visible everywhere.
    """
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        element = focused(page)
        if element["tag"] != "body":
            assert element["ring"], f"no visible focus on {element}"
        if predicate(element):
            return element
    raise AssertionError(f"not reachable with the keyboard within {limit} presses")


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; return the violations of the given impacts."""
    # Evaluated through the DevTools protocol, not a <script> tag: the app's CSP forbids inline script.
    page.evaluate(_axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"] if v["impact"] in impacts
    ]


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
