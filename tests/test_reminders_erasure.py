"""Anonymizing a contact (Law 25) erases them from the reminders too: the address each reminder was
sent to, SMTP errors that quote it, and the audit entries of their reminders; what was still to send
is cancelled and never sent. Rows, states and dates stay for the statistics (real SMTP server)."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from crm import signals
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.cohorts import services as cohort_services
from crm.cohorts.models import Cohort
from crm.contacts.models import Contact
from crm.db import utcnow
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.privacy.erasure import ERASED
from crm.privacy.services import anonymize_contact
from crm.reminders import planning, sending, services
from crm.reminders.models import Reminder
from crm.reminders.privacy import ANONYMIZED_REASON
from tests.reminders_helpers import DAY_BEFORE, STARTS, WEEK_BEFORE, add_session, build_world, rows

LATER = STARTS + timedelta(days=14)  # a second session, whose reminders are still pending


def plan(app, now):
    with app.app_context():
        planning.plan_all(now)
        db.session.commit()


def send(app, now):
    with app.app_context():
        return sending.send_due(now=now, me="sender-a")


def columns(reminder) -> dict:
    return {c.key: getattr(reminder, c.key) for c in inspect(Reminder).column_attrs}


def dump(values) -> str:
    return json.dumps(values, ensure_ascii=False, default=str)


def reminder_audit(app, contact_id) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == Reminder.__tablename__,
            AuditEntry.entity_id.in_(select(Reminder.id).where(Reminder.contact_id == contact_id)))).all()
        db.session.expunge_all()
        return entries


@pytest.fixture
def history(app, make, smtp_server):
    """Contact A (alone at their enterprise) has a sent, a failed (550, resent, failed again) and two
    pending reminders; contact B, of another enterprise in the same cohort, has the same ones sent."""
    world = build_world(app, make, contacts=1, english_second=False)
    other = make.enterprise(world.organization, contacts=1, name="Coop voisine")
    with app.app_context():
        cohort_services.enrol_enterprises(db.session.get(Cohort, world.cohort_id),
                                          [db.session.get(Enterprise, other.id)], actor=None, move_stage=False)
        person = db.session.get(Contact, world.contact_ids[0])
        a = {"id": person.id, "email": person.email, "first_name": person.first_name,
             "last_name": person.last_name, "enterprise_id": person.enterprise_id}
        b_id = db.session.scalar(select(Contact.id).where(Contact.enterprise_id == other.id))
        db.session.commit()
    add_session(app, world, starts=LATER, title="Atelier de suivi")
    plan(app, WEEK_BEFORE - timedelta(days=1))
    assert send(app, WEEK_BEFORE).sent == 3  # A, B and the facilitator
    smtp_server.mailbox.refuse_recipients = {a["email"]}
    assert send(app, DAY_BEFORE).failed == 1
    with app.app_context():
        failed = db.session.scalars(select(Reminder).where(Reminder.state == "failed")).one()
        services.resend(failed, actor=db.session.get(User, world.manager.id))
        db.session.commit()
    assert send(app, DAY_BEFORE + timedelta(minutes=1)).failed == 1
    mine = rows(app, contact_id=a["id"])
    assert sorted(r.state for r in mine) == ["failed", "pending", "pending", "sent"]
    # The sender keeps addresses out of the errors it stores; the rows' email is what erasure clears.
    refusal = next(r.last_error for r in mine if r.state == "failed")
    assert "550" in refusal and a["email"] not in refusal
    assert a["email"] not in dump([e.context for e in reminder_audit(app, a["id"])])
    assert {r.email for r in mine} == {a["email"]}  # without erasure, the person is found here
    return world, a, b_id


def anonymize(app, runner, how, contact):
    if how == "service":
        with app.app_context():
            anonymize_contact(db.session.get(Contact, contact["id"]), actor=None, reason="request")
            db.session.commit()
    else:
        with app.app_context():
            db.session.get(Enterprise, contact["enterprise_id"]).archived_at = utcnow() - timedelta(days=800)
            db.session.commit()
        result = runner.invoke(args=["crm", "retention"])
        assert result.exit_code == 0 and "1 contact(s)" in result.output, result.output


def test_the_reminders_feature_answers_the_anonymization_signal(app):
    from crm.reminders import privacy

    assert privacy.erase in list(signals.contact_anonymized.receivers_for(None))


@pytest.mark.parametrize("how", ["service", "retention"])
def test_anonymizing_erases_the_contact_from_reminders_and_cancels_what_was_pending(
        app, runner, smtp_server, history, how):
    world, a, b_id = history
    before = {r.id: columns(r) for r in rows(app, contact_id=a["id"])}
    others_before = {r.id: columns(r) for r in rows(app, contact_id=b_id)}

    anonymize(app, runner, how, a)

    after = {r.id: columns(r) for r in rows(app, contact_id=a["id"])}
    assert after.keys() == before.keys()  # the rows stay for the statistics
    traces = dump([after, [[e.changes, e.context] for e in reminder_audit(app, a["id"])]])
    for personal in (a["email"], a["first_name"], a["last_name"]):
        assert personal not in traces
    with app.app_context():
        everything = dump([[e.changes, e.context] for e in db.session.scalars(select(AuditEntry))])
    assert a["email"] not in everything
    assert {row["email"] for row in after.values()} == {ERASED}
    for row_id, row in after.items():
        old = before[row_id]
        assert (row["kind"], row["due_at"], row["sent_at"], row["attempts"]) == (
            old["kind"], old["due_at"], old["sent_at"], old["attempts"])
        if old["state"] == "pending":
            assert (row["state"], row["last_error"]) == ("cancelled", ANONYMIZED_REASON)
        else:
            assert row["state"] == old["state"]
    assert next(r["last_error"] for r in after.values() if r["state"] == "failed") == ERASED
    resend = [e for e in reminder_audit(app, a["id"]) if e.action == "resend_reminder"]
    assert len(resend) == 1 and resend[0].context == {"last_error": ERASED}
    assert resend[0].changes == {"state": ["failed", "pending"]}
    assert {r.id: columns(r) for r in rows(app, contact_id=b_id)} == others_before

    # The later session comes: B is reminded, A never again (even if the server would accept them).
    smtp_server.mailbox.refuse_recipients = set()
    received = len(smtp_server.mailbox.to(a["email"]))
    plan(app, LATER - timedelta(days=8))
    assert send(app, LATER - timedelta(days=7)).sent == 2  # B and the facilitator
    assert send(app, LATER - timedelta(days=1)).sent == 2
    assert len(smtp_server.mailbox.to(a["email"])) == received == 1
    assert {r.state for r in rows(app, contact_id=a["id"]) if r.session_id != world.session_id} == {"cancelled"}
    assert {r.state for r in rows(app, contact_id=b_id)} == {"sent"}
