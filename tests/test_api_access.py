"""Every API route, for every caller, answers as the pages' rules say (crm/access.py).

Callers: personal tokens of the programme office's admin, of A's manager and coach (A owns every
object of the world, tests/route_access.py), of B's manager and coach; a service token of A and
one of B (a manager's rights in their organization); the coach's read-only token; no token.

Outcomes: ``ok``; ``invalid`` (the access check let the call through and the empty body was refused,
422); ``403``; ``404`` (another organization's object does not exist); ``401``.
"""
import pytest

from crm.extensions import db
from crm.organizations.models import Organization
from tests.api_helpers import bearer, personal_token, service_token
from tests.route_access import build_world, url_for_rule

CALLERS = ("admin", "manager", "coach", "other_manager", "other_coach", "service", "other_service", "read_only",
           "nobody")

API_ACCESS = {
    "/api/v1/dashboard": {"GET": "ok ok ok ok ok ok ok ok 401"},
    "/api/v1/enterprises": {"GET": "ok ok ok ok ok ok ok ok 401",
                            "POST": "invalid invalid invalid invalid invalid invalid invalid 403 401"},
    "/api/v1/enterprises/<int:enterprise_id>": {"GET": "ok ok ok 404 404 ok 404 ok 401",
                                                "PATCH": "ok ok ok 404 404 ok 404 403 401"},
    "/api/v1/enterprises/<int:enterprise_id>/contacts": {
        "GET": "ok ok ok 404 404 ok 404 ok 401", "POST": "invalid invalid invalid 404 404 invalid 404 403 401"},
    "/api/v1/contacts/<int:contact_id>": {"GET": "ok ok ok 404 404 ok 404 ok 401",
                                          "PATCH": "ok ok ok 404 404 ok 404 403 401"},
    "/api/v1/enterprises/<int:enterprise_id>/stage-changes": {
        "GET": "ok ok ok 404 404 ok 404 ok 401", "POST": "invalid invalid invalid 404 404 invalid 404 403 401"},
    "/api/v1/enterprises/<int:enterprise_id>/activities": {
        "GET": "ok ok ok 404 404 ok 404 ok 401", "POST": "invalid invalid invalid 404 404 invalid 404 403 401"},
    "/api/v1/enterprises/<int:enterprise_id>/follow-ups": {
        "GET": "ok ok ok 404 404 ok 404 ok 401", "POST": "invalid invalid invalid 404 404 invalid 404 403 401"},
    "/api/v1/follow-ups/<int:task_id>": {"PATCH": "invalid invalid invalid 404 404 invalid 404 403 401"},
    "/api/v1/cohorts": {"GET": "ok ok ok ok ok ok ok ok 401"},
    "/api/v1/cohorts/<int:cohort_id>": {"GET": "ok ok ok 404 404 ok 404 ok 401"},
    "/api/v1/cohorts/<int:cohort_id>/memberships": {
        "GET": "ok ok ok 404 404 ok 404 ok 401", "POST": "invalid invalid 403 404 404 invalid 404 403 401"},
    "/api/v1/cohorts/<int:cohort_id>/memberships/<int:membership_id>/leave": {
        "POST": "invalid invalid 403 404 404 invalid 404 403 401"},
    "/api/v1/sessions": {"GET": "ok ok ok ok ok ok ok ok 401"},
    "/api/v1/sessions/<int:session_id>": {"GET": "ok ok ok 404 404 ok 404 ok 401",
                                          "PATCH": "ok ok ok 404 404 ok 404 403 401"},
    "/api/v1/cohorts/<int:cohort_id>/sessions": {"POST": "invalid invalid 403 404 404 invalid 404 403 401"},
    "/api/v1/enterprises/<int:enterprise_id>/sessions": {
        "POST": "invalid invalid invalid 404 404 invalid 404 403 401"},
    "/api/v1/sessions/<int:session_id>/reschedule": {"POST": "invalid invalid invalid 404 404 invalid 404 403 401"},
    # Runs last (the rules' order): an empty body cancels the session.
    "/api/v1/sessions/<int:session_id>/cancel": {"POST": "ok ok ok 404 404 ok 404 403 401"},
    "/api/v1/sessions/<int:session_id>/attendance": {"GET": "ok ok ok 404 404 ok 404 ok 401",
                                                     "PUT": "invalid invalid invalid 404 404 invalid 404 403 401"},
    "/api/v1/events/<int:event_id>/registrations": {"GET": "ok ok ok 404 404 ok 404 ok 401"},
    # Survey results: managers and service tokens (their organization's), the programme office.
    "/api/v1/surveys": {"GET": "ok ok 403 ok 403 ok ok 403 401"},
    "/api/v1/surveys/results": {"GET": "ok ok 403 ok 403 ok ok 403 401"},
}


def outcome(response) -> str:
    assert response.mimetype in ("application/json", "application/problem+json"), response.mimetype
    if 200 <= response.status_code < 300:
        return "ok"
    if response.status_code == 422:
        return "invalid"
    return str(response.status_code)


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"]


def test_every_api_route_is_declared(app):
    declared = {(rule.rule, method) for rule in api_rules(app) for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(path, method) for path, methods in API_ACCESS.items() for method in methods}
    assert declared == listed
    for methods in API_ACCESS.values():
        assert all(len(expected.split()) == len(CALLERS) for expected in methods.values())


def _token(app, world, caller):
    people = world.people
    if caller == "nobody":
        return {}
    if caller in ("service", "other_service"):
        with app.app_context():
            name = "Pôle A" if caller == "service" else "Pôle B"
            organization = db.session.scalar(db.select(Organization).where(Organization.name == name))
            db.session.expunge(organization)
        return bearer(service_token(app, organization, people["admin"]))
    if caller == "read_only":
        return bearer(personal_token(app, people["coach"], scopes=("read",)))
    return bearer(personal_token(app, people[caller]))


@pytest.mark.parametrize("caller", CALLERS)
def test_api_access_matrix(app, client, make, caller):
    world = build_world(app, make)
    headers = _token(app, world, caller)
    column = CALLERS.index(caller)
    wrong = []
    for rule in api_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = url_for_rule(rule, world.ids)
            body = {} if method in ("POST", "PATCH", "PUT") else None
            extra = {"If-Match": "*"} if method == "PATCH" else {}
            response = client.open(url, method=method, json=body, headers={**headers, **extra})
            expected = API_ACCESS[rule.rule][method].split()[column]
            got = outcome(response)
            if got != expected:
                wrong.append(f"{method} {url}: expected {expected}, got {got} {response.get_data(as_text=True)[:200]}")
    assert not wrong, f"as {caller}:\n" + "\n".join(wrong)
