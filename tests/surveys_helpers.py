"""Shared set-up of the survey tests: an organization with a training cohort and a session that
ended two hours ago, its enterprises (one contact each, French or English), another organization
with its manager, and the worker's round."""
import re
from dataclasses import dataclass, field
from datetime import timedelta

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
