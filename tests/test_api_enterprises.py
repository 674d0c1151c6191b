"""Enterprises through the API: the list page's filters and search, keyset pages that stay stable
while rows are added, ETag / If-Match on update (428, 412), audit under the token's owner."""
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.api_helpers import bearer, personal_token, service_token


def _ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["items"]]


def test_filters_and_search_are_the_list_pages(app, client, make):
    organization = make.organization()
    manager = make.user("manager", organization)
    coach = make.user("coach", organization)
    a = make.enterprise(organization, name="Atelier Éco", city="Québec", region_code="03", coach=coach)
    b = make.enterprise(organization, name="Boulangerie Solidaire", region_code="05", stage="training")
    c = make.enterprise(organization, name="Coop Éco-Mobilité", legal_form="obnl", region_code="05")
    make.enterprise(make.organization(), name="Ailleurs Éco")
    headers = bearer(personal_token(app, manager))
    assert _ids(client.get("/api/v1/enterprises", headers=headers)) == [a.id, b.id, c.id]
    assert _ids(client.get("/api/v1/enterprises?q=eco", headers=headers)) == [a.id, c.id]
    assert _ids(client.get("/api/v1/enterprises?stage=training&stage=completed", headers=headers)) == [b.id]
    assert _ids(client.get("/api/v1/enterprises?region=05&legal_form=obnl", headers=headers)) == [c.id]
    assert _ids(client.get(f"/api/v1/enterprises?coach={coach.id}", headers=headers)) == [a.id]
    assert _ids(client.get("/api/v1/enterprises?coach=none", headers=headers)) == [b.id, c.id]
    refused = client.get(f"/api/v1/enterprises?organization={organization.id + 1}", headers=headers)
    assert refused.status_code == 400 and refused.json["errors"][0]["field"] == "organization"
    item = client.get("/api/v1/enterprises?q=boulangerie", headers=headers).json["items"][0]
    assert item == {"id": b.id, "name": "Boulangerie Solidaire", "neq": None, "legal_form": "coop_work",
                    "region_code": "05", "city": "Sherbrooke", "stage": "training",
                    "organization_id": organization.id, "coach_id": None, "last_activity_at": item["last_activity_at"],
                    "version": item["version"]}


def test_the_programme_office_narrows_to_one_organization(app, client, make):
    first, second = make.organization(), make.organization()
    one, two = make.enterprise(first), make.enterprise(second)
    headers = bearer(personal_token(app, make.user("admin")))
    assert set(_ids(client.get("/api/v1/enterprises", headers=headers))) == {one.id, two.id}
    assert _ids(client.get(f"/api/v1/enterprises?organization={second.id}", headers=headers)) == [two.id]


def test_cursor_pages_stay_stable_while_rows_are_added(app, client, make):
    organization = make.organization()
    headers = bearer(personal_token(app, make.user("manager", organization)))
    names = ["Bleuet", "Cèdre", "Érable", "Frêne", "Hêtre", "Mélèze", "Noyer", "Orme", "Pin", "Saule"]
    created = {name: make.enterprise(organization, name=f"Coop {name}").id for name in names}
    first = client.get("/api/v1/enterprises?limit=4", headers=headers)
    seen = _ids(first)
    make.enterprise(organization, name="Coop Aulne")  # sorts before the cursor: not in the next pages
    make.enterprise(organization, name="Coop Tilleul")  # after it: in a later page, once
    cursor = first.json["next_cursor"]
    while cursor:
        page = client.get("/api/v1/enterprises", query_string={"limit": 4, "cursor": cursor}, headers=headers)
        seen += _ids(page)
        cursor = page.json["next_cursor"]
    expected = [created[name] for name in names]
    assert seen[:len(expected)] == expected and len(seen) == len(set(seen)) == len(expected) + 1
    for bad in ("nope", "W10", "WyJhIiwtMV0", "WyJhIiwgOTk5OTk5OTk5OTk5OTk5XQ"):
        response = client.get("/api/v1/enterprises", query_string={"cursor": bad}, headers=headers)
        assert response.status_code == 400 and response.json["errors"][0]["field"] == "cursor", bad


