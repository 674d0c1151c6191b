"""Hostile input to every form of the app: never a 500, nothing changes when the input is refused,
and what is saved is shown escaped.

The forms are found in ``app.url_map`` (every route with POST but the sign-in steps and signing
out); the admin, allowed everywhere, sends them with a valid CSRF token of the session, so that
what answers is the form's own validation.
"""
import functools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from crm.extensions import db
from tests.route_access import PUBLIC_ENDPOINTS, build_world, sign_in, url_for_rule

SCRIPT = "<script>alert(1)</script>"
# Signing out ends the session the test runs in; the public forms have their own tests.
SKIPPED = PUBLIC_ENDPOINTS | {"auth.logout"}
# Pages whose forms post to POST-only routes: their field names are fuzzed there too.
FORM_PAGES = ("/enterprises", "/enterprises/{enterprise_id}", "/cohorts/{cohort_id}", "/sessions/{session_id}",
              "/sessions/{session_id}/reminders", "/admin/users/{user_id}/edit", "/account/",
              "/privacy/admin/contacts/{contact_id}", "/imports/{batch_id}/preview")
NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')

HOSTILE = [
    "", " ", "0", "-1", "99999999999999999999999", "1e309", "NaN", "-0", "3.7", "2026-02-30", "0000-00-00",
    "9999-12-31", "24:61", "true", "None", "null", "[]", "{}", "x" * 10_000, "\x00", "a\x00b", "\x1b[31m\x07",
    "\u202eevil", "\ufeff", "e\u0301", "\U0001f600" * 50, "\ud7ff", "' OR 1=1 --", "'; DROP TABLE users; --",
    SCRIPT, '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "../../etc/passwd", "%00", "\r\n\r\nX: y",
    "²", "١٢٣٤٥٦", "１２",  # digits to str.isdigit(), not to int() or compare_digest()
]
value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str))


@functools.cache
def _counting(skip=("privacy_access_log",)):
    """One statement counting the rows of every table."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in skip]
    return select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables))


def _counts(app):
    with app.app_context():
        return dict(db.session.execute(_counting()).one()._mapping)


def _names(client, path) -> set[str]:
    response = client.get(path)
    if response.status_code != 200 or response.mimetype != "text/html":
        return set()
    return set(NAME_RE.findall(response.get_data(as_text=True))) - {"csrf_token"}


def test_hostile_input_to_every_form(app, client, auth, make):
    world = build_world(app, make)
    token = sign_in(client, auth, world, "admin")
    common = set()
    for page in FORM_PAGES:
        common |= _names(client, page.format(**world.ids))
    forms = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods and rule.endpoint not in SKIPPED]
    assert len(forms) > 30
    for rule in forms:
        url = url_for_rule(rule, world.ids)
        names = sorted((_names(client, url) if "GET" in rule.methods else set()) | common)
        _fuzz(app, client, url, rule.endpoint, names, token)
    # Still signed in: no form was answered by the sign-in page instead of its own validation.
    assert client.get("/").status_code == 200


def _fuzz(app, client, url, endpoint, names, token):
    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(fields=st.lists(st.tuples(st.sampled_from(names), value), max_size=12))
    def post_hostile(fields):
        before = _counts(app)
        prefixed = {name.rsplit("-", 1)[0] + "-csrf_token" for name, _ in fields if "-" in name}
        data = MultiDict([*fields, ("csrf_token", token), *((name, token) for name in prefixed)])
        # Followed to the page it lands on, where what was saved is shown (escaped).
        response = client.post(url, data=data, follow_redirects=True)
        first = response.history[0] if response.history else response
        body = response.get_data(as_text=True)
        assert first.status_code < 500 and response.status_code < 500, (endpoint, fields, body[:2000])
        assert SCRIPT not in body, (endpoint, fields)
        if first.status_code >= 400:
            assert _counts(app) == before, (endpoint, response.status_code, fields)

    post_hostile()
