"""An event's registrations through the API: the registrations page's rule (the event's
organization's managers and coaches), its filters, keyset pages, the enterprise matched shown only
to who sees it, and every read in the access log."""
from sqlalchemy import select

from crm.extensions import db
from crm.privacy.models import AccessLogEntry
from tests.api_helpers import bearer, personal_token, service_token
from tests.events_helpers import make_event, register


def test_registrations_filtered_paged_and_logged(app, client, make):
    organization, other = make.organization(), make.organization(name="Pôle secret")
    coach, outsider = make.user("coach", organization), make.user("manager", other)
    known = make.enterprise(other, name="Coop Connue", neq="1111111111")
    event_id = make_event(app, organization, capacity=2)
    register(client, event_id, neq="1111 111 111", enterprise_name="Un autre nom")  # another organization's
    for first_name, email in (("Marc", "marc@coop.example"), ("Zoé", "zoe@coop.example"),
                              ("Anne", "anne@coop.example")):
        register(client, event_id, first_name=first_name, last_name="Gagnon", email=email,
                 enterprise_name=f"Coop {first_name}", neq=None)
    headers = bearer(personal_token(app, coach), "en")
    url = f"/api/v1/events/{event_id}/registrations"
    first = client.get(f"{url}?limit=2", headers=headers).json
    second = client.get(url, query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=headers).json
    people = [(r["first_name"], r["last_name"]) for r in first["items"] + second["items"]]
    assert people == [("Anne", "Gagnon"), ("Marc", "Gagnon"), ("Zoé", "Gagnon"), ("Léa", "Tremblay")]
    assert second["next_cursor"] is None
    lea = second["items"][-1]
    assert (lea["match_status"], lea["enterprise_id"], lea["email"]) == ("neq", None, "lea@coop.example")
    assert known.id not in {r["enterprise_id"] for r in first["items"] + second["items"]}
    waiting = client.get(f"{url}?status=waiting", headers=headers).json["items"]
    assert [r["first_name"] for r in waiting] == ["Anne", "Zoé"]
    assert [r["first_name"] for r in client.get(f"{url}?q=zoe", headers=headers).json["items"]] == ["Zoé"]
    assert client.get(f"{url}?status=maybe", headers=headers).status_code == 400
    assert client.get(f"{url}?cursor=WyJhIl0", headers=headers).status_code == 400
    assert client.get(url, headers=bearer(personal_token(app, outsider))).status_code == 404
    assert client.get(f"/api/v1/events/{event_id + 1000}/registrations", headers=headers).status_code == 404
    admin = make.user("admin")
    assert client.get(url, headers=bearer(service_token(app, other, admin))).status_code == 404
    with app.app_context():
        logged = db.session.execute(select(AccessLogEntry.user_id, AccessLogEntry.action, AccessLogEntry.subject_id,
                                           AccessLogEntry.details).order_by(AccessLogEntry.id)).all()
    assert len(logged) == 4  # each answered read, not the refused ones
    assert {(row.user_id, row.action, row.subject_id) for row in logged} == {
        (coach.id, "view_event_registrations", event_id)}
    assert logged[0].details["count"] == 2 and logged[0].details["via"] == "api"


def test_the_access_log_names_the_registrations_read(app, client, auth, make):
    organization = make.organization()
    admin = make.user("admin")
    event_id = make_event(app, organization)
    register(client, event_id)
    client.get(f"/api/v1/events/{event_id}/registrations", headers=bearer(personal_token(app, make.user(
        "manager", organization))))
    auth.sign_in(admin)
    page = client.get("/privacy/admin/access-log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Viewed an event's registrations" in page or "Viewed an event&#39;s registrations" in page
