"""The enterprise page's history reads well in both languages, whatever feature wrote the entry."""
import html
import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crm.auth.models import User
from crm.cohorts import queries as cohort_queries
from crm.cohorts import services as cohorts
from crm.cohorts.models import CohortMembership, ProgrammeSession
from crm.contacts import services as contacts
from crm.contacts.models import EMAIL_PURPOSE, Contact
from crm.db import as_utc, utcnow
from crm.enterprises import services as enterprises
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.privacy import services as privacy
from crm.reminders import planning, sending
from crm.reminders import services as reminders
from crm.reminders.models import Reminder
from tests.cohorts_helpers import make_cohort, make_session, utc
from tests.enterprises_helpers import QueryCounter, world  # noqa: F401 - fixture

# Codes and field names as stored: none may reach the page (whole words, case-sensitive).
RAW = re.compile(r"\b(join_cohort|leave_cohort|reschedule|cancel|attendance|cohort_id|left_on|starts_at|ends_at|"
                 r"facilitator_id|meeting_url|title|mode|status|virtual|hybrid|scheduled|cancelled|present|absent|"
                 r"sessions|cohort_memberships|attendances)\b")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# What the privacy and reminders features store: codes, field names, erasure's placeholder, the opt-out
# link's stored source, offsets as minutes. The French page shows none of them.
PRIVACY_RAW = re.compile(r"\b(consent_granted|consent_withdrawn|anonymize|anonymized_at|email_reminders|"
                         r"erased_fields|purpose|source|reason|request|retention|first_name|last_name|"
                         r"email|phone|consent_source)\b|\[anonymized\]")
REMINDER_RAW = re.compile(r"\b(resend_reminder|reminder_offsets|offsets|reminders|state|failed|pending|"
                          r"last_error|10080|1440)\b|opt-out link|550")
# Codes only (English labels use words such as "reminders" and "state").
CODES = re.compile(r"\b[a-z]+_[a-z_]+\b|\[anonymized\]|reminder email opt-out link")


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
        session = db.session.get(ProgrammeSession, individual)
        cohorts.update_session(session, actor=manager, mode="hybrid", place="Salle 2",
                               meeting_url="https://rencontre.example/abc", agenda="Plan d'action")
        cohorts.reschedule_session(session, actor=manager, starts_at=utc(day.replace(day=22), time(10)),
                                   ends_at=utc(day.replace(day=22), time(11)), reason="Conflit d'horaire")
        cohorts.cancel_session(session, actor=manager, reason="Tempête")
        taken = db.session.get(ProgrammeSession, collective)
        for status in ("present", "absent"):
            cohorts.record_attendance(taken, {enterprise.id: status}, {}, actor=manager,
                                      participants=cohort_queries.session_participants(taken))
        membership = db.session.scalar(select(CohortMembership).where(
            CohortMembership.cohort_id == cohort_id, CohortMembership.enterprise_id == enterprise.id))
        cohorts.leave_cohort(membership, actor=manager, left_on=date(2025, 2, 3))
        db.session.commit()


def _privacy_history(app, world, enterprise):  # noqa: F811
    """Consent withdrawn then given again for one contact; another contact, who had given consent on a
    signed form, anonymized at her request. Returns when she was anonymized."""
    with app.app_context():
        manager = db.session.get(User, world.manager.id)
        row = db.session.get(Enterprise, enterprise.id)
        marc = contacts.add_contact(row, actor=manager, first_name="Marc", last_name="Gagnon",
                                       email="marc.gagnon@coop.example", email_consent=True,
                                       consent_source="Appel du 2 mars")
        contacts.withdraw_consent(marc, EMAIL_PURPOSE, source="Courriel du 12 avril", actor=manager)
        contacts.grant_consent(marc, EMAIL_PURPOSE, source="Formulaire papier du 3 mai", actor=manager)
        jeanne = contacts.add_contact(row, actor=manager, first_name="Jeanne", last_name="Tremblay",
                                         title="Directrice générale", email="jeanne.tremblay@coop.example",
                                         phone="514 555-0199", email_consent=True,
                                         consent_source="Formulaire signé par Jeanne Tremblay")
        privacy.anonymize_contact(jeanne, actor=db.session.get(User, world.admin.id))
        db.session.commit()
        return as_utc(jeanne.anonymized_at)