def test_detail_create_and_update_with_etags(app, client, make):
    organization = make.organization()
    coach = make.user("coach", organization)
    headers = bearer(personal_token(app, coach), "en")
    created = client.post("/api/v1/enterprises", headers=headers, json={
        "name": "Coop du Fjord", "legal_form": "coop_solidarity", "region_code": "02", "city": "Saguenay",
        "neq": "1234 567 890", "postal_code": "g7h 1a1", "website": "fjord.example.org"})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["coach_id"] == coach.id and body["organization_id"] == organization.id and body["stage"] == "identified"
    assert body["neq"] == "1234567890" and body["postal_code"] == "G7H 1A1" and body["website"] == "https://fjord.example.org"
    assert created.headers["Location"].endswith(f"/api/v1/enterprises/{body['id']}")
    url, etag = f"/api/v1/enterprises/{body['id']}", created.headers["ETag"]
    read = client.get(url, headers=headers)
    assert read.status_code == 200 and read.headers["ETag"] == etag and read.json == body

    no_precondition = client.patch(url, headers=headers, json={"city": "Chicoutimi"})
    assert no_precondition.status_code == 428 and no_precondition.json["status"] == 428
    changed = client.patch(url, headers={**headers, "If-Match": etag}, json={"city": "Chicoutimi", "sector": None})
    assert changed.status_code == 200 and changed.json["city"] == "Chicoutimi"
    assert changed.headers["ETag"] != etag
    stale = client.patch(url, headers={**headers, "If-Match": etag}, json={"city": "Jonquière"})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    emptied = client.patch(url, headers={**headers, "If-Match": changed.headers["ETag"]}, json={"name": None})
    assert emptied.status_code == 422 and emptied.json["errors"][0]["field"] == "name"
    duplicate = client.post("/api/v1/enterprises", headers=headers, json={
        "name": "Autre", "legal_form": "obnl", "region_code": "02", "city": "Alma", "neq": "1234567890"})
    assert duplicate.status_code == 409 and duplicate.json["errors"][0]["field"] == "neq"
    with app.app_context():
        enterprise = db.session.get(Enterprise, body["id"])
        assert enterprise.city == "Chicoutimi"
        actions = db.session.execute(select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.context)
                                     .where(AuditEntry.entity_type == "enterprises",
                                            AuditEntry.entity_id == enterprise.id).order_by(AuditEntry.id)).all()
    assert [(a, actor) for a, actor, _context in actions] == [("create", coach.id), ("update", coach.id)]
    assert actions[0].context["api_token"]


def test_a_service_tokens_writes_are_audited_under_the_person_who_made_it(app, client, make):
    organization = make.organization()
    admin = make.user("admin")
    headers = bearer(service_token(app, organization, admin))
    created = client.post("/api/v1/enterprises", headers=headers, json={
        "name": "Coop Service", "legal_form": "obnl", "region_code": "06", "city": "Montréal"})
    assert created.status_code == 201 and created.json["organization_id"] == organization.id
    assert created.json["coach_id"] is None
    with app.app_context():
        actor = db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.entity_type == "enterprises"))
    assert actor == admin.id


def test_another_organizations_enterprise_does_not_exist(app, client, make):
    mine, theirs = make.organization(), make.organization()
    enterprise = make.enterprise(theirs)
    headers = bearer(personal_token(app, make.user("manager", mine)))
    assert client.get(f"/api/v1/enterprises/{enterprise.id}", headers=headers).status_code == 404
    patched = client.patch(f"/api/v1/enterprises/{enterprise.id}", headers={**headers, "If-Match": "*"},
                           json={"city": "Ailleurs"})
    assert patched.status_code == 404
