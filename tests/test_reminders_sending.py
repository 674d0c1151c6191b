"""Reminders end to end: planning, content, sending, retries, changes, crashes (real SMTP server)."""
from datetime import timedelta

from sqlalchemy import update

from crm.cohorts import services as cohort_services
from crm.cohorts.models import ProgrammeSession
from crm.extensions import db
from crm.reminders import planning, sending
from crm.reminders.models import Reminder
from tests.reminders_helpers import (
    DAY_BEFORE,
    ENDS,
    STARTS,
    WEEK_BEFORE,
    attachment_calendar,
    build_world,
    count_rows,
    plain,
    rows,
)


def plan(app, now):
    with app.app_context():
        result = planning.plan_all(now)
        db.session.commit()
        return result


def send(app, now, me="sender-a"):
    with app.app_context():
        return sending.send_due(now=now, me=me)


def test_planning_queues_one_reminder_per_recipient_and_offset_once(app, make):
    world = build_world(app, make)
    now = WEEK_BEFORE - timedelta(days=3)
    assert plan(app, now).created == 6  # 2 contacts + the facilitator, at 7 days and 1 day
    assert plan(app, now).created == 0
    assert count_rows(app) == 6
    queued = rows(app)
    assert {r.due_at.replace(tzinfo=None) for r in queued} == {WEEK_BEFORE.replace(tzinfo=None),
                                                               DAY_BEFORE.replace(tzinfo=None)}
    assert {r.recipient_kind for r in queued} == {"contact", "facilitator"}
    assert {r.language for r in queued if r.user_id == world.coach.id} == {"en"}
    assert len({r.message_id for r in queued}) == 6


def test_contacts_without_consent_get_nothing(app, make):
    world = build_world(app, make)
    with app.app_context():
        from crm.contacts.models import Contact
        db.session.get(Contact, world.contact_ids[1]).email_consent = False
        db.session.commit()
    plan(app, WEEK_BEFORE - timedelta(days=1))
    assert {r.contact_id for r in rows(app, recipient_kind="contact")} == {world.contact_ids[0]}


def test_reminders_speak_each_recipients_language_with_quebec_time_and_an_invitation(app, make, smtp_server):
    world = build_world(app, make)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    assert send(app, WEEK_BEFORE + timedelta(minutes=1)).sent == 3
    french = smtp_server.mailbox.to("contact")[0]
    assert french["To"].endswith(".0@entreprise.example")
    assert plain(french["Subject"]) == "Rappel : Atelier commerce en ligne le jeudi 14 mars 2030 à 14 h 30"
    text = plain(french.get_body(("plain",)).get_content())
    assert "Heure : de 14 h 30 à 16 h 30 (heure du Québec)" in text
    assert "Lieu : Salle 2, 45 rue King Ouest, Sherbrooke" in text
    assert "Cohorte : Cohorte numérique Estrie" in text and "Choisir une plateforme de vente" in text
    html = plain(french.get_body(("html",)).get_content())
    assert '<html lang="fr">' in html and "14 h 30" in html and "/r/optout/" in html
    english = smtp_server.mailbox.to(".1@entreprise.example")[0]
    assert plain(english["Subject"]) == "Reminder: Atelier commerce en ligne on Thursday, March 14, 2030 at 2:30 PM"
    assert "Time: 2:30 PM to 4:30 PM (Québec time)" in plain(english.get_body(("plain",)).get_content())
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    facilitator = smtp_server.mailbox.to(world.coach.email)[0]
    assert facilitator["Subject"].startswith("Reminder:") and "List-Unsubscribe" not in facilitator
    calendar = attachment_calendar(french)
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=-4)
    assert event.decoded("DTSTART").hour == 14 and event.decoded("DTSTART").minute == 30
    assert event.decoded("DTSTART") == STARTS and event.decoded("DTEND") == ENDS
    session = rows(app)[0].session_id
    with app.app_context():
        uid = db.session.get(ProgrammeSession, session).uid
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 0
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Montreal"


def test_a_second_sender_run_sends_nothing(app, make, smtp_server):
    build_world(app, make)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    moment = WEEK_BEFORE + timedelta(minutes=1)
    assert send(app, moment).sent == 3
    plan(app, moment)
    assert send(app, moment, me="sender-b").sent == 0
    assert len(smtp_server.messages) == 3
    sent = rows(app, state="sent")
    assert {r.message_id for r in sent} == {m["Message-ID"] for m in smtp_server.messages}


