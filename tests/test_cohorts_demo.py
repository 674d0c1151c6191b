"""The demo shows the cohort pages in use: the Estrie cohort of 8 enterprises and its sessions."""
from sqlalchemy import func, select

from crm.cohorts.demo import ESTRIE_COHORT
from crm.cohorts.models import Attendance, Cohort, CohortMembership, Session
from crm.demo.seed import DEMO_PASSWORD
from crm.extensions import db


def test_demo_has_an_estrie_cohort_with_sessions_across_the_time_change(app, runner, client, auth):
    assert runner.invoke(args=["crm", "seed-demo"]).exit_code == 0
    assert runner.invoke(args=["crm", "seed-demo"]).exit_code == 0  # idempotent
    with app.app_context():
        cohort = db.session.scalars(select(Cohort).where(Cohort.name == ESTRIE_COHORT)).one()
        assert cohort.organization.code == "reses" and cohort.kind == "coaching_collective"
        members = db.session.scalar(select(func.count()).select_from(CohortMembership)
                                    .where(CohortMembership.cohort_id == cohort.id))
        sessions = db.session.scalars(select(Session).where(Session.cohort_id == cohort.id)
                                      .order_by(Session.starts_at)).all()
        assert members == 8 and len(sessions) == 4
        # The night session spans the change: 22:00 to 3:00 on the wall clock, six real hours.
        assert sessions[1].duration_minutes == 360
        assert db.session.scalar(select(func.count()).select_from(Attendance)) == 8
        cohort_id, session_id = cohort.id, sessions[1].id
    auth.login("conseiller.estrie@virage.example", DEMO_PASSWORD)
    mine = client.get("/calendar/mine").get_data(as_text=True)
    assert "Séance 3" in mine and "Séance 4" in mine
    assert client.get(f"/cohorts/{cohort_id}").status_code == 200
    assert client.get(f"/sessions/{session_id}.ics").status_code == 200
