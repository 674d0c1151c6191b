"""What people (or scanners) type in the address bar: page numbers, dates and ids beyond what a list,
a calendar or a table holds get a page, a translated message or a 404, never a 500."""
import pytest

from tests.route_access import build_world, sign_in

HUGE = "9" * 25  # OverflowError on SQLite, "bigint out of range" on PostgreSQL


@pytest.fixture
def admin_client(app, client, auth, make):
    world = build_world(app, make)
    sign_in(client, auth, world, "admin")
    client.world = world
    return client


@pytest.mark.parametrize("path", ["/cohorts", "/reminders", "/imports/", "/admin/users", "/privacy/admin/?q=Monde",
                                  "/privacy/admin/access-log", "/privacy/admin/incidents", "/enterprises"])
def test_a_page_number_beyond_any_list_is_not_found(admin_client, path):
    joiner = "&" if "?" in path else "?"
    for page in (HUGE, str(2**63), "100001"):
        assert admin_client.get(f"{path}{joiner}page={page}").status_code == 404, page
    for page in ("-5", "0", "abc", "١٢٣"):  # not a page number: the first page
        assert admin_client.get(f"{path}{joiner}page={page}").status_code in (200, 400), page


def test_a_page_beyond_the_last_shows_the_last_page(admin_client):
    response = admin_client.get("/cohorts?page=7")
    assert response.status_code == 200 and "Cohorte A" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/reports/?date_from=0001-01-01", "/reports/?date_to=9999-12-31",
                                 "/reports/funder?date_from=0001-01-01&date_to=9999-12-31",
                                 "/reports/funder.xlsx?date_to=9999-12-31",
                                 "/privacy/admin/access-log?end=9999-12-31",
                                 "/privacy/admin/access-log?start=0001-01-01"])
def test_a_date_beyond_the_supported_years_gets_a_translated_message(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "Saisissez une date entre 1900 et 2199." in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_a_week_beyond_the_calendar_is_not_found(admin_client, day):
    assert admin_client.get(f"/calendar/week?date={day}").status_code == 404
    assert admin_client.get(f"/calendar/month?month={day[:7]}").status_code == 404


def test_the_calendar_shows_its_first_and_last_supported_weeks(admin_client):
    for day in ("1900-01-01", "2199-12-31"):
        assert admin_client.get(f"/calendar/week?date={day}").status_code == 200, day


@pytest.mark.parametrize("ident", [2**31, 2**63, 10**30])
def test_an_id_no_table_can_hold_is_not_found(admin_client, ident):
    ids = admin_client.world.ids
    for path in (f"/enterprises/{ident}", f"/enterprises/{ids['enterprise_id']}/contacts/{ident}/edit",
                 f"/sessions/{ident}.ics", f"/imports/{ident}/report.csv", f"/privacy/admin/contacts/{ident}"):
        assert admin_client.get(path).status_code == 404, path


def test_query_parameters_named_like_url_for_arguments_stay_plain_parameters(admin_client):
    query = "date_from=2026-01-01&endpoint=x&_scheme=javascript&_external=1&_anchor=x&_method=POST"
    page = admin_client.get(f"/reports/?{query}").get_data(as_text=True)
    assert 'href="/reports/funder?date_from=2026-01-01&amp;endpoint=x&amp;_scheme=javascript' in page
    assert "javascript:" not in page and "http://localhost/reports" not in page
