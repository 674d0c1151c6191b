"""Shared set-up of the survey tests: an organization with a training cohort and a session that
ended two hours ago, its enterprises (one contact each, French or English), another organization
with its manager, and the worker's round."""
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from crm.auth.models import User
from crm.cohorts import queries as cohort_queries
from crm.cohorts import services as cohort_services
from crm.cohorts import timeutil
from crm.cohorts.models import ProgrammeSession
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.surveys.models import Survey

SURVEY_LINK = re.compile(r"http://127\.0\.0\.1:5000(/surveys/answer/[^\s?]+)\?lang=(\w+)")


@dataclass
class World:
    org: object
    other: object
    manager: object
    coach: object
    other_manager: object
    admin: object
    cohort_id: int
    session_id: int
    enterprise_ids: list = field(default_factory=list)
    contact_ids: list = field(default_factory=list)
    emails: list = field(default_factory=list)


def build(app, make, *, people=2, languages=("fr", "en"), cohort_kind="training") -> World:
    org = make.organization(name="Pôle Estrie", code="estrie")
    other = make.organization(name="Pôle Outaouais", code="outaouais")
    office = make.organization(name="Bureau du programme", code="bureau")
    manager = make.user("manager", org, full_name="Gestion Estrie")
    coach = make.user("coach", org, full_name="Conseil Estrie")
    other_manager = make.user("manager", other, full_name="Gestion Outaouais")
    admin = make.user("admin", office, full_name="Admin Bureau")
    enterprises = [make.enterprise(org, coach=coach, contacts=1, name=f"Coopérative {n}") for n in range(people)]
    with app.app_context():
        now = timeutil.now().replace(microsecond=0)
        rows = [db.session.get(Enterprise, e.id) for e in enterprises]
        cohort = cohort_services.create_cohort(
            actor=None, facilitators=[db.session.get(User, coach.id)], name="Cohorte Estrie", kind=cohort_kind,
            organization_id=org.id, start_date=(now - timedelta(days=30)).date(),
            end_date=(now + timedelta(days=30)).date(), capacity=50, mode="in_person", status="running")
        cohort_services.enrol_enterprises(cohort, rows, actor=None, move_stage=False,
                                          joined_on=(now - timedelta(days=20)).date())
        starts = now - timedelta(hours=5)
        session = cohort_services.create_session(actor=None, cohort=cohort, starts_at=starts,
                                                 ends_at=starts + timedelta(hours=3), title="Atelier vitrine web",
                                                 mode="in_person", facilitator_id=coach.id)
        contacts = [row.contacts[0] for row in rows]
        for n, contact in enumerate(contacts):
            contact.preferred_language = languages[n % len(languages)]
        db.session.commit()
        world = World(org, other, manager, coach, other_manager, admin, cohort.id, session.id,
                      [e.id for e in enterprises], [c.id for c in contacts], [c.email for c in contacts])
    return world


def take_attendance(app, session_id: int, present: list[int], *, absent=()) -> None:
    """Mark the enterprises present (with their contact) or absent, as the attendance sheet does."""
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        participants = cohort_queries.session_participants(session)
        marks = {e: "present" for e in present} | {e: "absent" for e in absent}
        came = {p.enterprise.id: {c.id for c in p.all_contacts} for p in participants
                if p.enterprise.id in present}
        cohort_services.record_attendance(session, marks, came, actor=None, participants=participants)
        db.session.commit()


def worker(runner) -> None:
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output


def surveys(app) -> list[Survey]:
    with app.app_context():
        rows = db.session.scalars(select(Survey).order_by(Survey.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


# --- A hand-built data set of answered surveys (tests/test_surveys_results.py checks every figure) ---

SENT = datetime(2026, 4, 10, 15, tzinfo=UTC)
_numbers = itertools.count(1)
# (satisfaction, usefulness, intention, recommend, comment) of the answers of each group.
FIRST = [(5, 4, "yes", True, "Très utile"), (4, 4, "yes", True, None), (4, 3, "maybe", False, None),
         (3, 3, "no", True, None), (5, 5, "yes", True, "Formatrice claire")]
SECOND = [(2, 2, "no", False, "Trop rapide"), (3, 4, "yes", True, None)]
OTHER = [(1, 1, "no", False, "Commentaire de B")]


def add_survey(org, enterprise_id, *, session=None, cohort=None, answer=None, state="sent", sent_at=SENT):
    row = Survey(organization_id=org, enterprise_id=enterprise_id, session_id=session.id if session else None,
                 cohort_id=cohort.id if cohort else (session.cohort_id if session else None),
                 closes_at=SENT + timedelta(days=30), due_at=SENT, state=state, attempts=1,
                 sent_at=sent_at if state == "sent" else None, message_id=f"<survey-{next(_numbers)}@test>")
    if answer:
        row.satisfaction, row.usefulness, row.intention, row.recommend, row.comment = answer
        row.answered_at = sent_at + timedelta(hours=2)
    db.session.add(row)


def add_session(cohort, title, day):
    starts = datetime(2026, 4, day, 13, tzinfo=UTC)
    return cohort_services.create_session(actor=None, cohort=cohort, starts_at=starts,
                                          ends_at=starts + timedelta(hours=3), title=title, mode="in_person")


def add_cohort(org, name):
    return cohort_services.create_cohort(
        actor=None, facilitators=[], name=name, kind="training", organization_id=org.id,
        start_date=date(2026, 4, 1), end_date=date(2026, 6, 30), capacity=30, mode="in_person", status="running")


def hand_built(app, make):
    """Organization A: session 1 (6 sent, 5 answered), session 2 (4 sent, 2 answered), the end of a
    second cohort (3 sent, none answered), one not sent yet; organization B: 2 sent, 1 answered."""
    a, b = make.organization(name="Pôle A"), make.organization(name="Pôle B")
    people = {"manager": make.user("manager", a), "coach": make.user("coach", a),
              "other_manager": make.user("manager", b), "admin": make.user("admin", make.organization(name="Bureau"))}
    ea, eb = make.enterprise(a), make.enterprise(b)
    with app.app_context():
        first_cohort, second_cohort = add_cohort(a, "Cohorte Vitrine"), add_cohort(a, "Cohorte Données")
        other_cohort = add_cohort(b, "Cohorte B")
        s1, s2 = add_session(first_cohort, "Séance 1", 10), add_session(first_cohort, "Séance 2", 17)
        s3 = add_session(other_cohort, "Séance B", 10)
        for answer in [*FIRST, None]:
            add_survey(a.id, ea.id, session=s1, answer=answer)
        for answer in [*SECOND, None, None]:
            add_survey(a.id, ea.id, session=s2, answer=answer)
        for _ in range(3):
            add_survey(a.id, ea.id, cohort=second_cohort)
        add_survey(a.id, ea.id, session=s1, state="pending")
        add_survey(b.id, eb.id, session=s3, answer=OTHER[0])
        add_survey(b.id, eb.id, session=s3)
        db.session.commit()
        ids = {"a": a.id, "b": b.id, "s1": s1.id, "s2": s2.id, "first_cohort": first_cohort.id,
               "second_cohort": second_cohort.id, "ea": ea.id, "eb": eb.id}
    return people, ids
