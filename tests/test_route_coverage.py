"""Every route is either public or in the access table below, and answers as the table says.

For each role (the programme office's admin; the manager and the coach of organization A, which owns
every object of the world; a manager and a coach of organization B; nobody signed in) and each
method, the expected outcome:

- ``ok``: the page, or the action done (200, or a redirect elsewhere than the sign-in page);
- ``invalid``: the access check let the request through and the (empty) form was refused with its
  errors (400, never the CSRF error: every write carries a valid CSRF token of the session);
- ``403``: visible but not allowed; ``404``: another organization's object does not exist;
- ``login``: redirected to the sign-in page.

Adding a route without declaring it public (``PUBLIC_ENDPOINTS``) or adding it to ``ACCESS`` makes
``test_every_route_is_declared`` fail with the list of undeclared routes.
"""
import pytest

from tests.route_access import (
    PUBLIC_ENDPOINTS,
    ROLES,
    WRITE_METHODS,
    build_world,
    rule_key,
    sign_in,
    url_for_rule,
)

SECOND_STEP = {"auth.login_code", "account.two_factor_setup"}
CSRF_REFUSED = "Le formulaire a expiré ou a été envoyé d'ailleurs"

# Route -> method -> outcome for: admin  manager  coach  other_manager  other_coach  anonymous
ACCESS = {
    "/": {"GET": "ok ok ok ok ok login"},
    "/enterprises": {"GET": "ok ok ok ok ok login"},
    "/caseload": {"GET": "403 403 ok 403 ok login"},
    # The work queue's row actions (crm/workqueue): coaches and managers; the programme office has no queue.
    "/queue/enterprises/<int:enterprise_id>/activities": {"POST": "403 invalid invalid 404 404 login"},
    "/queue/tasks/<int:task_id>/done": {"POST": "403 ok ok 404 404 login"},
    # The funnel board: everyone who sees enterprises; a card moves as the enterprise page's stage form allows.
    "/board": {"GET": "ok ok ok ok ok login"},
    "/board/enterprises/<int:enterprise_id>/stage": {"POST": "invalid invalid invalid 404 404 login"},
    # The daily digest's switch on the account page: coaches only.
    "/account/digest": {"POST": "403 403 invalid 403 invalid login"},
    "/enterprises/new": {"GET": "ok ok ok ok ok login", "POST": "invalid invalid invalid invalid invalid login"},
    "/enterprises/<int:enterprise_id>/edit": {"GET": "ok ok ok 404 404 login", "POST": "ok ok ok 404 404 login"},
    "/enterprises/<int:enterprise_id>": {"GET": "ok ok ok 404 404 login"},
    "/enterprises/<int:enterprise_id>/contacts/new": {
        "GET": "ok ok ok 404 404 login",
        "POST": "invalid invalid invalid 404 404 login",
    },
    "/enterprises/<int:enterprise_id>/contacts/<int:contact_id>/edit": {
        "GET": "ok ok ok 404 404 login",
        "POST": "ok ok ok 404 404 login",
    },
    "/privacy/admin/": {"GET": "ok 403 403 403 403 login"},
    "/privacy/admin/contacts/<int:contact_id>": {"GET": "ok 403 403 403 403 login"},
    "/privacy/admin/contacts/<int:contact_id>/export.<fmt>": {"GET": "ok 403 403 403 403 login"},
    "/privacy/admin/contacts/<int:contact_id>/anonymize": {
        "GET": "ok 403 403 403 403 login",
        "POST": "invalid 403 403 403 403 login",
    },
    "/privacy/admin/access-log": {"GET": "ok 403 403 403 403 login"},
    "/privacy/admin/incidents": {"GET": "ok 403 403 403 403 login"},
    "/privacy/admin/incidents/new": {"GET": "ok 403 403 403 403 login", "POST": "invalid 403 403 403 403 login"},
    "/privacy/admin/incidents/<int:incident_id>": {
        "GET": "ok 403 403 403 403 login",
        "POST": "invalid 403 403 403 403 login",
    },
    "/calendar/mine": {"GET": "ok ok ok ok ok login"},
    "/calendar/month": {"GET": "ok ok ok ok ok login"},
    "/calendar/week": {"GET": "ok ok ok ok ok login"},
    "/cohorts": {"GET": "ok ok ok ok ok login"},
    "/cohorts/new": {"GET": "ok ok 403 ok 403 login", "POST": "invalid invalid 403 invalid 403 login"},
    "/cohorts/<int:cohort_id>/edit": {"GET": "ok ok 403 404 404 login", "POST": "invalid invalid 403 404 404 login"},
    "/cohorts/<int:cohort_id>": {"GET": "ok ok ok 404 404 login"},
    "/cohorts/<int:cohort_id>/sessions/new": {
        "GET": "ok ok 403 404 404 login",
        "POST": "invalid invalid 403 404 404 login",
    },
    "/enterprises/<int:enterprise_id>/sessions/new": {
        "GET": "ok ok ok 404 404 login",
        "POST": "invalid invalid invalid 404 404 login",
    },
    "/sessions/<int:session_id>": {"GET": "ok ok ok 404 404 login"},
    "/sessions/<int:session_id>/edit": {"GET": "ok ok ok 404 404 login", "POST": "ok ok ok 404 404 login"},
    "/sessions/<int:session_id>/reschedule": {
        "GET": "ok ok ok 404 404 login",
        "POST": "invalid invalid invalid 404 404 login",
    },
    "/sessions/<int:session_id>/attendance": {
        "GET": "ok ok ok 404 404 login",
        "POST": "invalid invalid invalid 404 404 login",
    },
    "/sessions/<int:session_id>.ics": {"GET": "ok ok ok 404 404 login"},
    "/sessions/<int:session_id>/reminders": {"GET": "ok ok ok 404 404 login", "POST": "ok ok 403 404 404 login"},
    "/reminders": {"GET": "ok ok 403 ok 403 login"},
    "/imports/": {"GET": "ok ok 403 ok 403 login"},
    "/imports/new": {"GET": "ok ok 403 ok 403 login", "POST": "invalid invalid 403 invalid 403 login"},
    "/imports/<int:batch_id>/mapping": {"GET": "ok ok 403 404 403 login", "POST": "invalid invalid 403 404 403 login"},
    "/imports/<int:batch_id>/header": {"POST": "invalid invalid 403 404 403 login"},
    "/imports/<int:batch_id>/preview": {"GET": "ok ok 403 404 403 login"},
    "/imports/<int:batch_id>": {"GET": "ok ok 403 404 403 login"},
    "/imports/<int:batch_id>/report.csv": {"GET": "ok ok 403 404 403 login"},
    "/imports/<int:batch_id>/progress": {"GET": "ok ok 403 404 403 login"},
    "/account/": {"GET": "ok ok ok ok ok login"},
    "/account/password": {"GET": "ok ok ok ok ok login", "POST": "invalid invalid invalid invalid invalid login"},
    "/account/two-factor/recovery-codes": {"GET": "ok ok ok ok ok login"},
    "/admin/": {"GET": "ok 403 403 403 403 login"},
    "/admin/users": {"GET": "ok ok 403 ok 403 login"},
    "/admin/users/new": {"GET": "ok 403 403 403 403 login", "POST": "invalid 403 403 403 403 login"},
    "/admin/users/<int:user_id>/edit": {"GET": "ok 403 403 404 403 login", "POST": "invalid 403 403 404 403 login"},
    "/admin/organizations": {"GET": "ok 403 403 403 403 login"},
    "/admin/organizations/<int:organization_id>/edit": {
        "GET": "ok 403 403 403 403 login",
        "POST": "ok 403 403 403 403 login",
    },
    "/admin/organizations/new": {"GET": "ok 403 403 403 403 login", "POST": "invalid 403 403 403 403 login"},
    "/reports/": {"GET": "ok ok ok ok ok login"},
    "/reports/funder": {"GET": "ok ok ok ok ok login"},
    "/reports/funder.xlsx": {"GET": "ok ok ok ok ok login"},
    "/reports/pack": {"GET": "ok ok ok ok ok login"},
    "/reports/pack.xlsx": {"GET": "ok ok ok ok ok login"},
    "/reports/enterprises.csv": {"GET": "ok ok ok ok ok login"},
    "/reports/enterprises.xlsx": {"GET": "ok ok ok ok ok login"},
    "/enterprises/bulk": {"POST": "invalid invalid 403 invalid 403 login"},
    "/enterprises/<int:enterprise_id>/archive": {"POST": "ok ok 403 404 404 login"},
    "/enterprises/<int:enterprise_id>/assign": {"POST": "invalid invalid 403 404 404 login"},
    "/enterprises/<int:enterprise_id>/handover": {"POST": "invalid invalid 403 404 404 login"},
    "/enterprises/<int:enterprise_id>/stage": {"POST": "invalid invalid invalid 404 404 login"},
    "/enterprises/<int:enterprise_id>/activities": {"POST": "invalid invalid invalid 404 404 login"},
    "/enterprises/<int:enterprise_id>/tasks": {"POST": "invalid invalid invalid 404 404 login"},
    "/enterprises/<int:enterprise_id>/tasks/<int:task_id>/done": {"POST": "ok ok ok 404 404 login"},
    "/enterprises/<int:enterprise_id>/diagnostics": {"POST": "invalid invalid invalid 404 404 login"},
    "/enterprises/<int:enterprise_id>/plans/new": {"GET": "ok ok ok 404 404 login",
                                                   "POST": "invalid invalid invalid 404 404 login"},
    "/enterprises/<int:enterprise_id>/projects/new": {"GET": "ok ok ok 404 404 login",
                                                      "POST": "invalid invalid invalid 404 404 login"},
    # An empty POST keeps the project's values (as the profile's edit does): saved, nothing changed.
    "/enterprises/<int:enterprise_id>/projects/<int:project_id>/edit": {"GET": "ok ok ok 404 404 login",
                                                                        "POST": "ok ok ok 404 404 login"},
    "/enterprises/<int:enterprise_id>/contacts/<int:contact_id>/archive": {"POST": "ok ok ok 404 404 login"},
    "/privacy/admin/contacts/<int:contact_id>/consent": {"POST": "invalid 403 403 403 403 login"},
    "/calendar/feed": {"POST": "ok ok ok ok ok login"},
    "/calendar/feed/revoke": {"POST": "ok ok ok ok ok login"},
    "/cohorts/<int:cohort_id>/members": {"POST": "invalid invalid 403 404 404 login"},
    "/cohorts/<int:cohort_id>/members/<int:membership_id>/leave": {"POST": "ok ok 403 404 404 login"},
    "/cohorts/enrol": {"POST": "ok ok 403 404 404 login"},
    "/sessions/<int:session_id>/cancel": {"POST": "ok ok ok 404 404 login"},
    "/reminders/<int:reminder_id>/resend": {"POST": "ok ok ok 404 404 login"},
    "/imports/<int:batch_id>/commit": {"POST": "ok ok 403 404 403 login"},
    "/imports/<int:batch_id>/cancel": {"POST": "ok ok 403 404 403 login"},
    "/account/two-factor/recovery-codes/new": {"POST": "ok ok ok ok ok login"},
    "/account/two-factor/disable": {"POST": "ok ok ok ok ok login"},
    "/admin/users/<int:user_id>/<action>": {"POST": "ok 403 403 404 403 login"},
    "/logout": {"POST": "login login login login login login"},
    "/events/manage": {"GET": "ok ok ok ok ok login"},
    "/events/manage/new": {"GET": "ok ok 403 ok 403 login", "POST": "invalid invalid 403 invalid 403 login"},
    "/events/manage/<int:event_id>": {"GET": "ok ok ok 404 404 login"},
    "/events/manage/<int:event_id>/edit": {"GET": "ok ok 403 404 404 login",
                                           "POST": "invalid invalid 403 404 404 login"},
    "/events/manage/<int:event_id>/publish": {"POST": "ok ok 403 404 404 login"},
    "/events/manage/<int:event_id>/close": {"POST": "ok ok 403 404 404 login"},
    "/events/manage/<int:event_id>/reopen": {"POST": "ok ok 403 404 404 login"},
    "/events/manage/<int:event_id>/sessions": {"POST": "invalid invalid 403 404 404 login"},
    "/events/manage/<int:event_id>/sessions/<int:event_session_id>/remove": {"POST": "ok ok 403 404 404 login"},
    "/events/manage/<int:event_id>/registrations": {"GET": "ok ok ok 404 404 login"},
    "/events/manage/<int:event_id>/registrations/export.<fmt>": {"GET": "ok ok 403 404 404 login"},
    "/events/manage/<int:event_id>/registrations/<int:registration_id>/cancel": {"POST": "ok ok 403 404 404 login"},
    "/events/manage/<int:event_id>/matching": {"GET": "ok ok 403 404 404 login"},
    "/events/manage/<int:event_id>/matching/<int:registration_id>": {"POST": "ok ok 403 404 404 login"},
    "/events/manage/<int:event_id>/message": {"GET": "ok ok 403 404 404 login",
                                              "POST": "invalid invalid 403 404 404 login"},
    "/events/manage/<int:event_id>/check-in": {"GET": "ok ok ok 404 404 login"},
    "/events/manage/<int:event_id>/check-in/<int:registration_id>": {"POST": "ok ok ok 404 404 login"},
    "/events/manage/<int:event_id>/check-in/<int:registration_id>/undo": {"POST": "ok ok ok 404 404 login"},
    "/events/manage/<int:event_id>/attendance-import": {"GET": "ok ok 403 404 404 login",
                                                        "POST": "invalid invalid 403 404 404 login"},
    "/account/tokens": {"GET": "ok ok ok ok ok login", "POST": "invalid invalid invalid invalid invalid login"},
    "/admin/api-tokens": {"GET": "ok 403 403 403 403 login", "POST": "invalid 403 403 403 403 login"},
    "/api-tokens/<int:token_id>/revoke": {"POST": "404 404 ok 404 404 login"},
    "/webhooks": {"GET": "ok ok 403 ok 403 login", "POST": "invalid invalid 403 invalid 403 login"},
    "/webhooks/<int:subscription_id>": {"GET": "ok ok 403 404 403 login"},
    "/webhooks/<int:subscription_id>/test": {"POST": "ok ok 403 404 403 login"},
    "/webhooks/<int:subscription_id>/stop": {"POST": "ok ok 403 404 403 login"},
    # Saved views of the list (crm/savedviews): the world's view is A's coach's, shared with A.
    "/enterprises/views": {"GET": "ok ok ok ok ok login", "POST": "invalid invalid invalid invalid invalid login"},
    "/enterprises/views/<int:view_id>": {"GET": "404 ok ok 404 404 login"},
    "/enterprises/views/<int:view_id>/edit": {"POST": "404 invalid invalid 404 404 login"},
    "/enterprises/views/<int:view_id>/delete": {"POST": "404 ok ok 404 404 login"},
    "/referrals": {"GET": "ok ok ok ok ok login"},
    "/enterprises/<int:enterprise_id>/refer": {"GET": "ok ok ok 404 404 login",
                                               "POST": "invalid invalid invalid 404 404 login"},
    "/referrals/<int:referral_id>": {"GET": "ok ok ok 404 404 login"},
    "/referrals/<int:referral_id>/consent": {"POST": "invalid invalid invalid 404 404 login"},
    "/referrals/<int:referral_id>/accept": {"POST": "invalid 403 403 404 404 login"},
    "/referrals/<int:referral_id>/decline": {"POST": "invalid 403 403 404 404 login"},
    # Ends a running share early: the managers of either organization (here A, the sharer's side).
    "/referrals/<int:referral_id>/end": {"POST": "invalid invalid 403 404 404 login"},
    # Survey results: the managers (their organization's) and the programme office; the questions: the office;
    # a cohort's timing: who manages the cohort (its facilitator sees it, B does not).
    "/surveys": {"GET": "ok ok 403 ok 403 login"},
    "/surveys/questions": {"GET": "ok 403 403 403 403 login", "POST": "invalid 403 403 403 403 login"},
    "/surveys/questions/<int:question_id>/retire": {"POST": "ok 403 403 403 403 login"},
    "/cohorts/<int:cohort_id>/survey-timing": {"POST": "invalid invalid 403 404 404 login"},
    # The session cookie never opens the API: only a bearer token does (tests/test_api_access.py).
    "/api/v1/enterprises": {"GET": "401 401 401 401 401 401", "POST": "401 401 401 401 401 401"},
    "/api/v1/dashboard": {"GET": "401 401 401 401 401 401"},
    "/api/v1/enterprises/<int:enterprise_id>": {"GET": "401 401 401 401 401 401",
                                                "PATCH": "401 401 401 401 401 401"},
    "/api/v1/enterprises/<int:enterprise_id>/contacts": {"GET": "401 401 401 401 401 401",
                                                         "POST": "401 401 401 401 401 401"},
    "/api/v1/contacts/<int:contact_id>": {"GET": "401 401 401 401 401 401", "PATCH": "401 401 401 401 401 401"},
    "/api/v1/enterprises/<int:enterprise_id>/stage-changes": {"GET": "401 401 401 401 401 401",
                                                              "POST": "401 401 401 401 401 401"},
    "/api/v1/enterprises/<int:enterprise_id>/activities": {"GET": "401 401 401 401 401 401",
                                                           "POST": "401 401 401 401 401 401"},
    "/api/v1/enterprises/<int:enterprise_id>/follow-ups": {"GET": "401 401 401 401 401 401",
                                                           "POST": "401 401 401 401 401 401"},
    "/api/v1/follow-ups/<int:task_id>": {"PATCH": "401 401 401 401 401 401"},
    "/api/v1/cohorts": {"GET": "401 401 401 401 401 401"},
    "/api/v1/cohorts/<int:cohort_id>": {"GET": "401 401 401 401 401 401"},
    "/api/v1/cohorts/<int:cohort_id>/memberships": {"GET": "401 401 401 401 401 401",
                                                    "POST": "401 401 401 401 401 401"},
    "/api/v1/cohorts/<int:cohort_id>/memberships/<int:membership_id>/leave": {"POST": "401 401 401 401 401 401"},
    "/api/v1/sessions": {"GET": "401 401 401 401 401 401"},
    "/api/v1/sessions/<int:session_id>": {"GET": "401 401 401 401 401 401", "PATCH": "401 401 401 401 401 401"},
    "/api/v1/cohorts/<int:cohort_id>/sessions": {"POST": "401 401 401 401 401 401"},
    "/api/v1/enterprises/<int:enterprise_id>/sessions": {"POST": "401 401 401 401 401 401"},
    "/api/v1/sessions/<int:session_id>/reschedule": {"POST": "401 401 401 401 401 401"},
    "/api/v1/sessions/<int:session_id>/cancel": {"POST": "401 401 401 401 401 401"},
    "/api/v1/sessions/<int:session_id>/attendance": {"GET": "401 401 401 401 401 401",
                                                     "PUT": "401 401 401 401 401 401"},
    "/api/v1/events/<int:event_id>/registrations": {"GET": "401 401 401 401 401 401"},
    "/api/v1/surveys": {"GET": "401 401 401 401 401 401"},
    "/api/v1/surveys/results": {"GET": "401 401 401 401 401 401"},
}