def test_smtp_refusing_is_retried_with_backoff_then_failed_and_nothing_is_lost(app, make, smtp_server):
    build_world(app, make, contacts=1)
    app.config.update(REMINDER_MAX_ATTEMPTS=3, REMINDER_RETRY_BASE_SECONDS=60)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    smtp_server.mailbox.refuse = True
    moment = WEEK_BEFORE
    assert send(app, moment).retried == 2
    retry = rows(app, offset_minutes=7 * 1440)[0]
    assert retry.state == "pending" and retry.attempts == 1 and "451" in retry.last_error
    assert send(app, moment + timedelta(seconds=59)).handled == 0  # not before the backoff
    assert send(app, moment + timedelta(seconds=60)).retried == 2  # second attempt; next in 120 s
    assert send(app, moment + timedelta(seconds=179)).handled == 0
    assert send(app, moment + timedelta(seconds=180)).failed == 2
    failed = rows(app, state="failed")
    assert len(failed) == 2 and all(r.attempts == 3 and "451" in r.last_error for r in failed)
    smtp_server.mailbox.refuse = False
    assert send(app, moment + timedelta(days=1)).handled == 0  # failed stays failed until resent
    assert len(smtp_server.messages) == 0


def test_smtp_down_is_retried(app, make):
    build_world(app, make, contacts=1)
    app.config.update(MAIL_PORT=1, MAIL_TIMEOUT=2)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    assert send(app, WEEK_BEFORE).retried == 2
    assert all("Error" in r.last_error for r in rows(app, offset_minutes=7 * 1440))


def test_reschedule_sends_one_update_to_those_already_reminded(app, make, smtp_server):
    world = build_world(app, make)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    send(app, WEEK_BEFORE)
    assert len(smtp_server.messages) == 3
    moment = WEEK_BEFORE + timedelta(days=1)
    with app.app_context():
        session = db.session.get(ProgrammeSession, world.session_id)
        cohort_services.reschedule_session(session, actor=None, starts_at=STARTS + timedelta(days=2),
                                           ends_at=ENDS + timedelta(days=2), reason="salle occupée")
        db.session.commit()
    plan(app, moment)
    plan(app, moment)
    assert len(rows(app, kind="update")) == 3
    day_before = rows(app, offset_minutes=1440)
    moved = (DAY_BEFORE + timedelta(days=2)).replace(tzinfo=None)
    assert {r.due_at.replace(tzinfo=None) for r in day_before} == {moved}
    assert send(app, moment).sent == 3
    updates = smtp_server.messages[3:]
    assert len(updates) == 3
    french = next(m for m in updates if m["To"].endswith(".0@entreprise.example"))
    assert plain(french["Subject"]) == "Modifiée : Atelier commerce en ligne le samedi 16 mars 2030 à 14 h 30"
    event = attachment_calendar(french).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART") == STARTS + timedelta(days=2)
    plan(app, moment)
    assert send(app, moment).sent == 0  # announced once


def test_cancel_sends_a_cancellation_to_those_already_reminded_and_drops_the_rest(app, make, smtp_server):
    world = build_world(app, make)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    send(app, WEEK_BEFORE)
    with app.app_context():
        cohort_services.cancel_session(db.session.get(ProgrammeSession, world.session_id), actor=None, reason="tempête")
        db.session.commit()
    moment = WEEK_BEFORE + timedelta(days=2)
    plan(app, moment)
    assert {r.state for r in rows(app, offset_minutes=1440)} == {"cancelled"}
    assert send(app, moment).sent == 3
    cancellation = smtp_server.messages[3]
    assert cancellation["Subject"].startswith(("Annulée :", "Cancelled:"))
    calendar = attachment_calendar(cancellation)
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 1
    plan(app, moment)
    assert send(app, DAY_BEFORE).sent == 0


def test_a_cancelled_session_never_gets_its_pending_reminders(app, make, smtp_server):
    world = build_world(app, make)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    with app.app_context():
        cohort_services.cancel_session(db.session.get(ProgrammeSession, world.session_id), actor=None)
        db.session.commit()
    # The sender claims before any new planning: it checks the session itself.
    assert send(app, WEEK_BEFORE).skipped == 3
    assert smtp_server.messages == []


def test_a_killed_senders_claim_is_taken_again_with_the_same_message_id(app, make, smtp_server):
    build_world(app, make, contacts=1)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    with app.app_context():
        ids = sending.claim("killed-sender", WEEK_BEFORE, 10)  # then the process dies
    assert len(ids) == 2
    message_ids = {r.id: r.message_id for r in rows(app)}
    assert send(app, WEEK_BEFORE + timedelta(seconds=599), me="new").handled == 0  # claim still fresh
    assert send(app, WEEK_BEFORE + timedelta(seconds=601), me="new").sent == 2
    assert {m["Message-ID"] for m in smtp_server.messages} == {message_ids[i] for i in ids}
    assert {r.attempts for r in rows(app, state="sent")} == {2}


