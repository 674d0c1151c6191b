"""Helpers of the cohort tests: a frozen clock, query counting, cohorts made through services."""
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

from sqlalchemy import event, select

from crm.auth.models import User
from crm.cohorts import services, timeutil
from crm.domain import QUEBEC
from crm.enterprises.models import Enterprise
from crm.extensions import db


def freeze(monkeypatch, local: datetime) -> datetime:
    """Make ``now`` the given Québec local time for the cohort features; returns it in UTC."""
    utc = local.replace(tzinfo=QUEBEC).astimezone(UTC)
    monkeypatch.setattr("crm.db.utcnow", lambda: utc)
    return utc


@contextmanager
def count_queries(app):
    """Counts the SQL statements sent while the block runs (``len(result)``)."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def utc(day: date, at: time) -> datetime:
    return timeutil.to_utc(day, at).utc


def make_cohort(app, organization, *, facilitators=(), enterprises=(), kind="coaching_collective",
                start=date(2027, 9, 1), end=date(2027, 12, 20), capacity=60, **values):
    """A cohort made through the services (for tests whose subject is not cohort creation)."""
    with app.app_context():
        people = [db.session.get(User, u.id) for u in facilitators]
        cohort = services.create_cohort(
            actor=None, facilitators=people, name=values.pop("name", "Cohorte test"), kind=kind,
            organization_id=organization.id, start_date=start, end_date=end, capacity=capacity,
            mode=values.pop("mode", "virtual"), status="running", **values)
        rows = db.session.scalars(select(Enterprise).where(Enterprise.id.in_([e.id for e in enterprises]))).all()
        services.enrol_enterprises(cohort, rows, actor=None, move_stage=False, joined_on=start)
        db.session.commit()
        return cohort.id


def make_session(app, *, cohort_id=None, enterprise_id=None, day=date(2027, 10, 14), start=time(9),
                 end=time(12), facilitator=None, title="Séance test"):
    from crm.cohorts.models import Cohort

    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
        enterprise = db.session.get(Enterprise, enterprise_id) if enterprise_id else None
        session = services.create_session(
            actor=None, cohort=cohort, enterprise=enterprise, starts_at=utc(day, start), ends_at=utc(day, end),
            title=title, mode="virtual", facilitator_id=facilitator.id if facilitator else None)
        db.session.commit()
        return session.id
