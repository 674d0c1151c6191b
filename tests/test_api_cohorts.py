"""Cohorts and memberships through the API: the cohort pages' rules (an organization's cohorts, and
those one facilitates), the list's filters and keyset pages, enrolling and leaving through the
services (all or none, capacity, audit under the token's owner)."""
from datetime import date

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.extensions import db
from tests.api_helpers import bearer, personal_token, service_token
from tests.cohorts_helpers import make_cohort


def test_the_list_filters_pages_and_shows_what_the_pages_show(app, client, make):
    mine, theirs = make.organization(), make.organization()
    coach, outsider_coach = make.user("coach", mine), make.user("coach", theirs)
    members = [make.enterprise(mine) for _ in range(2)]
    ids = [make_cohort(app, mine, name=f"Cohorte {n}", start=date(2027, 1 + n, 1), end=date(2027, 12, 20),
                       enterprises=members if n == 0 else (), kind="training" if n % 2 else "coaching_collective")
           for n in range(5)]
    facilitated = make_cohort(app, theirs, name="Cohorte animée", facilitators=[coach])
    hidden = make_cohort(app, theirs, name="Cohorte cachée", facilitators=[outsider_coach])
    headers = bearer(personal_token(app, coach), "en")
    first = client.get("/api/v1/cohorts?limit=3", headers=headers).json
    second = client.get("/api/v1/cohorts", query_string={"limit": 3, "cursor": first["next_cursor"]},
                        headers=headers).json
    listed = [c["id"] for c in first["items"] + second["items"]]
    assert listed == [facilitated, *reversed(ids)] and second["next_cursor"] is None
    assert {c["id"]: c["members"] for c in first["items"] + second["items"]}[ids[0]] == 2
    training = client.get("/api/v1/cohorts?kind=training", headers=headers).json["items"]
    assert [c["id"] for c in training] == [ids[3], ids[1]]
    assert client.get("/api/v1/cohorts?status=someday", headers=headers).status_code == 400
    assert client.get("/api/v1/cohorts?cursor=abc", headers=headers).json["type"].endswith("invalid-cursor")
    detail = client.get(f"/api/v1/cohorts/{facilitated}", headers=headers)
    assert detail.status_code == 200 and detail.json["facilitator_ids"] == [coach.id]
    assert client.get(f"/api/v1/cohorts/{hidden}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/cohorts/{hidden}/memberships", headers=headers).status_code == 404
    memberships = client.get(f"/api/v1/cohorts/{ids[0]}/memberships", headers=headers).json["items"]
    assert sorted(m["enterprise_id"] for m in memberships) == sorted(e.id for e in members)
    assert all(m["left_on"] is None and m["present"] == 0 for m in memberships)


def test_enrol_and_leave_with_the_services_rules(app, client, make):
    organization, other = make.organization(), make.organization()
    manager, coach = make.user("manager", organization), make.user("coach", organization)
    cohort = make_cohort(app, organization, capacity=2, start=date(2027, 9, 1))
    mine = [make.enterprise(organization) for _ in range(3)]
    elsewhere = make.enterprise(other)
    headers = bearer(personal_token(app, manager), "en")
    url = f"/api/v1/cohorts/{cohort}/memberships"
    hidden = client.post(url, headers=headers, json={"enterprise_ids": [mine[0].id, elsewhere.id]})
    assert hidden.status_code == 422 and str(elsewhere.id) in hidden.json["errors"][0]["message"]
    full = client.post(url, headers=headers, json={"enterprise_ids": [e.id for e in mine]})
    assert full.status_code == 422 and full.json["errors"][0]["field"] == "enterprise_ids"
    joined = client.post(url, headers=headers, json={"enterprise_ids": [mine[0].id], "move_stage": True})
    assert joined.status_code == 201 and joined.json == {"added": [mine[0].id], "already_members": []}
    again = client.post(url, headers=headers, json={"enterprise_ids": [mine[0].id, mine[1].id]})
    assert again.status_code == 201 and again.json == {"added": [mine[1].id], "already_members": [mine[0].id]}
    nothing = client.post(url, headers=headers, json={"enterprise_ids": [mine[0].id]})
    assert nothing.status_code == 200 and nothing.json["added"] == []
    assert client.post(url, headers=headers, json={"enterprise_ids": []}).status_code == 422
    coach_headers = bearer(personal_token(app, coach))
    assert client.post(url, headers=coach_headers, json={"enterprise_ids": [mine[2].id]}).status_code == 403
    memberships = client.get(url, headers=headers).json["items"]
    membership = next(m for m in memberships if m["enterprise_id"] == mine[0].id)
    leave = f"{url}/{membership['id']}/leave"
    assert client.post(leave, headers=coach_headers, json={"left_on": "2027-10-01"}).status_code == 403
    early = client.post(leave, headers=headers, json={"left_on": "2026-01-01"})
    assert early.status_code == 422 and early.json["errors"][0]["field"] == "left_on"
    left = client.post(leave, headers=headers, json={"left_on": "2027-10-01"})
    assert left.status_code == 200 and left.json["left_on"] == "2027-10-01"
    assert client.post(leave, headers=headers, json={"left_on": "2027-10-02"}).status_code == 422
    other_cohort = make_cohort(app, organization, name="Autre")
    assert client.post(f"/api/v1/cohorts/{other_cohort}/memberships/{membership['id']}/leave", headers=headers,
                       json={"left_on": "2027-10-01"}).status_code == 404
    with app.app_context():
        audited = db.session.execute(select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.enterprise_id)
                                     .where(AuditEntry.action.in_(("join_cohort", "leave_cohort", "stage_change")))
                                     .order_by(AuditEntry.id)).all()
    assert [row.action for row in audited] == ["join_cohort", "join_cohort", "leave_cohort"]
    assert {row.actor_id for row in audited} == {manager.id}


def test_a_service_token_manages_its_organizations_cohorts_only(app, client, make):
    organization, other = make.organization(), make.organization()
    admin = make.user("admin")
    enterprise = make.enterprise(organization)
    ours, theirs = make_cohort(app, organization), make_cohort(app, other)
    headers = bearer(service_token(app, organization, admin))
    enrolled = client.post(f"/api/v1/cohorts/{ours}/memberships", headers=headers,
                           json={"enterprise_ids": [enterprise.id]})
    assert enrolled.status_code == 201
    assert client.post(f"/api/v1/cohorts/{theirs}/memberships", headers=headers,
                       json={"enterprise_ids": [enterprise.id]}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "join_cohort")) == admin.id
