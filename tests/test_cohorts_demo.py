"""The demo shows the cohort pages in use: the Estrie cohort of 8 enterprises and its sessions, dated
from the day of the seeding so that "My sessions" and the reminders always have something to show."""
from datetime import datetime

from sqlalchemy import func, select

from crm.cohorts import timeutil
from crm.cohorts.demo import CAPITALE_COHORT, ESTRIE_COHORT
from crm.cohorts.models import Attendance, Cohort, CohortMembership, ProgrammeSession
from crm.demo.seed import DEMO_PASSWORD
from crm.extensions import db
from crm.reminders.models import Reminder
from tests.cohorts_helpers import freeze


def seed(runner):
    result = runner.invoke(args=["crm", "seed-demo"])
    assert result.exit_code == 0, result.output


def schedule(app, name) -> list[tuple[str, int]]:
    """(local start, enterprises marked) of the cohort's sessions, in order."""
    with app.app_context():
        sessions = db.session.scalars(select(ProgrammeSession).join(Cohort).where(Cohort.name == name)
                                      .order_by(ProgrammeSession.starts_at)).all()
        return [(timeutil.to_local(s.starts_at).strftime("%Y-%m-%d %H:%M"),
                 db.session.scalar(select(func.count()).select_from(Attendance)
                                   .where(Attendance.session_id == s.id)))
                for s in sessions]


def pending_reminders(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.state == "pending"))


def test_demo_has_an_estrie_cohort_with_sessions_across_the_time_change(app, runner, client, auth, monkeypatch):
    freeze(monkeypatch, datetime(2026, 11, 26, 10))  # a Thursday; the clocks fell back on Sunday, November 1
    seed(runner)
    seed(runner)  # idempotent
    with app.app_context():
        cohort = db.session.scalars(select(Cohort).where(Cohort.name == ESTRIE_COHORT)).one()
        assert cohort.organization.code == "reses" and cohort.kind == "coaching_collective"
        members = db.session.scalar(select(func.count()).select_from(CohortMembership)
                                    .where(CohortMembership.cohort_id == cohort.id))
        sessions = db.session.scalars(select(ProgrammeSession).where(ProgrammeSession.cohort_id == cohort.id)
                                      .order_by(ProgrammeSession.starts_at)).all()
        assert members == 8 and len(sessions) == 4
        # The night session spans the change: 22:00 to 3:00 on the wall clock, six real hours.
        assert sessions[1].duration_minutes == 360
        assert db.session.scalar(select(func.count()).select_from(Attendance)) == 8
        cohort_id, session_id = cohort.id, sessions[1].id
    # Two sessions held (attendance taken on the first), the next ones next Wednesday and two weeks later.
    assert schedule(app, ESTRIE_COHORT) == [
        ("2026-10-12 09:00", 8), ("2026-10-31 22:00", 0), ("2026-12-02 09:00", 0), ("2026-12-16 13:30", 0)]
    assert schedule(app, CAPITALE_COHORT) == [
        ("2026-12-01 13:00", 0), ("2026-12-08 13:00", 0), ("2026-12-15 13:00", 0)]
    assert pending_reminders(app) > 0  # waiting in the outbox for `flask reminders send`
    auth.login("conseiller.estrie@virage.example", DEMO_PASSWORD)
    mine = client.get("/calendar/mine").get_data(as_text=True)
    assert "Séance 3" in mine and "Séance 4" in mine
    assert client.get(f"/cohorts/{cohort_id}").status_code == 200
    assert client.get(f"/sessions/{session_id}.ics").status_code == 200


def test_a_demo_seeded_months_ago_catches_up_when_seeded_again(app, runner, client, auth, monkeypatch):
    freeze(monkeypatch, datetime(2026, 11, 26, 10))
    seed(runner)
    freeze(monkeypatch, datetime(2027, 2, 10, 8))  # a Wednesday: every demo session is over
    seed(runner)
    later = schedule(app, ESTRIE_COHORT), schedule(app, CAPITALE_COHORT), pending_reminders(app)
    seed(runner)  # still idempotent on the same day
    assert (schedule(app, ESTRIE_COHORT), schedule(app, CAPITALE_COHORT), pending_reminders(app)) == later

    estrie, capitale, pending = later
    # The sessions held have their attendance; two more are planned, next week and two weeks after.
    assert estrie == [("2026-10-12 09:00", 8), ("2026-10-31 22:00", 8), ("2026-12-02 09:00", 8),
                      ("2026-12-16 13:30", 8), ("2027-02-17 09:00", 0), ("2027-03-03 09:00", 0)]
    assert capitale == [("2026-12-01 13:00", 5), ("2026-12-08 13:00", 5), ("2026-12-15 13:00", 5),
                        ("2027-02-16 13:00", 0), ("2027-03-02 13:00", 0)]
    assert pending > 0
    with app.app_context():
        cohort = db.session.scalars(select(Cohort).where(Cohort.name == ESTRIE_COHORT)).one()
        assert cohort.end_date >= datetime(2027, 3, 3).date()
    auth.login("conseiller.estrie@virage.example", DEMO_PASSWORD)
    mine = client.get("/calendar/mine").get_data(as_text=True)
    assert "Séance 5 : suivi du plan d&#39;action" in mine and "Séance 6" in mine
    assert "Séance 4" not in mine
