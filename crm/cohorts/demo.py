"""Demo cohorts for ``flask crm seed-demo`` (idempotent): what the cohort pages look like in use.

An Estrie collective-coaching cohort of 8 enterprises owned by the RESE de l'Estrie, with four
sessions, one of them across the last November time change, attendance taken on the first; and a
small training cohort in Capitale-Nationale. Dates follow the day of the seeding: the next sessions
are always in the coming days and weeks, so "My sessions" and the reminders have something to show.

A demo database seeded weeks ago has only past sessions left: the next ``seed-demo`` catches up,
as the facilitators would have (attendance of the sessions held, two more planned).
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, select

from crm.auth.models import User
from crm.cohorts import queries, services, timeutil
from crm.cohorts.models import Attendance, Cohort, ProgrammeSession
from crm.enterprises.models import Enterprise
from crm.extensions import db

ESTRIE_COHORT = "Accompagnement collectif numérique — Estrie"
CAPITALE_COHORT = "Formation Audit industrie 4.0 — Capitale-Nationale"


def _last_fall_back(today: date) -> date:
    """The most recent first Sunday of November (end of daylight time) on or before ``today``."""
    year = today.year if today >= _first_sunday_of_november(today.year) else today.year - 1
    return _first_sunday_of_november(year)


def _first_sunday_of_november(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timeutil.to_utc(day, time(hour, minute)).utc


def seed_cohorts(organizations) -> None:
    today = timeutil.to_local(timeutil.now()).date()
    existing = {c.name: c for c in db.session.scalars(
        select(Cohort).where(Cohort.name.in_((ESTRIE_COHORT, CAPITALE_COHORT))))}
    estrie = existing.get(ESTRIE_COHORT) or _estrie(organizations["reses"], today)
    capitale = existing.get(CAPITALE_COHORT) or _capitale(organizations["pole-03"], today)
    _catch_up(estrie, today, weekday=2, hours=(time(9), time(12)), title="Séance {n} : suivi du plan d'action")
    _catch_up(capitale, today, weekday=1, hours=(time(13), time(16)),
              title="Formation — séance {n} : retour d'expérience")
    db.session.flush()


def _staff(organization, role):
    return db.session.scalars(select(User).where(User.organization_id == organization.id, User.role == role)
                              .order_by(User.id)).first()


def _candidates(organization, regions, how_many):
    """Enterprises of the region first, then of the neighbouring ones (the demo has few per region)."""
    rank = case({code: i for i, code in enumerate(regions)}, value=Enterprise.region_code)
    return db.session.scalars(
        select(Enterprise).where(Enterprise.region_code.in_(regions), Enterprise.archived_at.is_(None),
                                 Enterprise.stage.not_in(("withdrawn", "completed")))
        .order_by(rank, (Enterprise.organization_id == organization.id).desc(), Enterprise.id)
        .limit(how_many)).all()


def _next(today: date, weekday: int, weeks: int) -> date:
    """The given weekday (0 = Monday) ``weeks`` weeks after the next one."""
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7, weeks=weeks)


def _estrie(reses, today: date) -> Cohort:
    change = _last_fall_back(today)
    manager, coach = _staff(reses, "manager"), _staff(reses, "coach")
    cohort = services.create_cohort(
        actor=manager, facilitators=[coach], name=ESTRIE_COHORT, kind="coaching_collective",
        organization_id=reses.id, start_date=change - timedelta(days=30),
        end_date=max(change + timedelta(days=120), today + timedelta(days=60)), capacity=8, mode="hybrid",
        place="Sherbrooke, Maison de l'économie sociale", region_code="05", status="running",
        description="Huit entreprises de l'Estrie avancent ensemble vers leur plan numérique.")
    services.enrol_enterprises(cohort, _candidates(reses, ("05", "17", "16"), 8), actor=manager, move_stage=True,
                               joined_on=cohort.start_date)
    saturday = change - timedelta(days=1)
    plans = [
        ("Séance 1 : diagnostic numérique", _at(change - timedelta(days=20), 9), _at(change - timedelta(days=20), 12)),
        # Across the night the clocks fall back: 22:00 daylight time to 3:00 standard time is 6 hours.
        ("Séance 2 : atelier de nuit « changement d'heure »", _at(saturday, 22), _at(change, 3)),
        ("Séance 3 : plan d'action", _at(_next(today, 2, 0), 9), _at(_next(today, 2, 0), 12)),
        ("Séance 4 : bilan et suites", _at(_next(today, 2, 2), 13, 30), _at(_next(today, 2, 2), 16)),
    ]
    sessions = [services.create_session(actor=manager, cohort=cohort, starts_at=start, ends_at=end, title=title,
                                        mode="hybrid", place=cohort.place, facilitator_id=coach.id,
                                        meeting_url="https://visio.virage.example/estrie",
                                        agenda="Tour de table, atelier, prochaines étapes.")
                for title, start, end in plans]
    _take_attendance(sessions[0], coach)
    return cohort


def _take_attendance(session: ProgrammeSession, coach: User) -> None:
    participants = queries.session_participants(session)
    marks = {p.enterprise.id: ("absent" if i == 6 else "excused" if i == 7 else "present")
             for i, p in enumerate(participants)}
    # Who came: each enterprise present sent its first contact (the satisfaction surveys ask them).
    came = {p.enterprise.id: {p.all_contacts[0].id} for p in participants
            if marks[p.enterprise.id] == "present" and p.all_contacts}
    services.record_attendance(session, marks, came, actor=coach, participants=participants)


def _capitale(pole, today: date) -> Cohort:
    manager, coach = _staff(pole, "manager"), _staff(pole, "coach")
    cohort = services.create_cohort(
        actor=manager, facilitators=[coach], name=CAPITALE_COHORT, kind="training", organization_id=pole.id,
        start_date=today - timedelta(days=14), end_date=today + timedelta(days=60), capacity=12, mode="virtual",
        region_code="03", status="running", description="Formation en ligne en trois demi-journées.")
    services.enrol_enterprises(cohort, _candidates(pole, ("03", "12"), 5), actor=manager, move_stage=True,
                               joined_on=cohort.start_date)
    for part in (1, 2, 3):
        day = _next(today, 1, part - 1)
        services.create_session(actor=manager, cohort=cohort, starts_at=_at(day, 13), ends_at=_at(day, 16),
                                title=f"Formation — partie {part}", mode="virtual",
                                meeting_url="https://visio.virage.example/capitale", facilitator_id=coach.id)
    return cohort


def _catch_up(cohort: Cohort, today: date, *, weekday: int, hours: tuple[time, time], title: str) -> None:
    """When every session of the cohort is over: attendance of those held, and two more sessions."""
    now = timeutil.now()
    sessions = db.session.scalars(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id, ProgrammeSession.status != "cancelled")
        .order_by(ProgrammeSession.starts_at)).all()
    if any(s.starts_utc > now for s in sessions):
        return
    manager, coach = _staff(cohort.organization, "manager"), cohort.facilitators[0]
    marked = set(db.session.scalars(select(Attendance.session_id).where(
        Attendance.session_id.in_([s.id for s in sessions]))))
    for session in sessions:
        if session.id not in marked:
            _take_attendance(session, coach)
    days = [_next(today, weekday, 0), _next(today, weekday, 2)]
    if cohort.end_date < days[-1]:
        services.update_cohort(cohort, actor=manager, facilitators=cohort.facilitators,
                               end_date=days[-1] + timedelta(days=30))
    start, end = hours
    for number, day in enumerate(days, start=len(sessions) + 1):
        services.create_session(actor=manager, cohort=cohort, title=title.format(n=number),
                                starts_at=timeutil.to_utc(day, start).utc, ends_at=timeutil.to_utc(day, end).utc,
                                mode=cohort.mode, place=cohort.place, facilitator_id=coach.id,
                                meeting_url=sessions[-1].meeting_url if sessions else None)
