"""Who may do what on every route of cohorts, sessions and calendars (issue 4, "Access").

Roles: the programme office (admin, another organization), the owner's manager, the cohort's
facilitator (a coach of the owner), another coach of the owner, and a manager of another
organization. Invisible is 404, visible but not allowed is 403.
"""
from datetime import date, datetime, time

import pytest

from tests.cohorts_helpers import freeze, make_cohort, make_session
from tests.conftest import csrf_token

ROLES = ["admin", "manager", "facilitator", "coach", "other"]

# (method, url template, data, {role: expected status})
OK_ALL_BUT_OTHER = {"admin": 200, "manager": 200, "facilitator": 200, "coach": 200, "other": 404}
PLANNERS = {"admin": 200, "manager": 200, "facilitator": 403, "coach": 403, "other": 404}
RUNNERS = {"admin": 200, "manager": 200, "facilitator": 200, "coach": 403, "other": 404}
ROUTES = [
    ("GET", "/cohorts", None, dict.fromkeys(ROLES, 200)),
    ("GET", "/cohorts/new", None, {"admin": 200, "manager": 200, "facilitator": 403, "coach": 403, "other": 200}),
    ("POST", "/cohorts/new", {"name": "x"}, {"admin": 400, "manager": 400, "facilitator": 403, "coach": 403,
                                             "other": 400}),
    ("GET", "/cohorts/{cohort}", None, OK_ALL_BUT_OTHER),
    ("GET", "/cohorts/{cohort}?q=Test", None, OK_ALL_BUT_OTHER),
    ("GET", "/cohorts/{cohort}/edit", None, PLANNERS),
    ("POST", "/cohorts/{cohort}/edit", {"name": ""}, {**PLANNERS, "admin": 400, "manager": 400}),
    ("GET", "/cohorts/{cohort}/sessions/new", None, PLANNERS),
    ("POST", "/cohorts/{cohort}/sessions/new", {"title": ""}, {**PLANNERS, "admin": 400, "manager": 400}),
    ("POST", "/cohorts/{cohort}/members", {"enterprise_id": "{e3}"}, {**PLANNERS, "admin": 302, "manager": 302}),
    ("POST", "/cohorts/enrol", {"cohort_id": "{cohort}", "enterprise_ids": "{e4}"},
     {**PLANNERS, "admin": 302, "manager": 302}),
    ("POST", "/cohorts/{cohort}/members/{membership}/leave", {"left_on": "2027-10-20"},
     {**PLANNERS, "admin": 302, "manager": 302}),
    ("GET", "/enterprises/{e1}/sessions/new", None,
     {"admin": 200, "manager": 200, "facilitator": 200, "coach": 403, "other": 404}),
    ("POST", "/enterprises/{e1}/sessions/new", {"title": ""},
     {"admin": 400, "manager": 400, "facilitator": 400, "coach": 403, "other": 404}),
    ("GET", "/sessions/{session}", None, OK_ALL_BUT_OTHER),
    ("GET", "/sessions/{individual}", None, OK_ALL_BUT_OTHER),
    ("GET", "/sessions/{session}.ics", None, OK_ALL_BUT_OTHER),
    ("GET", "/sessions/{session}/edit", None, RUNNERS),
    ("POST", "/sessions/{session}/edit", {"title": ""}, {**RUNNERS, "admin": 400, "manager": 400, "facilitator": 400}),
    ("GET", "/sessions/{session}/reschedule", None, RUNNERS),
    ("POST", "/sessions/{session}/reschedule", {"start_date": ""},
     {**RUNNERS, "admin": 400, "manager": 400, "facilitator": 400}),
    ("GET", "/sessions/{session}/attendance", None, RUNNERS),
    ("POST", "/sessions/{session}/attendance", {}, {**RUNNERS, "admin": 400, "manager": 400, "facilitator": 400}),
    ("GET", "/sessions/{individual}/attendance", None, RUNNERS),
    ("POST", "/sessions/{spare}/cancel", {"reason": "Tempête"}, {**RUNNERS, "admin": 302, "manager": 302,
                                                                 "facilitator": 302}),
    ("GET", "/calendar/mine", None, dict.fromkeys(ROLES, 200)),
    ("GET", "/calendar/month?month=2027-10", None, dict.fromkeys(ROLES, 200)),
    ("GET", "/calendar/week?date=2027-10-14", None, dict.fromkeys(ROLES, 200)),
    ("POST", "/calendar/feed", {}, dict.fromkeys(ROLES, 302)),
    ("POST", "/calendar/feed/revoke", {}, dict.fromkeys(ROLES, 302)),
]


