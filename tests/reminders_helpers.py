"""Shared set-up of the reminder tests: a cohort session with French and English contacts."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from crm.cohorts import services as cohort_services
from crm.cohorts import timeutil
from crm.cohorts.models import Cohort, ProgrammeSession
from crm.contacts.models import Contact
from crm.extensions import db
from crm.reminders.models import Reminder

# Thursday 14 March 2030, 14:30 to 16:30 in Québec (daylight time since 10 March: UTC−4).
DAY = date(2030, 3, 14)
STARTS = datetime(2030, 3, 14, 18, 30, tzinfo=UTC)
ENDS = STARTS + timedelta(hours=2)
WEEK_BEFORE = STARTS - timedelta(days=7)
DAY_BEFORE = STARTS - timedelta(days=1)


@dataclass
class World:
    organization: object
    manager: object
    coach: object
    enterprise: object
    session_id: int
    cohort_id: int
    contact_ids: list  # [French contact, English contact]


def build_world(app, make, *, contacts=2, starts=STARTS, ends=ENDS, english_second=True) -> World:
    organization = make.organization()
    manager = make.user("manager", organization)
    coach = make.user("coach", organization, locale="en", full_name="Camille Roy")
    enterprise = make.enterprise(organization, coach=coach, contacts=contacts, name="Coopérative du Marais")
    with app.app_context():
        people = db.session.scalars(select(Contact).where(Contact.enterprise_id == enterprise.id)
                                    .order_by(Contact.id)).all()
        if english_second and len(people) > 1:
            people[1].preferred_language = "en"
        local_day = timeutil.to_local(starts).date()
        cohort = cohort_services.create_cohort(
            actor=None, facilitators=[db.session.get(type(coach), coach.id)], name="Cohorte numérique Estrie",
            kind="training", organization_id=organization.id, start_date=local_day - timedelta(days=60),
            end_date=local_day + timedelta(days=60), capacity=50, mode="in_person", place="Sherbrooke")
        cohort_services.enrol_enterprises(cohort, [db.session.get(type(enterprise), enterprise.id)], actor=None,
                                          move_stage=False, joined_on=local_day - timedelta(days=30))
        session = cohort_services.create_session(
            actor=None, cohort=cohort, starts_at=starts, ends_at=ends, title="Atelier commerce en ligne",
            mode="in_person", place="Salle 2, 45 rue King Ouest, Sherbrooke", facilitator_id=coach.id,
            agenda="Choisir une plateforme de vente")
        db.session.commit()
        return World(organization, manager, coach, enterprise, session.id, cohort.id, [c.id for c in people])


def add_session(app, world, *, starts, title="Séance"):
    with app.app_context():
        session = cohort_services.create_session(
            actor=None, cohort=db.session.get(Cohort, world.cohort_id), starts_at=starts,
            ends_at=starts + timedelta(hours=1), title=title, mode="virtual",
            meeting_url="https://meet.example/virage", facilitator_id=world.coach.id)
        db.session.commit()
        return session.id


def rows(app, **filters) -> list[Reminder]:
    with app.app_context():
        query = select(Reminder).order_by(Reminder.id)
        for name, value in filters.items():
            query = query.where(getattr(Reminder, name) == value)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return found


def count_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Reminder))


def get_session(app, session_id) -> ProgrammeSession:
    with app.app_context():
        session = db.session.get(ProgrammeSession, session_id)
        db.session.expunge(session)
        return session


def attachment_calendar(message) -> Calendar:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content() if isinstance(parts[0].get_content(), str)
                              else parts[0].get_content().decode())


def plain(text: str) -> str:
    """Babel puts no-break spaces in "14 h 30": compare with ordinary spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timeutil.to_utc(day, time(hour, minute)).utc