def _reminder_history(app, world, enterprise, smtp_server, *, day=date(2030, 3, 14), title="Diagnostic numérique"):  # noqa: F811
    """An individual session's reminder schedule set, changed and set back to the programme's default;
    its first reminder refused by the contact's mail server and sent again; the contact opting out by the
    link of a reminder. Every entry the reminders feature writes to an enterprise's history."""
    session_id = make_session(app, enterprise_id=enterprise.id, day=day, start=time(14), end=time(15),
                              facilitator=world.coach, title=title)
    with app.app_context():
        manager = db.session.get(User, world.manager.id)
        reminders.set_session_offsets(db.session.get(ProgrammeSession, session_id), "10080, 1440", actor=manager)
        contact = db.session.scalar(select(Contact).where(Contact.enterprise_id == enterprise.id,
                                                          Contact.email_consent.is_(True)).order_by(Contact.id))
        smtp_server.mailbox.refuse_recipients = {contact.email}
        week_before = utc(day, time(14)) - timedelta(days=7)
        planning.plan_all(week_before)
        db.session.commit()
        assert sending.send_due(now=week_before, me="test").failed == 1
        failed = db.session.scalar(select(Reminder).where(Reminder.session_id == session_id,
                                                          Reminder.state == "failed"))
        assert "550" in failed.last_error
        reminders.resend(failed, actor=manager)
        session = db.session.get(ProgrammeSession, session_id)
        reminders.set_session_offsets(session, "2880, 90", actor=manager)
        reminders.set_session_offsets(session, "", actor=manager)
        reminders.opt_out(db.session.get(Contact, contact.id), one_click=True)
        db.session.commit()


def _page_history(client, enterprise, language: str | None = None) -> str:
    """The enterprise page's history, as the signed-in person reads it (French unless ``language``)."""
    headers = {"Accept-Language": language} if language else {}
    return _history(client.get(f"/enterprises/{enterprise.id}", headers=headers).get_data(as_text=True))


