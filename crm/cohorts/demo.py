"""Demo cohorts for ``flask crm seed-demo`` (idempotent): what the cohort pages look like in use.

An Estrie collective-coaching cohort of 8 enterprises owned by the RESE de l'Estrie, with four
sessions, one of them across the last November time change, attendance taken on the first; and a
small training cohort in Capitale-Nationale.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, select

from crm.auth.models import User
from crm.cohorts import queries, services, timeutil
from crm.cohorts.models import Cohort
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
    existing = set(db.session.scalars(select(Cohort.name)))
    if ESTRIE_COHORT not in existing:
        _estrie(organizations["reses"])
    if CAPITALE_COHORT not in existing:
        _capitale(organizations["pole-03"])
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


def _estrie(reses) -> None:
    today = timeutil.to_local(timeutil.now()).date()
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
    first = sessions[0]
    participants = queries.session_participants(first)
    marks = {p.enterprise.id: ("absent" if i == 6 else "excused" if i == 7 else "present")
             for i, p in enumerate(participants)}
    services.record_attendance(first, marks, {}, actor=coach, participants=participants)


def _capitale(pole) -> None:
    today = timeutil.to_local(timeutil.now()).date()
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
