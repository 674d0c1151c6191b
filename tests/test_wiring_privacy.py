"""A contact's Law 25 export holds the reminders sent to the contact and the sessions the contact came to."""
import json
from datetime import timedelta

from crm.cohorts import queries as cohort_queries
from crm.cohorts import services as cohort_services
from crm.cohorts.models import ProgrammeSession
from crm.extensions import db
from crm.reminders import planning, sending
from tests.reminders_helpers import STARTS, WEEK_BEFORE, build_world


def test_contact_export_has_reminders_and_attendance(app, client, auth, make, smtp_server, monkeypatch):
    world = build_world(app, make)
    came, absent = world.contact_ids
    with app.app_context():
        planning.plan_all(WEEK_BEFORE - timedelta(days=1))
        db.session.commit()
        sending.send_due(now=WEEK_BEFORE + timedelta(minutes=1), me="test")
    monkeypatch.setattr("crm.db.utcnow", lambda: STARTS + timedelta(hours=1))
    with app.app_context():
        session = db.session.get(ProgrammeSession, world.session_id)
        cohort_services.record_attendance(session, {world.enterprise.id: "present"}, {world.enterprise.id: {came}},
                                          actor=None, participants=cohort_queries.session_participants(session))
        db.session.commit()
    auth.sign_in(make.user("admin", world.organization))
    data = json.loads(client.get(f"/privacy/admin/contacts/{came}/export.json").data)
    reminders = data["sections"]["reminders"]
    assert [(r["session_id"], r["session"], r["kind"], r["state"]) for r in reminders] == [
        (world.session_id, "Atelier commerce en ligne", "reminder", "sent"),
        (world.session_id, "Atelier commerce en ligne", "reminder", "pending")]
    assert reminders[0]["sent_at"] and reminders[0]["message_id"] in {m["Message-ID"] for m in smtp_server.messages}
    assert [(a["session_id"], a["status"]) for a in data["sections"]["attendance"]] == [(world.session_id, "present")]
    other = json.loads(client.get(f"/privacy/admin/contacts/{absent}/export.json").data)
    assert other["sections"]["attendance"] == [] and len(other["sections"]["reminders"]) == 2
