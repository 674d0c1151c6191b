"""A reminder whose email cannot be built fails visibly, and a line break stored in a session's title
never breaks an email's headers (issue 16, point 4; real SMTP server)."""
import logging
from datetime import timedelta

from sqlalchemy import text, update

from crm.extensions import db
from crm.reminders import planning, sending
from crm.reminders.models import Reminder
from tests.reminders_helpers import WEEK_BEFORE, build_world, plain, rows

FRENCH_REASON = "Le courriel n'a pas pu être composé à partir des renseignements de la séance (ValueError)."
ENGLISH_REASON = "The email could not be built from the session's details (ValueError)."


def plan_and_send(app, now):
    with app.app_context():
        planning.plan_all(now)
        db.session.commit()
        return sending.send_due(now=now, me="test")


def test_a_reminder_that_cannot_be_built_is_failed_logged_and_listed_never_cancelled(
        app, make, client, auth, smtp_server, caplog):
    world = build_world(app, make, contacts=1)
    with app.app_context():
        planning.plan_all(WEEK_BEFORE - timedelta(days=1))
        # The mail library refuses a header with a line break: this recipient's email cannot be built.
        broken = db.session.scalars(db.select(Reminder.id).where(Reminder.recipient_kind == "contact")
                                    .order_by(Reminder.due_at)).first()
        db.session.execute(update(Reminder).where(Reminder.id == broken)
                           .values(email="contact@entreprise.example\nBcc: tous@evil.example"))
        db.session.commit()
    with caplog.at_level(logging.ERROR, logger="crm.reminders.sending"), app.app_context():
        result = sending.send_due(now=WEEK_BEFORE, me="test")
    assert (result.sent, result.failed, result.skipped) == (1, 1, 0)  # the facilitator's went out
    row = rows(app, id=broken)[0]
    assert row.state == "failed" and row.last_error.startswith(sending.BUILD_FAILED)
    assert "evil" not in row.last_error and "@" not in row.last_error
    assert any(r.levelno == logging.ERROR and str(broken) in r.getMessage() for r in caplog.records)
    # The planner does not revive it unseen at the next run: it stays failed until someone sends it again.
    assert plan_and_send(app, WEEK_BEFORE + timedelta(minutes=5)).handled == 0
    assert rows(app, id=broken)[0].state == "failed"
    assert len(smtp_server.messages) == 1 and "evil" not in str(smtp_server.messages[0])
    auth.login(world.manager)
    session_page = client.get(f"/sessions/{world.session_id}/reminders").get_data(as_text=True)
    assert "Échec" in session_page and FRENCH_REASON.replace("'", "&#39;") in session_page
    assert "Envoyer de nouveau" in session_page
    listing = client.get("/reminders", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Atelier commerce en ligne" in listing and ENGLISH_REASON.replace("'", "&#39;") in listing


def test_a_line_break_stored_in_a_title_before_the_fix_still_gives_a_one_line_subject(app, make, smtp_server):
    world = build_world(app, make, contacts=1)
    with app.app_context():
        # Written in SQL, as an older version stored it: no form and no column type cleaned it.
        db.session.execute(text("UPDATE sessions SET title = :title WHERE id = :id"),
                           {"title": "Atelier\r\nBcc: tous@evil.example\u2028\u202efin", "id": world.session_id})
        db.session.commit()
    assert plan_and_send(app, WEEK_BEFORE).sent == 2
    assert rows(app, state="cancelled") == [] and rows(app, state="failed") == []
    french = smtp_server.mailbox.to("contact")[0]
    assert plain(french["Subject"]) == ("Rappel : Atelier Bcc: tous@evil.example fin le jeudi 14 mars 2030 "
                                        "à 14 h 30")
    assert french["Bcc"] is None and all("evil" not in str(m["To"]) for m in smtp_server.messages)
