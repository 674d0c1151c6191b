"""On a 390 px phone, no page is wider than the screen: every page a manager or a coach may open
(the routes of the app's url_map, with the ids of the route-access world), in both languages.
Wide tables scroll inside their own box or stack into cards; the page itself never scrolls sideways."""
import pytest

from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.route_access import build_world, url_for_rule

PHONE = {"width": 390, "height": 844}
# Not pages: files, feeds and the API's JSON (a browser downloads or shows them raw).
NOT_PAGES = ("static", "api.")

MEASURE = """() => ({width: document.documentElement.scrollWidth, screen: window.innerWidth,
    widest: [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(-3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))})"""


def _page_urls(app, ids) -> list[str]:
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.endpoint.startswith(NOT_PAGES)]
    return sorted({url_for_rule(rule, ids) for rule in rules})


def _is_page(page, url) -> bool:
    """A page that answers HTML to this person (not a download, an error or a refusal)."""
    response = page.request.get(url, max_redirects=0)
    kind = response.headers.get("content-type", "")
    return response.status == 200 and kind.startswith("text/html")


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("role", ["manager", "coach"])
def test_no_page_is_wider_than_a_phone(app, page, make, role, locale):
    world = build_world(app, make)
    login(page, world.people[role].email, PASSWORD)
    if locale == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    page.set_viewport_size(PHONE)

    measured, too_wide = [], []
    for url in _page_urls(app, world.ids):
        if not _is_page(page, url):
            continue
        page.goto(url)
        size = page.evaluate(MEASURE)
        measured.append(url)
        if size["width"] > size["screen"]:
            too_wide.append(f"{url}: {size['width']} px ({', '.join(size['widest'])})")
    # Still in the chosen language (a public page, e.g. a survey, speaks its recipient's own).
    page.goto("/enterprises")
    assert page.locator("html").get_attribute("lang") == locale
    # The world's pages are all there: the enterprise, the cohort, the calendar, the dashboard…
    enterprise = f"/enterprises/{world.ids['enterprise_id']}"
    assert {enterprise, f"/cohorts/{world.ids['cohort_id']}", "/calendar/month", "/calendar/mine",
            "/enterprises"} <= set(measured), measured
    assert len(measured) > 25, measured
    assert too_wide == [], "\n".join(too_wide)
