"""The enterprise page's history reads well in both languages, whatever feature wrote the entry."""
import html
import re
from datetime import date, time

from sqlalchemy import select

from crm.auth.models import User
from crm.cohorts import queries as cohort_queries
from crm.cohorts import services as cohorts
from crm.cohorts.models import CohortMembership, Session
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.cohorts_helpers import make_cohort, make_session, utc
from tests.enterprises_helpers import QueryCounter, world  # noqa: F401 - fixture

# Codes and field names as stored: none may reach the page (whole words, case-sensitive).
RAW = re.compile(r"\b(join_cohort|leave_cohort|reschedule|cancel|attendance|cohort_id|left_on|starts_at|ends_at|"
                 r"facilitator_id|meeting_url|title|mode|status|virtual|hybrid|scheduled|cancelled|present|absent|"
                 r"sessions|cohort_memberships|attendances)\b")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _session_history(app, world, enterprise, *, cohort_name="Cohorte numérique", day=date(2025, 1, 15),  # noqa: F811
                     facilitator=None):
    """A cohort joined and left, an individual session created, edited, rescheduled and cancelled,
    attendance taken and corrected at a session of the cohort: every entry the cohorts feature writes."""
    cohort_id = make_cohort(app, world.org, enterprises=[enterprise], name=cohort_name,
                            start=date(2025, 1, 6), end=date(2025, 3, 28))
    collective = make_session(app, cohort_id=cohort_id, day=date(2025, 1, 8), title="Atelier collectif")
    individual = make_session(app, enterprise_id=enterprise.id, day=day, start=time(14), end=time(15, 30),
                              facilitator=facilitator or world.coach, title="Diagnostic numérique")
    with app.app_context():
        manager = db.session.get(User, world.manager.id)
        session = db.session.get(Session, individual)
        cohorts.update_session(session, actor=manager, mode="hybrid", place="Salle 2",
                               meeting_url="https://rencontre.example/abc", agenda="Plan d'action")
        cohorts.reschedule_session(session, actor=manager, starts_at=utc(day.replace(day=22), time(10)),
                                   ends_at=utc(day.replace(day=22), time(11)), reason="Conflit d'horaire")
        cohorts.cancel_session(session, actor=manager, reason="Tempête")
        taken = db.session.get(Session, collective)
        for status in ("present", "absent"):
            cohorts.record_attendance(taken, {enterprise.id: status}, {}, actor=manager,
                                      participants=cohort_queries.session_participants(taken))
        membership = db.session.scalar(select(CohortMembership).where(
            CohortMembership.cohort_id == cohort_id, CohortMembership.enterprise_id == enterprise.id))
        cohorts.leave_cohort(membership, actor=manager, left_on=date(2025, 2, 3))
        db.session.commit()


def _history(page: str) -> str:
    """The history section's text, tags removed and spaces collapsed."""
    section = page[page.index('id="history"'):]
    section = section[:section.index("</section>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())


def test_cohort_and_session_entries_read_well_in_french(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Coop du Plateau")
    _session_history(client.application, world, enterprise)
    auth.login(world.manager)
    history = _history(client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True))

    for expected in (
        "Cohorte · Inscription", "Cohorte : — → Cohorte numérique",
        "Cohorte · Départ", "Date de départ : — → 3 févr. 2025",
        "Séance · Création", "Titre : — → Diagnostic numérique", "Formule : — → À distance",
        "Animation : — → Camille Conseil", "Début : — → 15 janv. 2025 à 14:00", "Fin : — → 15 janv. 2025 à 15:30",
        "Séance · Modification", "Formule : À distance → Hybride", "Lieu : — → Salle 2",
        "Lien de la rencontre : — → https://rencontre.example/abc", "Ordre du jour : — → Plan d'action",
        "Séance · Changement d'horaire", "Conflit d'horaire",
        "Début : 15 janv. 2025 à 14:00 → 22 janv. 2025 à 10:00",
        "Fin : 15 janv. 2025 à 15:30 → 22 janv. 2025 à 11:00",
        "Séance · Annulation", "Tempête", "État : Prévue → Annulée",
        "Présence · Saisie", "État : — → Présente", "État : Présente → Absente",
    ):
        assert expected in history, (expected, history)
    assert not RAW.search(history), RAW.search(history)
    assert "Fonction" not in history  # a session's title is not a contact's position
    assert not ISO.search(history)


def test_a_session_entry_reads_well_in_english(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    _session_history(client.application, world, enterprise)
    auth.login(world.manager)
    page = client.get(f"/enterprises/{enterprise.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    history = _history(page)
    for expected in ("Session · Rescheduled", "Start: Jan 15, 2025 at 2:00 PM → Jan 22, 2025 at 10:00 AM",
                     "Session · Created", "Title: — → Diagnostic numérique", "Mode: — → Virtual",
                     "Facilitator: — → Camille Conseil", "Cohort · Joined", "Cohort: — → Cohorte numérique",
                     "Attendance · Recorded", "Status: Present → Absent", "Leaving date: — → Feb 3, 2025"):
        assert expected in history, (expected, history)
    assert not RAW.search(history), RAW.search(history)
    assert not ISO.search(history)


def test_enterprise_entries_show_dates_and_task_titles(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    with app.app_context():
        from crm.enterprises import timeline
        row = db.session.get(Enterprise, enterprise.id)
        task = timeline.add_task(row, actor=None, title="Rappeler la directrice", due_on=date(2025, 5, 2),
                                 assignee=db.session.get(User, world.coach.id))
        timeline.complete_task(task, row, actor=None)
        db.session.commit()
    auth.login(world.manager)
    history = _history(client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True))
    assert "Suivi : — → Rappeler la directrice" in history and "Fonction" not in history
    assert "Échéance : — → 2 mai 2025" in history and "Confié à : — → Camille Conseil" in history
    assert not ISO.search(history)


def test_the_page_sends_as_many_queries_whatever_the_history_holds(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    _session_history(app, world, enterprise)
    auth.login(world.manager)

    def count() -> int:
        url = f"/enterprises/{enterprise.id}"
        client.get(url)  # a first visit fills per-process caches
        with QueryCounter(app) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = count()
    for n in range(3):
        _session_history(app, world, enterprise, cohort_name=f"Cohorte {n}", day=date(2025, 2, 3 + n),
                         facilitator=make.user("coach", world.org, full_name=f"Animatrice {n}"))
    history = _history(client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True))
    assert "Cohorte : — → Cohorte 2" in history and "Animation : — → Animatrice 2" in history
    assert count() == few


def test_the_session_form_calls_the_title_a_title(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.login(world.coach)
    page = client.get(f"/enterprises/{enterprise.id}/sessions/new").get_data(as_text=True)
    label = re.search(r'<label[^>]*for="title"[^>]*>\s*([^<*]+)', page).group(1).strip()
    assert label == "Titre"
