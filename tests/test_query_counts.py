"""Issue 10, point 4: every main page sends the same number of SQL queries whatever the data size.

The database is filled by the benchmark generator (``crm.demo.scale``) at a small factor, each page
is counted, then the data grows about fourfold (more enterprises, contacts, timeline entries,
stage histories, cohorts, sessions, attendance, reminders and imports) and every page must send
exactly as many queries as before. A page that starts loading rows one by one breaks the build.
"""
from datetime import timedelta

from sqlalchemy import func, select

from crm.auth.models import User
from crm.cohorts.models import Attendance, Cohort, CohortMembership, ProgrammeSession
from crm.contacts.models import Contact
from crm.db import utcnow
from crm.demo.scale import BENCH_ADMIN_EMAIL, seed_scale
from crm.demo.seed import DEMO_PASSWORD
from crm.enterprises.models import Activity, Enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.reminders.models import Reminder
from tests.cohorts_helpers import count_queries

COACH = "conseiller.estrie@virage.example"
MANAGER = "manager"  # the manager of the organization with the biggest cohort (found in the data)

PAGES = {
    COACH: ["/", "/board", "/caseload", "/enterprises/{enterprise}", "/enterprises"],
    MANAGER: ["/", "/board?who=all", "/enterprises/views", "/enterprises", "/enterprises?region=06&stage=awareness",
              "/enterprises?q=cooperative",
              "/enterprises?sort=-last_activity", "/cohorts/{cohort}", "/sessions/{session}", "/reports/",
              "/reports/enterprises.csv", "/reminders?state=", "/imports/", "/reports/pack"],
    BENCH_ADMIN_EMAIL: ["/enterprises", "/enterprises?q=tremblay", "/reports/", "/reports/enterprises.csv",
                        "/reminders?state=", "/imports/", "/reports/pack?period=programme", "/reports/pack.xlsx"],
}


def _heaviest(app) -> dict:
    """The coach's enterprise with the longest timeline, the manager's biggest cohort and its
    best-attended session: the pages that would grow first if a query ran per row."""
    with app.app_context():
        coach = db.session.scalar(select(User).where(User.email == COACH))
        enterprise = db.session.scalar(
            select(Enterprise.id).outerjoin(Activity, Activity.enterprise_id == Enterprise.id)
            .where(Enterprise.coach_id == coach.id).group_by(Enterprise.id)
            .order_by(func.count(Activity.id).desc(), Enterprise.id).limit(1))
        cohort = db.session.get(Cohort, db.session.scalar(
            select(Cohort.id).join(CohortMembership)
            .group_by(Cohort.id).order_by(func.count(CohortMembership.id).desc(), Cohort.id).limit(1)))
        manager = db.session.scalar(select(User.email).where(
            User.role == "manager", User.organization_id == cohort.organization_id).order_by(User.id).limit(1))
        session = db.session.scalar(
            select(ProgrammeSession.id).outerjoin(Attendance, Attendance.session_id == ProgrammeSession.id)
            .where(ProgrammeSession.cohort_id == cohort.id).group_by(ProgrammeSession.id)
            .order_by(func.count(Attendance.id).desc(), ProgrammeSession.id).limit(1))
        return {"enterprise": enterprise, "cohort": cohort.id, "session": session, "manager": manager}


def _add_reminders_and_imports(app, manager_email, how_many: int) -> None:
    """Failed and sent reminders and finished imports of the manager's organization."""
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == manager_email))
        sessions = db.session.scalars(
            select(ProgrammeSession).where(ProgrammeSession.organization_id == manager.organization_id)
            .order_by(ProgrammeSession.id).limit(how_many)).all()
        contacts = db.session.scalars(select(Contact).where(Contact.enterprise_id.in_(
            select(Enterprise.id).where(Enterprise.organization_id == manager.organization_id)))
            .order_by(Contact.id).limit(how_many)).all()
        start = db.session.scalar(select(func.count()).select_from(Reminder))
        for index, (session, contact) in enumerate(zip(sessions, contacts, strict=False)):
            db.session.add(Reminder(
                session_id=session.id, recipient_kind="contact", contact_id=contact.id,
                recipient_key=f"contact:{contact.id}", email=contact.email,
                due_at=session.starts_at - timedelta(days=1), state="failed" if index % 2 else "sent", attempts=1,
                offset_minutes=60 * (start + index), message_id=f"<counts-{start + index}@virage>"))
            db.session.add(ImportBatch(organization_id=manager.organization_id, created_by_id=manager.id,
                                       file_name=f"entreprises-{start + index}.csv", file_kind="csv",
                                       status="committed", row_count=10, committed_at=utcnow()))
        db.session.commit()


def _counts(app, client, auth, ids) -> dict:
    counts = {}
    for role, pages in PAGES.items():
        email = ids["manager"] if role == MANAGER else role
        auth.login(email, password=DEMO_PASSWORD)
        for template in pages:
            url = template.format(**ids)
            client.get(url)  # a first visit fills per-process caches (translations, templates)
            with count_queries(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, (email, url, response.status_code)
            counts[(role, template)] = len(statements)
        auth.logout()
    return counts


def test_main_pages_send_as_many_queries_with_four_times_the_data(app, client, auth):
    # Every export cached, at both sizes: the counted (second) one is then sent from the cache.
    # An export made afresh is counted in tests/test_reports_export_cache.py.
    app.config["EXPORT_STORE_MIN_ROWS"] = 0
    with app.app_context():
        seed_scale(0.01)
    ids = _heaviest(app)
    _add_reminders_and_imports(app, ids["manager"], 3)
    with app.app_context():
        small = db.session.scalar(select(func.count()).select_from(Enterprise))
    few = _counts(app, client, auth, ids)

    with app.app_context():
        seed_scale(0.03, extend=True)
    ids = _heaviest(app)
    _add_reminders_and_imports(app, ids["manager"], 12)
    with app.app_context():
        large = db.session.scalar(select(func.count()).select_from(Enterprise))
        assert db.session.scalar(select(func.count()).select_from(Attendance)) > 0
    many = _counts(app, client, auth, ids)

    assert large >= 4 * small
    assert few == many