def test_late_planning_sends_the_last_offset_and_not_stale_ones(app, make, smtp_server):
    build_world(app, make, contacts=1)
    plan(app, STARTS - timedelta(hours=5))  # planned at short notice: only the 1-day reminder, at once
    assert {r.offset_minutes for r in rows(app)} == {1440}
    assert send(app, STARTS - timedelta(hours=5)).sent == 2
    assert send(app, STARTS - timedelta(hours=4)).sent == 0


def test_a_session_override_of_offsets_is_used(app, make):
    world = build_world(app, make, contacts=1)
    with app.app_context():
        from crm.reminders.services import set_session_offsets
        set_session_offsets(db.session.get(ProgrammeSession, world.session_id), "120, 2880", actor=None)
        db.session.commit()
    plan(app, WEEK_BEFORE)
    assert {r.offset_minutes for r in rows(app)} == {2880, 120}


def test_a_stale_pending_row_of_a_started_session_is_cancelled(app, make):
    build_world(app, make, contacts=1)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    with app.app_context():
        db.session.execute(update(Reminder).values(due_at=STARTS))
        db.session.commit()
    plan(app, STARTS + timedelta(minutes=1))
    assert {r.state for r in rows(app)} == {"cancelled"}


def test_each_batch_goes_over_one_smtp_connection(app, make, smtp_server):
    build_world(app, make, contacts=9)  # 9 contacts and the facilitator
    plan(app, WEEK_BEFORE - timedelta(days=1))
    assert send(app, WEEK_BEFORE).sent == 10
    assert smtp_server.mailbox.connections == 1
    with app.app_context():
        assert sending.send_due(now=DAY_BEFORE, me="sender-a", batch=4).sent == 10
    assert smtp_server.mailbox.connection_of == [1] * 10 + [2] * 4 + [3] * 4 + [4] * 2


def test_a_server_hanging_up_mid_batch_gets_the_rest_once_over_a_new_connection(app, make, smtp_server):
    build_world(app, make, contacts=9)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    smtp_server.mailbox.hang_up_at = {4}
    assert send(app, WEEK_BEFORE).sent == 10
    assert smtp_server.mailbox.connection_of == [1, 1, 1] + [2] * 7
    sent = rows(app, state="sent")
    assert sorted(m["Message-ID"] for m in smtp_server.messages) == sorted(r.message_id for r in sent)
    assert len(sent) == 10 and {r.attempts for r in sent} == {1}


def test_a_recipient_refused_for_good_fails_at_once_and_alone(app, make, smtp_server):
    """550 "no such mailbox" (RFC 5321: 5yz, do not repeat): failed at once, for the manager to see
    and correct, instead of hours of retries; the batch's other reminders go on the same connection."""
    world = build_world(app, make, contacts=2)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    with app.app_context():
        from crm.contacts.models import Contact
        refused_email = db.session.get(Contact, world.contact_ids[0]).email
        smtp_server.mailbox.refuse_recipients = {refused_email}
    result = send(app, WEEK_BEFORE)
    assert (result.sent, result.failed, result.retried) == (2, 1, 0) and smtp_server.mailbox.connections == 1
    failed = rows(app, state="failed", offset_minutes=7 * 1440)
    assert [r.contact_id for r in failed] == [world.contact_ids[0]]
    assert failed[0].attempts == 1 and "550" in failed[0].last_error
    assert refused_email not in failed[0].last_error and "[recipient]" in failed[0].last_error  # Law 25
    smtp_server.mailbox.refuse_recipients = set()
    assert send(app, WEEK_BEFORE + timedelta(hours=1)).handled == 0  # failed stays failed until resent
    assert len(smtp_server.messages) == 2


def test_a_temporary_refusal_of_a_recipient_is_retried(app, make, smtp_server):
    world = build_world(app, make, contacts=1)
    plan(app, WEEK_BEFORE - timedelta(days=1))
    with app.app_context():
        from crm.contacts.models import Contact
        smtp_server.mailbox.refuse_recipients = {db.session.get(Contact, world.contact_ids[0]).email}
        smtp_server.mailbox.refusal = "450 4.2.1 Mailbox busy, try later"
    assert send(app, WEEK_BEFORE).retried == 1
    assert rows(app, state="pending", offset_minutes=7 * 1440)[0].attempts == 1
    smtp_server.mailbox.refuse_recipients = set()
    assert send(app, WEEK_BEFORE + timedelta(seconds=60)).sent == 1