def _history(page: str) -> str:
    """The history section's text, tags removed and spaces collapsed."""
    section = page[page.index('id="history"'):]
    section = section[:section.index("</section>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())


def test_cohort_and_session_entries_read_well_in_french(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Coop du Plateau")
    _session_history(client.application, world, enterprise)
    auth.sign_in(world.manager)
    history = _page_history(client, enterprise)

    for expected in (
        "Cohorte · Inscription", "Cohorte : — → Cohorte numérique",
        "Cohorte · Départ", "Date de départ : — → 3 févr. 2025",
        "Séance · Création", "Titre : — → Diagnostic numérique", "Formule : — → À distance",
        "Animation : — → Camille Conseil", "Début : — → 15 janv. 2025 à 14 h", "Fin : — → 15 janv. 2025 à 15 h 30",
        "Séance · Modification", "Formule : À distance → Hybride", "Lieu : — → Salle 2",
        "Lien de la rencontre : — → https://rencontre.example/abc", "Ordre du jour : — → Plan d'action",
        "Séance · Changement d'horaire", "Conflit d'horaire",
        "Début : 15 janv. 2025 à 14 h → 22 janv. 2025 à 10 h",
        "Fin : 15 janv. 2025 à 15 h 30 → 22 janv. 2025 à 11 h",
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
    auth.sign_in(world.manager)
    history = _page_history(client, enterprise, "en")
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
    auth.sign_in(world.manager)
    history = _page_history(client, enterprise)
    assert "Suivi : — → Rappeler la directrice" in history and "Fonction" not in history
    assert "Échéance : — → 2 mai 2025" in history and "Confié à : — → Camille Conseil" in history
    assert not ISO.search(history)


def test_the_page_sends_as_many_queries_whatever_the_history_holds(app, client, auth, make, world,  # noqa: F811
                                                                  smtp_server):
    enterprise = make.enterprise(world.org, coach=world.coach, contacts=3)
    _session_history(app, world, enterprise)
    _privacy_history(app, world, enterprise)
    _reminder_history(app, world, enterprise, smtp_server)
    auth.sign_in(world.manager)

    def count() -> int:
        url = f"/enterprises/{enterprise.id}"
        client.get(url)  # a first visit fills per-process caches
        with QueryCounter(app) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = count()
    for n in range(2):
        _session_history(app, world, enterprise, cohort_name=f"Cohorte {n}", day=date(2025, 2, 3 + n),
                         facilitator=make.user("coach", world.org, full_name=f"Animatrice {n}"))
        _privacy_history(app, world, enterprise)
        _reminder_history(app, world, enterprise, smtp_server, day=date(2030, 4, 1 + n), title=f"Suivi {n}")
    history = _page_history(client, enterprise)
    assert "Cohorte : — → Cohorte 1" in history and "Animation : — → Animatrice 1" in history
    assert history.count("Personne-ressource · Anonymisation") == 3
    assert history.count("Rappel par courriel · Nouvel envoi") == 3
    assert count() == few


def test_consent_and_anonymization_read_well_in_french_and_erase_for_good(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Coop du Plateau")
    anonymized_at = _privacy_history(client.application, world, enterprise)
    auth.sign_in(world.manager)
    history = _page_history(client, enterprise)

    for expected in (
        "Personne-ressource · Consentement retiré", "Personne-ressource · Consentement donné",
        "Finalité : Rappels de séances et de suivis par courriel",
        "Exprimé par : Appel du 2 mars", "Exprimé par : Courriel du 12 avril",
        "Exprimé par : Formulaire papier du 3 mai",
        "Consentement aux courriels : Oui → Non", "Consentement aux courriels : Non → Oui",
        "Personne-ressource · Anonymisation", "Motif : À la demande de la personne",
        "Renseignements effacés : Prénom, Nom, Fonction, Courriel, Téléphone, Comment le consentement a été donné",
        # Her earlier entries, scrubbed: the fields stay, their values read as erased.
        "Prénom : — → (renseignement effacé)", "Courriel : — → (renseignement effacé)",
        "Exprimé par : (renseignement effacé)",
    ):
        assert expected in history, (expected, history)
    when = re.search(r"Anonymisée le : — → (\d{1,2}(?:er)? \S+ \d{4}) à (\d{1,2} h(?: \d{2})?)", history)
    local = anonymized_at.astimezone(ZoneInfo("America/Toronto"))
    oqlf = f"{local.hour} h" + (f" {local.minute:02d}" if local.minute else "")  # « 9 h », « 14 h 05 »
    assert when and when.group(2) == oqlf and when.group(1).endswith(str(local.year)), history
    # Law 25: nothing the anonymization erased comes back through the history.
    for erased in ("Jeanne", "Tremblay", "Directrice", "555", "Formulaire signé"):
        assert erased not in history, (erased, history)
    assert not PRIVACY_RAW.search(history), PRIVACY_RAW.search(history)
    assert not CODES.search(history), CODES.search(history)
    assert not ISO.search(history)


def test_an_anonymization_at_the_end_of_retention_reads_well(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, contacts=1)
    with app.app_context():
        enterprises.archive_enterprise(db.session.get(Enterprise, enterprise.id), actor=None)
        db.session.commit()
        assert len(privacy.anonymize_expired_contacts(30, now=utcnow() + timedelta(days=31))) == 1
        db.session.commit()
    auth.sign_in(world.manager)
    history = _page_history(client, enterprise)
    assert "Système Personne-ressource · Anonymisation Motif : Durée de conservation échue" in history, history
    assert not PRIVACY_RAW.search(history), PRIVACY_RAW.search(history)
    assert not ISO.search(history)


def test_consent_and_anonymization_read_well_in_english(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    _privacy_history(client.application, world, enterprise)
    auth.sign_in(world.manager)
    history = _page_history(client, enterprise, "en")
    for expected in ("Contact · Consent withdrawn", "Contact · Consent given",
                     "Purpose: Email reminders of sessions and follow-ups", "Expressed through: Courriel du 12 avril",
                     "Consent to emails: Yes → No", "Contact · Anonymized", "Reason: At the person's request",
                     "Information erased: First name, Last name, Position, Email, Phone, How consent was given",
                     "First name: — → (erased)", "Expressed through: (erased)"):
        assert expected in history, (expected, history)
    assert re.search(r"Anonymized on: — → [A-Z][a-z]{2} \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M", history), history
    assert "Jeanne" not in history and "Tremblay" not in history
    assert not CODES.search(history), CODES.search(history)
    assert not ISO.search(history)


def test_reminder_entries_read_well_in_french(client, auth, make, world, smtp_server):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, contacts=1)
    _reminder_history(client.application, world, enterprise, smtp_server)
    auth.sign_in(world.manager)
    history = _page_history(client, enterprise)

    for expected in (
        "Séance · Modification du calendrier des rappels",
        "Rappels : Par défaut du programme → 7 jours avant, 1 jour avant",
        "Rappels : 7 jours avant, 1 jour avant → 2 jours avant, 90 minutes avant",
        "Rappels : 2 jours avant, 90 minutes avant → Par défaut du programme",
        "Gestionnaire Montréal Rappel par courriel · Nouvel envoi État : Échec → Planifié",
        "Système Personne-ressource · Consentement retiré",
        "Exprimé par : Lien de désabonnement d'un courriel de rappel",
    ):
        assert expected in history, (expected, history)
    # The refused reminder's error may name the person's address: the history does not show it.
    assert "No such mailbox" not in history
    assert not REMINDER_RAW.search(history), REMINDER_RAW.search(history)
    assert not CODES.search(history), CODES.search(history)
    assert not ISO.search(history)


def test_reminder_entries_read_well_in_english(client, auth, make, world, smtp_server):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, contacts=1)
    _reminder_history(client.application, world, enterprise, smtp_server)
    auth.sign_in(world.manager)
    history = _page_history(client, enterprise, "en")
    for expected in ("Session · Reminder schedule changed",
                     "Reminders: Programme default → 7 days before, 1 day before",
                     "Reminders: 7 days before, 1 day before → 2 days before, 90 minutes before",
                     "Email reminder · Sent again", "State: Failed → Planned",
                     "Contact · Consent withdrawn", "Expressed through: Opt-out link of a reminder email"):
        assert expected in history, (expected, history)
    assert not CODES.search(history), CODES.search(history)
    assert not ISO.search(history)


def test_the_session_form_calls_the_title_a_title(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.coach)
    page = client.get(f"/enterprises/{enterprise.id}/sessions/new").get_data(as_text=True)
    label = re.search(r'<label[^>]*for="title"[^>]*>\s*([^<*]+)', page).group(1).strip()
    assert label == "Titre"
