"""Contacts (with consent, every read in the access log) and the journey (stage changes,
activities) through the API."""
from datetime import date

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.contacts.models import ConsentEvent
from crm.extensions import db
from crm.privacy.models import AccessLogEntry
from tests.api_helpers import bearer, personal_token


def test_contacts_with_consent_and_every_read_logged(app, client, make):
    organization = make.organization()
    manager = make.user("manager", organization)
    enterprise = make.enterprise(organization, contacts=1)
    headers = bearer(personal_token(app, manager), "en")
    listed = client.get(f"/api/v1/enterprises/{enterprise.id}/contacts", headers=headers)
    assert listed.status_code == 200 and len(listed.json["items"]) == 1
    assert listed.json["items"][0]["email_consent"] is True
    refused = client.post(f"/api/v1/enterprises/{enterprise.id}/contacts", headers=headers, json={
        "first_name": "Léa", "email": "lea@coop.example", "email_consent": True})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "consent_source"
    bad = client.post(f"/api/v1/enterprises/{enterprise.id}/contacts", headers=headers, json={
        "first_name": "Léa", "email": "not an address", "phone": "123"})
    assert {e["field"] for e in bad.json["errors"]} == {"email", "phone"}
    created = client.post(f"/api/v1/enterprises/{enterprise.id}/contacts", headers=headers, json={
        "first_name": "Léa", "last_name": "Tremblay", "email": "Lea@Coop.example", "phone": "514 555 0199",
        "email_consent": True, "consent_source": "Formulaire papier, atelier du 3 mars"})
    assert created.status_code == 201, created.json
    contact = created.json
    assert contact["email"] == "Lea@coop.example" and contact["phone"] == "+1 514-555-0199"
    assert contact["email_consent"] is True and contact["consent_source"].startswith("Formulaire")
    url = f"/api/v1/contacts/{contact['id']}"
    read = client.get(url, headers=headers)
    assert read.status_code == 200
    assert client.patch(url, headers=headers, json={"email_consent": False}).status_code == 428
    withdrawn = client.patch(url, headers={**headers, "If-Match": read.headers["ETag"]},
                             json={"email_consent": False, "consent_source": "Courriel de la personne"})
    assert withdrawn.status_code == 200 and withdrawn.json["email_consent"] is False
    stale = client.patch(url, headers={**headers, "If-Match": read.headers["ETag"]}, json={"title": "DG"})
    assert stale.status_code == 412
    nulled = client.patch(url, headers={**headers, "If-Match": withdrawn.headers["ETag"]},
                          json={"email_consent": None, "preferred_language": None})
    assert nulled.status_code == 422
    with app.app_context():
        logged = db.session.execute(select(AccessLogEntry.user_id, AccessLogEntry.action, AccessLogEntry.subject_id,
                                           AccessLogEntry.details)).all()
        events = db.session.scalars(select(ConsentEvent.granted).where(ConsentEvent.contact_id == contact["id"])
                                    .order_by(ConsentEvent.id)).all()
    assert len(logged) == 2 and all(row.user_id == manager.id and row.action == "view_contact" for row in logged)
    assert logged[1].subject_id == contact["id"] and logged[1].details["via"] == "api"
    assert events == [True, False]


def test_stage_changes_and_activities(app, client, make):
    organization = make.organization()
    coach = make.user("coach", organization)
    enterprise = make.enterprise(organization, coach=coach)
    headers = bearer(personal_token(app, coach), "en")
    base = f"/api/v1/enterprises/{enterprise.id}"
    moved = client.post(f"{base}/stage-changes", headers=headers, json={"stage": "training"})
    assert moved.status_code == 201
    assert (moved.json["from_stage"], moved.json["to_stage"]) == ("identified", "training")
    back = client.post(f"{base}/stage-changes", headers=headers, json={"stage": "awareness"})
    assert back.status_code == 422 and back.json["errors"][0]["field"] == "comment"
    assert [c["to_stage"] for c in client.get(f"{base}/stage-changes", headers=headers).json["items"]] == \
        ["training", "identified"]
    future = client.post(f"{base}/activities", headers=headers, json={"occurred_on": "2199-01-01", "body": "x"})
    assert future.status_code == 422 and future.json["errors"][0]["field"] == "occurred_on"
    coaching = client.post(f"{base}/activities", headers=headers, json={
        "occurred_on": "2026-01-05", "body": "Séance", "is_coaching": True})
    assert coaching.status_code == 422 and coaching.json["errors"][0]["field"] == "duration_minutes"
    for day in range(1, 6):
        created = client.post(f"{base}/activities", headers=headers, json={
            "kind": "meeting", "occurred_on": date(2026, 1, day).isoformat(), "body": f"Rencontre {day}",
            "is_coaching": True, "duration_minutes": 90})
        assert created.status_code == 201
    first = client.get(f"{base}/activities?limit=3", headers=headers).json
    second = client.get(f"{base}/activities", query_string={"limit": 3, "cursor": first["next_cursor"]},
                        headers=headers).json
    assert [a["body"] for a in first["items"] + second["items"]] == [f"Rencontre {d}" for d in range(5, 0, -1)]
    assert second["next_cursor"] is None
    with app.app_context():
        actors = set(db.session.scalars(select(AuditEntry.actor_id).where(AuditEntry.enterprise_id == enterprise.id,
                                                                          AuditEntry.action != "create")))
    assert actors == {coach.id}


def test_the_dashboards_funnel(app, client, make):
    mine, theirs = make.organization(), make.organization()
    make.enterprise(mine, stage="training")
    make.enterprise(mine, stage="awareness")
    make.enterprise(mine)
    make.enterprise(theirs, stage="completed")
    manager = client.get("/api/v1/dashboard", headers=bearer(personal_token(app, make.user("manager", mine)), "en"))
    assert manager.status_code == 200
    figures = manager.json
    assert (figures["enterprises"], figures["organization_id"]) == (3, mine.id)
    assert [(step["label"], step["count"]) for step in figures["funnel"]][:3] == \
        [("Identified", 3), ("Awareness", 2), ("Training", 1)]
    assert {s["stage"]: s["now"] for s in figures["stages"]}["training"] == 1
    admin = bearer(personal_token(app, make.user("admin")), "fr")
    everyone = client.get("/api/v1/dashboard", headers=admin).json
    assert everyone["enterprises"] == 4 and everyone["funnel"][0]["label"] == "Identifiée"
    assert client.get(f"/api/v1/dashboard?organization={theirs.id}", headers=admin).json["completed"] == 1
    reversed_period = client.get("/api/v1/dashboard?date_from=2026-02-01&date_to=2026-01-01", headers=admin)
    assert reversed_period.status_code == 400 and reversed_period.json["errors"][0]["field"] == "date_to"
