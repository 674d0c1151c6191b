"""Follow-ups through the API: listed, added (to someone of the enterprise's organization, audited
under the token's owner), closed by whoever the enterprise page lets close them."""
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.enterprises.models import FollowUpTask
from crm.extensions import db
from tests.api_helpers import bearer, personal_token, service_token


def test_add_list_and_close_follow_ups(app, client, make):
    organization, other = make.organization(), make.organization()
    coach, colleague = make.user("coach", organization), make.user("coach", organization)
    stranger = make.user("coach", other)
    enterprise = make.enterprise(organization, coach=coach)
    headers = bearer(personal_token(app, coach), "en")
    url = f"/api/v1/enterprises/{enterprise.id}/follow-ups"
    mine = client.post(url, headers=headers, json={"title": "Rappeler la DG", "due_on": "2030-01-10"})
    assert mine.status_code == 201, mine.json
    assert (mine.json["assignee_id"], mine.json["created_by_id"], mine.json["done_at"]) == (coach.id, coach.id, None)
    given = client.post(url, headers=headers, json={"title": "Envoyer l'offre", "due_on": "2030-01-05",
                                                    "assignee_id": colleague.id})
    assert given.status_code == 201 and given.json["assignee_id"] == colleague.id
    elsewhere = client.post(url, headers=headers, json={"title": "x", "due_on": "2030-01-05",
                                                        "assignee_id": stranger.id})
    assert elsewhere.status_code == 422 and elsewhere.json["errors"][0]["field"] == "assignee_id"
    bad = client.post(url, headers=headers, json={"title": "a\nb", "due_on": "2030-02-30", "extra": 1})
    assert bad.status_code == 422 and {e["field"] for e in bad.json["errors"]} == {"title", "due_on", "extra"}
    assert [t["title"] for t in client.get(url, headers=headers).json["items"]] == ["Envoyer l'offre",
                                                                                    "Rappeler la DG"]
    # The colleague may not edit the enterprise, but closes what was given to them, not the rest.
    theirs = bearer(personal_token(app, colleague), "en")
    assert client.patch(f"/api/v1/follow-ups/{mine.json['id']}", headers=theirs, json={"done": True}).status_code \
        == 403
    closed = client.patch(f"/api/v1/follow-ups/{given.json['id']}", headers=theirs, json={"done": True})
    assert closed.status_code == 200 and closed.json["done_at"] and closed.json["done_by_id"] == colleague.id
    again = client.patch(f"/api/v1/follow-ups/{given.json['id']}", headers=theirs, json={"done": True})
    assert again.status_code == 422 and again.json["detail"] == "This follow-up is already done."
    reopened = client.patch(f"/api/v1/follow-ups/{mine.json['id']}", headers=headers, json={"done": False})
    assert reopened.status_code == 422 and reopened.json["errors"][0]["field"] == "done"
    assert [t["title"] for t in client.get(f"{url}?done=false", headers=headers).json["items"]] == ["Rappeler la DG"]
    assert [t["title"] for t in client.get(f"{url}?done=true", headers=headers).json["items"]] == ["Envoyer l'offre"]
    assert client.get(f"{url}?done=maybe", headers=headers).status_code == 400
    outsider = bearer(personal_token(app, stranger))
    assert client.get(url, headers=outsider).status_code == 404
    assert client.patch(f"/api/v1/follow-ups/{mine.json['id']}", headers=outsider,
                        json={"done": True}).status_code == 404
    with app.app_context():
        audited = db.session.execute(select(AuditEntry.action, AuditEntry.actor_id).where(
            AuditEntry.entity_type == "follow_up_tasks").order_by(AuditEntry.id)).all()
        assert db.session.scalar(select(FollowUpTask.done_at).where(FollowUpTask.id == mine.json["id"])) is None
    assert audited == [("create", coach.id), ("create", coach.id), ("update", colleague.id)]


def test_a_service_token_gives_the_follow_up_to_the_enterprises_coach_and_audits_its_maker(app, client, make):
    organization = make.organization()
    admin, coach = make.user("admin"), make.user("coach", organization)
    assigned = make.enterprise(organization, coach=coach)
    unassigned = make.enterprise(organization)
    headers = bearer(service_token(app, organization, admin))
    created = client.post(f"/api/v1/enterprises/{assigned.id}/follow-ups", headers=headers,
                          json={"title": "Relancer", "due_on": "2030-01-05"})
    assert created.status_code == 201 and created.json["assignee_id"] == coach.id
    nobody = client.post(f"/api/v1/enterprises/{unassigned.id}/follow-ups", headers=headers,
                         json={"title": "Relancer", "due_on": "2030-01-05"})
    assert nobody.status_code == 422 and nobody.json["errors"][0]["field"] == "assignee_id"
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.entity_type == "follow_up_tasks")) \
            == admin.id
