"""The enterprise page as a record: its summary (with the facts other features add through
``Section.summary``), its local navigation (``Section.anchor``), its forms closed until needed and
open again when they come back with errors."""
import re
from datetime import date

from crm.enterprises import timeline
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.conftest import csrf_token
from tests.route_access import build_world


def _summary(page: str) -> str:
    return page[page.index('<section class="record-summary"'):page.index("</section>", page.index("record-summary"))]


def test_the_summary_says_where_the_enterprise_stands(app, client, auth, make):
    world = build_world(app, make)
    with app.app_context():
        enterprise = db.session.get(Enterprise, world.ids["enterprise_id"])
        timeline.add_activity(enterprise, actor=None, kind="meeting", occurred_on=date(2026, 2, 3), body="Rencontre",
                              is_coaching=True, duration_minutes=90)
        db.session.commit()
    auth.sign_in(world.people["manager"])
    page = client.get(f"/enterprises/{world.ids['enterprise_id']}").get_data(as_text=True)
    summary = _summary(page)
    assert "Identifiée" in summary and "Conseil A" in summary
    # The cohort's workshop comes first: the next session links to it (a fact of the cohorts feature).
    session = world.ids["session_id"]
    assert re.search(rf'Prochaine séance</dt><dd><a href="/sessions/{session}">14 mars 2030 à 14\sh\s30</a>', summary)
    hours = re.search(r'Heures d\'accompagnement</dt><dd><a href="#coaching-hours">([^<]+)</a>', summary)
    assert hours and hours[1].split() == ["1,5", "h"], summary  # the coaching meeting of the timeline
    assert re.search(r'Dernier diagnostic</dt><dd><a href="#diagnostics">5 janv\. 2026</a> · 2', summary)
    # The local navigation: the page's parts, and those other features name.
    start = page.index('class="record-nav"')
    nav = re.findall(r'<a href="#([\w-]+)">', page[start:page.index("</nav>", start)])
    assert nav == ["profile", "timeline", "tasks", "diagnostics", "outcomes", "sessions", "referrals", "stage"]
    for anchor in nav:
        assert page.count(f'id="{anchor}"') == 1, anchor


def test_no_session_planned_says_so(app, client, auth, make):
    world = build_world(app, make)
    auth.sign_in(world.people["manager"])
    other = make.enterprise(world.people["manager"].organization)
    summary = _summary(client.get(f"/enterprises/{other.id}").get_data(as_text=True))
    assert "Prochaine séance</dt><dd>Aucune de prévue</dd>" in summary
    assert "Dernier diagnostic</dt><dd>—</dd>" in summary


def test_forms_stay_closed_until_needed_and_open_on_errors(app, client, auth, make):
    world = build_world(app, make)
    auth.sign_in(world.people["coach"])
    address = f"/enterprises/{world.ids['enterprise_id']}"
    page = client.get(address).get_data(as_text=True)
    assert '<details class="card composer" id="composer">' in page
    assert page.count("<details") == page.count("</details>")
    # Every field of the page's forms is inside a closed <details>.
    outside = re.sub(r"<details.*?</details>", "", page[page.index("<main"):], flags=re.S)
    assert not re.search(r"<(textarea|select)|<input (?![^>]*type=\"hidden\")", outside)

    token = csrf_token(client, address)
    answer = client.post(f"{address}/tasks", data={"csrf_token": token, "task-title": "", "task-due_on": ""})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert '<details class="card composer" id="composer" open>' in page
    assert '<details class="disclosure">\n  <summary>Passer à une autre étape' in page  # the others stay closed
