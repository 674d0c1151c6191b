"""Sessions and attendance through the API: the calendar's rule for the list (by Québec days, keyset
pages), the session pages' rules for planning (a cohort's managers; an enterprise's editors) and
running (facilitators: change, reschedule, cancel, attendance), the services' refusals as 422, the
contacts of an attendance sheet in the access log, the audit under the token's owner."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.cohorts.models import SessionChange
from crm.db import utcnow
from crm.extensions import db
from crm.privacy.models import AccessLogEntry
from tests.api_helpers import bearer, personal_token
from tests.cohorts_helpers import make_cohort, make_session


def _world(app, make):
    organization, other = make.organization(), make.organization()
    manager, coach = make.user("manager", organization), make.user("coach", organization)
    enterprise = make.enterprise(organization, coach=coach, contacts=2)
    cohort = make_cohort(app, organization, facilitators=[coach], enterprises=[enterprise], start=date(2027, 9, 1),
                         end=date(2027, 12, 20))
    return organization, other, manager, coach, enterprise, cohort


def test_plan_change_reschedule_and_cancel(app, client, make):
    organization, other, manager, coach, enterprise, cohort = _world(app, make)
    stranger = make.user("coach", other)
    headers, coach_headers = bearer(personal_token(app, manager), "en"), bearer(personal_token(app, coach), "en")
    plan = f"/api/v1/cohorts/{cohort}/sessions"
    naive = client.post(plan, headers=headers, json={"title": "Atelier", "starts_at": "2027-10-14T09:00:00",
                                                     "ends_at": "2027-10-14T12:00:00"})
    assert naive.status_code == 422 and "offset" in naive.json["errors"][0]["message"]
    outside = client.post(plan, headers=headers, json={"title": "Atelier", "starts_at": "2028-01-14T09:00:00-05:00",
                                                       "ends_at": "2028-01-14T12:00:00-05:00"})
    assert outside.status_code == 422 and outside.json["errors"][0]["field"] == "start_date"
    backwards = client.post(plan, headers=headers, json={"title": "Atelier", "starts_at": "2027-10-14T09:00:00-04:00",
                                                         "ends_at": "2027-10-14T08:00:00-04:00"})
    assert backwards.status_code == 422
    foreign = client.post(plan, headers=headers, json={"title": "Atelier", "starts_at": "2027-10-14T09:00:00-04:00",
                                                       "ends_at": "2027-10-14T12:00:00-04:00",
                                                       "facilitator_id": stranger.id})
    assert foreign.status_code == 422 and foreign.json["errors"][0]["field"] == "facilitator_id"
    assert client.post(plan, headers=coach_headers, json={}).status_code == 403
    planned = client.post(plan, headers=headers, json={"title": "Atelier", "starts_at": "2027-10-14T09:00:00-04:00",
                                                       "ends_at": "2027-10-14T12:00:00-04:00"})
    assert planned.status_code == 201, planned.json
    session = planned.json
    assert (session["starts_at"], session["duration_minutes"]) == ("2027-10-14T13:00:00Z", 180)
    assert (session["facilitator_id"], session["mode"], session["cohort_id"]) == (coach.id, "virtual", cohort)
    url = f"/api/v1/sessions/{session['id']}"
    read = client.get(planned.headers["Location"], headers=coach_headers)
    assert read.json["title"] == "Atelier" and read.headers["ETag"] == planned.headers["ETag"]
    assert client.patch(url, headers=coach_headers, json={"title": "Atelier 1"}).status_code == 428
    version = {**coach_headers, "If-Match": read.headers["ETag"]}
    changed = client.patch(url, headers=version, json={"title": "Atelier 1", "place": None, "agenda": "Plan"})
    assert changed.status_code == 200 and (changed.json["title"], changed.json["sequence"]) == ("Atelier 1", 1)
    stale = client.patch(url, headers=version, json={"agenda": "Autre plan"})
    assert stale.status_code == 412 and stale.json["type"].endswith("changed-meanwhile")
    current = {**coach_headers, "If-Match": changed.headers["ETag"]}
    assert client.patch(url, headers=current, json={"title": None}).status_code == 422
    moved = client.post(f"{url}/reschedule", headers=coach_headers, json={
        "starts_at": "2027-10-15T09:00:00-04:00", "ends_at": "2027-10-15T11:00:00-04:00", "reason": "Salle prise"})
    assert moved.status_code == 200 and moved.json["starts_at"] == "2027-10-15T13:00:00Z"
    same = client.post(f"{url}/reschedule", headers=coach_headers, json={
        "starts_at": "2027-10-15T13:00:00Z", "ends_at": "2027-10-15T15:00:00Z"})
    assert same.status_code == 422
    cancelled = client.post(f"{url}/cancel", headers=coach_headers, json={"reason": "Grève"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.post(f"{url}/cancel", headers=coach_headers, json={}).status_code == 422
    assert client.patch(url, headers={**coach_headers, "If-Match": cancelled.headers["ETag"]},
                        json={"title": "x"}).status_code == 422
    assert client.get(url, headers=bearer(personal_token(app, stranger))).status_code == 404
    with app.app_context():
        kinds = db.session.scalars(select(SessionChange.kind).where(SessionChange.session_id == session["id"])
                                   .order_by(SessionChange.id)).all()
        actors = db.session.execute(select(AuditEntry.action, AuditEntry.actor_id).where(
            AuditEntry.entity_type == "sessions", AuditEntry.entity_id == session["id"])
            .order_by(AuditEntry.id)).all()
    assert kinds == ["created", "updated", "rescheduled", "cancelled"]
    assert actors == [("create", manager.id), ("update", coach.id), ("reschedule", coach.id), ("cancel", coach.id)]


def test_an_individual_session_is_planned_by_who_edits_the_enterprise(app, client, make):
    organization, _other, _manager, coach, enterprise, _cohort = _world(app, make)
    colleague = make.user("coach", organization)
    body = {"title": "Accompagnement", "starts_at": "2027-10-14T09:00:00-04:00", "ends_at": "2027-10-14T10:30:00-04:00",
            "meeting_url": "https://meet.example.org/abc"}
    url = f"/api/v1/enterprises/{enterprise.id}/sessions"
    assert client.post(url, headers=bearer(personal_token(app, colleague)), json=body).status_code == 403
    planned = client.post(url, headers=bearer(personal_token(app, coach)), json=body)
    assert planned.status_code == 201
    assert (planned.json["enterprise_id"], planned.json["facilitator_id"], planned.json["mode"]) == (
        enterprise.id, coach.id, "in_person")


def test_the_list_by_days_and_pages(app, client, make):
    organization, other, manager, coach, enterprise, cohort = _world(app, make)
    ids = [make_session(app, cohort_id=cohort, day=date(2027, 10, day), title=f"S{day}") for day in range(1, 6)]
    theirs = make_session(app, cohort_id=make_cohort(app, other, start=date(2027, 9, 1)), day=date(2027, 10, 2))
    individual = make_session(app, enterprise_id=enterprise.id, day=date(2027, 10, 3))
    headers = bearer(personal_token(app, coach), "en")
    first = client.get("/api/v1/sessions", query_string={"date_from": "2027-10-02", "date_to": "2027-10-04",
                                                         "limit": 2}, headers=headers).json
    second = client.get("/api/v1/sessions", query_string={"date_from": "2027-10-02", "date_to": "2027-10-04",
                                                          "limit": 2, "cursor": first["next_cursor"]},
                        headers=headers).json
    listed = [s["id"] for s in first["items"] + second["items"]]
    assert sorted(listed) == sorted([ids[1], individual, ids[2], ids[3]]) and theirs not in listed
    assert second["next_cursor"] is None
    assert [s["id"] for s in client.get(f"/api/v1/sessions?enterprise={enterprise.id}",
                                        headers=headers).json["items"]] == [individual]
    assert len(client.get(f"/api/v1/sessions?cohort={cohort}", headers=headers).json["items"]) == 5
    reversed_days = client.get("/api/v1/sessions?date_from=2027-10-05&date_to=2027-10-01", headers=headers)
    assert reversed_days.status_code == 400 and reversed_days.json["errors"][0]["field"] == "date_to"
    assert client.get("/api/v1/sessions?date_from=2027-13-01", headers=headers).status_code == 400


def test_attendance_is_read_and_recorded_by_who_runs_the_session(app, client, make):
    organization, _other, manager, coach, enterprise, cohort = _world(app, make)
    colleague = make.user("coach", organization)
    today = utcnow().date()
    held = make_cohort(app, organization, facilitators=[coach], enterprises=[enterprise], name="En cours",
                       start=today - timedelta(days=10), end=today + timedelta(days=10))
    past = make_session(app, cohort_id=held, day=today - timedelta(days=2), facilitator=coach)
    future = make_session(app, cohort_id=cohort, facilitator=coach)
    headers = bearer(personal_token(app, coach), "en")
    assert client.get(f"/api/v1/sessions/{past}/attendance",
                      headers=bearer(personal_token(app, colleague))).status_code == 403
    sheet = client.get(f"/api/v1/sessions/{past}/attendance", headers=headers)
    assert sheet.status_code == 200 and sheet.json["taken_at"] is None
    (line,) = sheet.json["items"]
    assert (line["enterprise_id"], line["status"], len(line["contacts"])) == (enterprise.id, None, 2)
    came = line["contacts"][0]["id"]
    early = client.put(f"/api/v1/sessions/{future}/attendance", headers=headers,
                       json={"marks": [{"enterprise_id": enterprise.id, "status": "present"}]})
    assert early.status_code == 422 and "started" in early.json["detail"]
    twice = client.put(f"/api/v1/sessions/{past}/attendance", headers=headers, json={"marks": [
        {"enterprise_id": enterprise.id, "status": "present"}, {"enterprise_id": enterprise.id, "status": "absent"}]})
    assert twice.status_code == 422 and twice.json["errors"][0]["field"] == "marks"
    stranger = make.enterprise(organization)
    assert client.put(f"/api/v1/sessions/{past}/attendance", headers=headers, json={"marks": [
        {"enterprise_id": stranger.id, "status": "present"}]}).status_code == 422
    assert client.put(f"/api/v1/sessions/{past}/attendance", headers=headers, json={"marks": [
        {"enterprise_id": enterprise.id, "status": "late"}]}).status_code == 422
    recorded = client.put(f"/api/v1/sessions/{past}/attendance", headers=headers, json={"marks": [
        {"enterprise_id": enterprise.id, "status": "present", "contact_ids": [came]}]})
    assert recorded.status_code == 200, recorded.json
    assert recorded.json["taken_at"] and recorded.json["items"][0]["status"] == "present"
    assert recorded.json["items"][0]["present_contact_ids"] == [came]
    assert recorded.json["items"][0]["recorded_by_id"] == coach.id
    with app.app_context():
        logged = db.session.execute(select(AccessLogEntry.user_id, AccessLogEntry.action, AccessLogEntry.details)
                                    .order_by(AccessLogEntry.id)).all()
        audited = db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "attendance"))
    assert len(logged) == 4 and {(row.user_id, row.action) for row in logged} == {(coach.id, "view_contact")}
    assert all(row.details["via"] == "api" and row.details["session_id"] == past for row in logged)
    assert audited == coach.id
    assert isinstance(datetime.fromisoformat(recorded.json["taken_at"].replace("Z", "+00:00")), datetime)


def test_refusals_are_problems_in_the_callers_language(app, client, make):
    organization, _other, manager, _coach, _enterprise, cohort = _world(app, make)
    raw = personal_token(app, manager)
    body = {"title": "Atelier", "starts_at": "2027-10-14T09:00:00", "ends_at": "2027-10-14T12:00:00"}
    for language, words in (("fr", "décalage"), ("en", "offset")):
        refused = client.post(f"/api/v1/cohorts/{cohort}/sessions", headers=bearer(raw, language), json=body)
        assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
        assert words in refused.json["errors"][0]["message"]
    outside = {**body, "starts_at": "2028-01-14T09:00:00-05:00", "ends_at": "2028-01-14T12:00:00-05:00"}
    french = client.post(f"/api/v1/cohorts/{cohort}/sessions", headers=bearer(raw, "fr"), json=outside)
    english = client.post(f"/api/v1/cohorts/{cohort}/sessions", headers=bearer(raw, "en"), json=outside)
    assert french.json["detail"] != english.json["detail"] and "cohort" in english.json["detail"]
    assert client.get("/api/v1/sessions?date_from=2027-10-05&date_to=2027-10-01",
                      headers=bearer(raw, "fr")).json["errors"][0]["message"].startswith("La fin")