# Writes whose access depends on the ids they are sent (empty data would prove nothing).
PAYLOADS = {
    "cohorts.enrol": lambda ids: {"cohort_id": ids["cohort_id"], "enterprise_ids": ids["enterprise_id"]},
}

# Writes that end something (archive, cancel, sign out…) run last, in this order, so that the
# other checks of a role meet the world as it was built.
LAST = ("savedviews.delete", "events.cancel_by_manager", "api_pages.webhook_stop", "api_pages.revoke_token",
        "contacts.archive",
        "cohorts.leave_member", "cohorts.cancel_session", "imports.cancel", "enterprises.archive", "admin.user_action",
        "account.disable_two_factor", "auth.logout")


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        return "login" if response.headers["Location"].startswith("/login") else "ok"
    if 200 <= status < 300:
        return "ok"
    if status == 400:
        return "csrf" if CSRF_REFUSED in response.get_data(as_text=True) else "invalid"
    return str(status)


def _calls(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]
    calls = [(rule, method) for rule in rules for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]

    def order(call):
        rule, method = call
        return (method in WRITE_METHODS, LAST.index(rule.endpoint) if rule.endpoint in LAST else -1)

    return sorted(calls, key=order)


def test_every_route_is_declared(app):
    undeclared, declared = [], set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            declared.add((rule_key(rule), method))
            if method not in ACCESS.get(rule_key(rule), {}):
                undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
    stale = [f"{method} {path}" for path, methods in ACCESS.items() for method in methods
             if (path, method) not in declared]
    assert not undeclared, "routes with no access declared in ACCESS nor PUBLIC_ENDPOINTS: " + ", ".join(undeclared)
    assert not stale, "ACCESS lists routes that no longer exist: " + ", ".join(stale)
    for methods in ACCESS.values():
        for expected in methods.values():
            assert len(expected.split()) == len(ROLES), expected


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, auth, make, role):
    world = build_world(app, make)
    token = sign_in(client, auth, world, role)
    column = ROLES.index(role)
    wrong = []
    for rule, method in _calls(app):
        url = url_for_rule(rule, world.ids)
        data = None
        if method in WRITE_METHODS:
            data = {**PAYLOADS.get(rule.endpoint, lambda ids: {})(world.ids), "csrf_token": token}
        response = client.open(url, method=method, data=data)
        expected = ACCESS[rule_key(rule)][method].split()[column]
        got = outcome(response)
        response.get_data()  # read streamed downloads (CSV export) to the end, inside this request
        response.close()
        if got != expected:
            wrong.append(f"{method} {url} ({rule.endpoint}): expected {expected}, got {got}")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


def test_public_pages_answer_without_signing_in(app, client, make):
    world = build_world(app, make)
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
            continue
        response = client.get(url_for_rule(rule, world.ids))
        response.close()
        # The second step of signing in needs the first: without it, back to the password.
        expected = "login" if rule.endpoint in SECOND_STEP else "ok"
        assert outcome(response) == expected, rule.endpoint
        checked.append(rule.endpoint)
    assert {"auth.login", "main.privacy", "ops.health", "cohorts.feed", "reminders.optout"} <= set(checked)
