"""An update email says what changed since the version its recipient was sent: old → new time and
place (or link), in the recipient's language."""
from datetime import timedelta

from crm.cohorts import services as cohort_services
from crm.cohorts.models import ProgrammeSession
from crm.extensions import db
from crm.reminders import planning, sending
from tests.reminders_helpers import ENDS, STARTS, WEEK_BEFORE, build_world, plain

MOMENT = WEEK_BEFORE + timedelta(days=1)


def _remind_then(app, make, smtp_server, change):
    """Everyone gets the week-before reminder; then ``change(session)``; then the updates go out."""
    world = build_world(app, make)
    with app.app_context():
        planning.plan_all(WEEK_BEFORE - timedelta(days=1))
        db.session.commit()
        sending.send_due(now=WEEK_BEFORE, me="sender")
        change(db.session.get(ProgrammeSession, world.session_id))
        db.session.commit()
        planning.plan_all(MOMENT)
        db.session.commit()
        assert sending.send_due(now=MOMENT, me="sender").sent == 3
    updates = smtp_server.messages[3:]
    french = next(m for m in updates if m["To"].endswith(".0@entreprise.example"))
    english = next(m for m in updates if m["To"].endswith(".1@entreprise.example"))
    return tuple(plain(message.get_body((part,)).get_content()).replace("\r\n", "\n")
                 for message, part in ((french, "plain"), (french, "html"), (english, "plain")))


def test_a_rescheduled_and_moved_session_says_old_and_new_time_and_place(app, make, smtp_server):
    def change(session):
        cohort_services.reschedule_session(session, actor=None, starts_at=STARTS + timedelta(days=2, hours=-4),
                                           ends_at=ENDS + timedelta(days=2, hours=-4))
        cohort_services.update_session(session, actor=None, place="Salle 5, 45 rue King Ouest, Sherbrooke")

    french, html, english = _remind_then(app, make, smtp_server, change)
    assert "Ce qui a changé :\n" in french
    assert ("- Horaire : jeudi 14 mars 2030, de 14 h 30 à 16 h 30 → samedi 16 mars 2030, de 10 h 30 à 12 h 30"
            in french)
    assert "- Lieu : Salle 2, 45 rue King Ouest, Sherbrooke → Salle 5, 45 rue King Ouest, Sherbrooke" in french
    assert "Lien de la rencontre :" not in french.split("Ce qui a changé")[1].split("Date :")[0]
    assert "<del>Salle 2, 45 rue King Ouest, Sherbrooke</del> → <strong>Salle 5" in html
    assert "What changed:\n" in english
    assert ("- Time: Thursday, March 14, 2030, 2:30 PM to 4:30 PM → Saturday, March 16, 2030, 10:30 AM to 12:30 PM"
            in english)
    assert "- Place: Salle 2, 45 rue King Ouest, Sherbrooke → Salle 5, 45 rue King Ouest, Sherbrooke" in english


def test_a_new_meeting_link_alone_says_only_that(app, make, smtp_server):
    def change(session):
        cohort_services.update_session(session, actor=None, mode="hybrid", meeting_url="https://visio.example/a")

    french, _html, english = _remind_then(app, make, smtp_server, change)
    assert "- Lien de la rencontre : (aucun) → https://visio.example/a" in french
    assert "Horaire :" not in french and "- Lieu :" not in french
    assert "- Meeting link: (none) → https://visio.example/a" in english and "- Time:" not in english


def test_a_title_change_only_has_no_what_changed_list(app, make, smtp_server):
    def change(session):
        cohort_services.update_session(session, actor=None, title="Atelier vente en ligne")

    french, _html, english = _remind_then(app, make, smtp_server, change)
    assert "a changé" in french and "Ce qui a changé" not in french
    assert "What changed" not in english