@pytest.fixture
def world(app, make, monkeypatch):
    owner = make.organization(code="reses", kind="regional", region_code="05")
    elsewhere = make.organization(code="cesim", kind="regional", region_code="06")
    facilitator = make.user(role="coach", organization=owner)
    users = {
        "admin": make.user(role="admin", organization=make.organization()),
        "manager": make.user(role="manager", organization=owner),
        "facilitator": facilitator,
        "coach": make.user(role="coach", organization=owner),
        "other": make.user(role="manager", organization=elsewhere),
    }
    e1, e2, e3, e4 = (make.enterprise(owner, coach=facilitator, contacts=1) for _ in range(4))
    cohort = make_cohort(app, owner, facilitators=[facilitator], enterprises=[e1, e2])
    session = make_session(app, cohort_id=cohort, facilitator=facilitator, title="Séance secrète")
    spare = make_session(app, cohort_id=cohort, facilitator=facilitator, day=date(2027, 11, 4))
    individual = make_session(app, enterprise_id=e1.id, facilitator=facilitator, day=date(2027, 10, 13),
                              start=time(14), end=time(15))
    from crm.cohorts.models import CohortMembership
    from crm.extensions import db

    with app.app_context():
        membership = db.session.query(CohortMembership).filter_by(cohort_id=cohort, enterprise_id=e2.id).one().id
    freeze(monkeypatch, datetime(2027, 10, 14, 13))
    ids = {"cohort": cohort, "session": session, "spare": spare, "individual": individual,
           "membership": membership, "e1": e1.id, "e3": e3.id, "e4": e4.id}
    return users, ids


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_rules_say(client, auth, world, role):
    users, ids = world
    auth.sign_in(users[role])
    token = csrf_token(client, "/calendar/mine")
    failures = []
    for method, template, data, expected in ROUTES:
        url = template.format(**ids)
        if method == "GET":
            response = client.get(url)
        else:
            form = {key: value.format(**ids) for key, value in (data or {}).items()}
            response = client.post(url, data={**form, "csrf_token": token})
        if response.status_code != expected[role]:
            failures.append((method, url, response.status_code, expected[role]))
    assert failures == []


def test_lists_and_calendars_hide_other_organizations_cohorts_and_sessions(client, auth, world):
    users, ids = world
    auth.sign_in(users["other"])
    for url in ("/cohorts", "/calendar/month?month=2027-10", "/calendar/week?date=2027-10-14"):
        page = client.get(url).get_data(as_text=True)
        assert "Cohorte test" not in page and "Séance secrète" not in page, url
    auth.logout()
    auth.sign_in(users["coach"])
    assert "Séance secrète" in client.get("/calendar/week?date=2027-10-14").get_data(as_text=True)
    assert "Cohorte test" in client.get("/cohorts").get_data(as_text=True)


def test_a_facilitator_from_another_organization_sees_the_cohort_but_cannot_manage_it(app, client, auth, make):
    owner = make.organization()
    guest = make.user(role="coach", organization=make.organization())
    cohort = make_cohort(app, owner, facilitators=[guest])
    auth.sign_in(guest)
    assert client.get(f"/cohorts/{cohort}").status_code == 200
    assert client.get(f"/cohorts/{cohort}/edit").status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    _users, ids = world
    for url in (f"/cohorts/{ids['cohort']}", f"/sessions/{ids['session']}.ics", "/calendar/mine"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
