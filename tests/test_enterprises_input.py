"""Input as people type it: bookmarked filter addresses and decimals written the French way."""
from tests.cohorts_helpers import make_cohort
from tests.conftest import post_form
from tests.enterprises_helpers import post_prefixed, world  # noqa: F401 - fixture


def test_a_bookmarked_list_address_with_one_filter_is_understood(client, auth, make, world):  # noqa: F811
    make.enterprise(world.org, name="Coop de l'Estrie", region_code="05")
    make.enterprise(world.org, name="Coop de Montréal", region_code="06")
    auth.sign_in(world.manager)
    page = client.get("/enterprises?region=05").get_data(as_text=True)
    assert "ont été ignorés" not in page and "pas un choix valide" not in page
    assert "Coop de l&#39;Estrie" in page and "Coop de Montréal" not in page


def test_a_duration_typed_with_a_comma_is_recorded(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.coach)
    path = f"/enterprises/{enterprise.id}"
    for typed, shown in [("1,5", "1,5 h"), (" 2,25 ", "2,25 h"), ("0.75", "0,75 h")]:
        response = post_prefixed(client, f"{path}/activities", "activity", {
            "kind": "meeting", "occurred_on": "2026-01-05", "duration_hours": typed, "body": f"Durée {typed}",
            "is_coaching": "y"}, page=path)
        assert response.status_code == 302, typed
        assert shown in client.get(path).get_data(as_text=True)
    refused = post_prefixed(client, f"{path}/activities", "activity", {
        "kind": "meeting", "occurred_on": "2026-01-05", "duration_hours": "une heure", "body": "x"}, page=path)
    assert refused.status_code == 400 and "id=\"activity-duration_hours-error\"" in refused.get_data(as_text=True)


def test_a_nul_character_pasted_into_a_form_is_dropped_not_a_crash(app, client, auth, make, world):  # noqa: F811
    """PostgreSQL refuses NUL in text: the form data is cleaned of it (found by the fuzz test)."""
    from sqlalchemy import select

    from crm.enterprises.models import Activity
    from crm.extensions import db

    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.coach)
    path = f"/enterprises/{enterprise.id}"
    response = post_prefixed(client, f"{path}/activities", "activity", {
        "kind": "note", "occurred_on": "2026-01-05", "body": "Appel\x00 fait"}, page=path)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Activity.body).where(Activity.enterprise_id == enterprise.id)) == "Appel fait"
    assert client.get("/enterprises?q=co%00op").status_code == 200


def test_digits_that_are_not_ascii_are_refused_without_a_crash(app, client, auth, make, world):  # noqa: F811
    """« ² » or « ١ » pass str.isdigit() but not int(): ignored filters, refused ids, never a 500."""
    make.enterprise(world.org, name="Toujours là")
    auth.sign_in(world.admin)
    for query in ("organization=²", "coach=١٢", "organization=１"):
        response = client.get("/enterprises?" + query)
        assert response.status_code == 200 and "Toujours là" in response.get_data(as_text=True), query
    cohort_id = make_cohort(app, world.org)
    response = post_form(client, f"/cohorts/{cohort_id}/members", {"enterprise_id": "²"}, page=f"/cohorts/{cohort_id}")
    assert response.status_code == 400
