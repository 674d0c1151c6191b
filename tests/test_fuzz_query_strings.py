"""Hostile query strings and URL ids to every page: whatever is typed in the address bar, a page, a
translated message or a 400/404, never a 500.

The pages are found in ``app.url_map`` (every GET route); each is asked for by the roles of
organization A, which owns every object of the world (see tests/route_access.py), and the public
ones by nobody signed in, with the URL's ids of those objects and absurd ones, and query strings
made of the parameters the page reads.
The parameters each page reads are declared in ``PARAMETERS``;
``test_every_query_parameter_read_in_the_code_is_declared`` fails when code reads one that is not.
"""
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.route_access import PUBLIC_ENDPOINTS, build_world, sign_in, url_for_rule

ROOT = Path(__file__).resolve().parent.parent
ENTERPRISE_FILTERS = ("q", "stage", "region", "legal_form", "organization", "coach", "sort", "columns")
REPORT_FILTERS = ("date_from", "date_to", "organization", "region", "empty_rows")
# Endpoint -> the query parameters its view (and what it renders) reads.
PARAMETERS = {
    "auth.login": ("next",),
    "enterprises.index": (*ENTERPRISE_FILTERS, "page"),
    "enterprises.detail": ("timeline", "sessions"),
    "reports.enterprises_csv": ENTERPRISE_FILTERS,
    "reports.enterprises_xlsx": ENTERPRISE_FILTERS,
    "reports.dashboard": REPORT_FILTERS,
    "reports.funder_report": REPORT_FILTERS,
    "reports.funder_xlsx": REPORT_FILTERS,
    "reports.report_pack": (*REPORT_FILTERS, "period"),
    "reports.report_pack_xlsx": (*REPORT_FILTERS, "period"),
    "reminders.reminders_list": ("state", "kind", "organization_id", "page"),
    "cohorts.list_cohorts": ("status", "kind", "page"),
    "cohorts.cohort_page": ("q",),
    "cohorts.month": ("month",),
    "cohorts.week": ("date",),
    "cohorts.attendance": ("all",),
    "imports.index": ("page",),
    "admin.users": ("page",),
    "privacy.index": ("q", "page"),
    "privacy.access_log": ("user", "action", "start", "end", "page"),
    "privacy.incidents": ("page",),
    "events.public_list": ("region", "kind", "organization", "page", "embed"),
    "events.public_event": ("embed",),
    "events.register": ("embed",),
    "events.registered": ("embed",),
    "events.registration_page": ("embed",),
    "events.confirm_address": ("embed",),
    "events.manage_list": ("status", "page"),
    "events.registrations": ("status", "match", "attended", "q", "page"),
    "events.export_registrations": ("status", "match", "attended", "q"),
    "events.check_in": ("q",),
    "referrals.index": ("box", "page"),
    "workqueue.board": ("who",),
}
# Read by every page, or meaningful to url_for() when a template passes the query string along.
EVERYWHERE = ("page", "per_page", "_scheme", "_external", "_anchor", "_method", "endpoint", "next", "lang")
SKIPPED = {"static", "auth.logout"}

HUGE = ["9" * 30, str(2**63), str(2**31), "-" + "9" * 30, "-1", "0", "1e309", "NaN"]
DATES = ["9999-12-31", "0001-01-01", "9999-12", "0001-01", "10000-01-01", "2026-02-30", "0000-00-00"]
HOSTILE = [*HUGE, *DATES, "", " ", "\x00", "a\x00b", "²", "١٢٣", "１２", "\u202e", "\ud7ff", "e\u0301",
           "%00", "x" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "//evil.example", "javascript:alert(1)",
           "true", "None", "[]", "https", "all"]
# Sent to each parameter a page reads, one at a time; the first three to all of EVERYWHERE at once.
SHARP = ["9" * 30, "9999-12-31", "\x00", str(2**63), "-" + "9" * 30, "0001-01-01"]
ABSURD_IDS = [2**31, 10**30]  # beyond PostgreSQL's integer, and SQLite's
ROLES = ("admin", "manager", "coach", "anonymous")  # anonymous: the public pages only

value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20), st.integers().map(str),
                  st.dates().map(str))


def _pages(app):
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in SKIPPED]


def _status(client, url, query) -> int | str:
    """The answer's status; an exception, which the test app lets through, would be a 500 in service."""
    try:
        response = client.get(url, query_string=query)
        response.get_data()  # streamed downloads run to the end inside the request
        response.close()
    except Exception as error:  # noqa: BLE001 - any exception is what the test looks for
        return f"{type(error).__name__}: {str(error)[:120]}"
    return response.status_code


@pytest.mark.database_independent
def test_every_query_parameter_read_in_the_code_is_declared():
    read = set()
    for path in (ROOT / "crm").rglob("*.py"):
        read |= set(re.findall(r"request\.args\.get\(\s*[\"'](\w+)[\"']", path.read_text(encoding="utf-8")))
    declared = {name for names in PARAMETERS.values() for name in names} | set(EVERYWHERE)
    assert read - declared == set(), "declare these query parameters in PARAMETERS"


@pytest.mark.parametrize("role", ROLES)
def test_no_query_string_or_url_id_answers_a_500(app, client, auth, make, role):
    world = build_world(app, make)
    sign_in(client, auth, world, role)
    failures = []

    def check(url, query):
        status = _status(client, url, query)
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{status} {url} {query!r}")

    for rule in _pages(app):
        if role == "anonymous" and rule.endpoint not in PUBLIC_ENDPOINTS:
            continue
        url = url_for_rule(rule, world.ids)
        names = PARAMETERS.get(rule.endpoint, ())
        if role in ("admin", "anonymous"):  # who sees every page: each parameter alone, at its sharpest
            for sharp in SHARP:
                for name in names:
                    check(url, [(name, sharp)])
            for sharp in SHARP[:3]:
                check(url, [(name, sharp) for name in EVERYWHERE])
            for name in re.findall(r"<int(?:\([^)]*\))?:(\w+)>", rule.rule):
                for absurd in ABSURD_IDS:
                    check(rule.build({**{a: world.ids[a] for a in rule.arguments}, name: absurd},
                                     append_unknown=False)[1], [])
        _fuzz(client, url, sorted({*names, *EVERYWHERE}), failures, examples=4 if role == "admin" else 3)
    assert not failures, f"as {role}:\n" + "\n".join(failures[:80])


def _fuzz(client, url, names, failures, *, examples):
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(query=st.lists(st.tuples(st.sampled_from(names), value), min_size=1, max_size=8))
    def get_hostile(query):
        status = _status(client, url, query)
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{status} {url} {query!r}")

    get_hostile()
