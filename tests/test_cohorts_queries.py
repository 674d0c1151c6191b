"""Constant query counts at two data sizes, participants, coaching hours, the enterprise partial."""
import threading
from datetime import date, datetime, time, timedelta

import pytest
from flask import render_template
from sqlalchemy import func, select

from crm import create_app
from crm.cohorts import queries, services
from crm.cohorts.models import Cohort, CohortMembership, ProgrammeSession
from crm.contacts.models import Contact
from crm.domain import DomainError
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.cohorts_helpers import count_queries, freeze, make_cohort, make_session
from tests.conftest import BASE_CONFIG, post_form


def _world(app, make, size):
    org = make.organization()
    manager = make.user(role="manager", organization=org)
    coach = make.user(role="coach", organization=org)
    enterprises = [make.enterprise(org, coach=coach, contacts=2) for _ in range(size)]
    # The cohort page shows facilitators, former members and current contacts: each grows with size.
    others = [make.user(role="coach", organization=org) for _ in range(size // 5)]
    cohort = make_cohort(app, org, facilitators=[coach, *others], enterprises=enterprises)
    sessions = [make_session(app, cohort_id=cohort, facilitator=coach, day=date(2027, 10, d)) for d in (5, 12)]
    sessions += [make_session(app, cohort_id=cohort, facilitator=person, day=date(2027, 10, 13)) for person in others]
    with app.app_context():
        for session_id in sessions[:2]:
            session = db.session.get(ProgrammeSession, session_id)
            participants = queries.session_participants(session)
            services.record_attendance(session, {p.enterprise.id: "present" for p in participants},
                                       {p.enterprise.id: {p.contacts[0].id} for p in participants},
                                       actor=None, participants=participants)
        leaving = db.session.scalars(select(CohortMembership).where(CohortMembership.cohort_id == cohort)
                                     .order_by(CohortMembership.id).limit(size // 5)).all()
        for membership in leaving:
            services.leave_cohort(membership, actor=None, left_on=date(2027, 10, 15))
        for contact in db.session.scalars(select(Contact).where(Contact.enterprise_id.in_(
                [e.id for e in enterprises[::2]]))):
            contact.archived_at = datetime(2027, 10, 1)
        db.session.commit()
    return manager, coach, cohort, sessions, enterprises


PAGES = ["/cohorts", "/cohorts/{cohort}", "/cohorts/{cohort}?q=Test", "/sessions/{session}",
         "/sessions/{session}/attendance", "/calendar/month?month=2027-10", "/calendar/week?date=2027-10-05",
         "/calendar/mine"]


def _counts(app, client, auth, user, cohort, session):
    auth.sign_in(user)
    counts = {}
    for template in PAGES:
        url = template.format(cohort=cohort, session=session)
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[template] = len(statements)
    auth.logout()
    return counts


def test_pages_issue_the_same_number_of_queries_for_5_and_50_enterprises(app, client, auth, make, monkeypatch):
    freeze(monkeypatch, datetime(2027, 10, 20, 12))
    small = _world(app, make, 5)
    large = _world(app, make, 50)
    for position in (0, 1):  # as manager, then as coach
        few = _counts(app, client, auth, small[position], small[2], small[3][0])
        many = _counts(app, client, auth, large[position], large[2], large[3][0])
        assert few == many
        # The viewer; the cohort with its facilitators; its members, contacts and attendance; its sessions;
        # the surveys' section (crm/surveys): its results, and for a manager the comments and the timing.
        assert few["/cohorts/{cohort}"] <= 4 + 3
    page = client.application.test_client()
    assert page  # the pages above were all 200


def test_participants_follow_membership_dates_and_email_consent(app, make, monkeypatch):
    org = make.organization()
    early, late, gone = (make.enterprise(org, contacts=2) for _ in range(3))
    cohort = make_cohort(app, org, enterprises=[early, gone], start=date(2027, 9, 1))
    with app.app_context():
        from crm.cohorts.models import Cohort, CohortMembership

        c = db.session.get(Cohort, cohort)
        services.enrol_enterprises(c, [db.session.get(Enterprise, late.id)], actor=None, move_stage=False,
                                   joined_on=date(2027, 10, 10))
        membership = db.session.scalar(select(CohortMembership).filter_by(cohort_id=cohort, enterprise_id=gone.id))
        services.leave_cohort(membership, actor=None, left_on=date(2027, 10, 10))
        no_consent = db.session.scalars(select(Contact).where(Contact.enterprise_id == early.id)).first()
        no_consent.email_consent = False
        db.session.commit()
    before = make_session(app, cohort_id=cohort, day=date(2027, 10, 5))
    after = make_session(app, cohort_id=cohort, day=date(2027, 10, 10))
    with app.app_context():
        def names(session_id):
            with count_queries(app) as statements:
                found = queries.session_participants(db.session.get(ProgrammeSession, session_id))
            return {p.enterprise.id: len(p.contacts) for p in found}, len(statements)

        first, n1 = names(before)
        second, n2 = names(after)
    assert first == {early.id: 1, gone.id: 2}
    assert second == {early.id: 1, late.id: 2}  # joined that day; the other left that day
    assert n1 <= 3 and n2 <= 3


def test_coaching_hours_count_individual_sessions_attended_only(app, make, monkeypatch):
    freeze(monkeypatch, datetime(2027, 11, 30, 12))
    org = make.organization()
    coach = make.user(role="coach", organization=org)
    coached, other = make.enterprise(org, coach=coach), make.enterprise(org, coach=coach)
    cohort = make_cohort(app, org, facilitators=[coach], enterprises=[coached])
    attended = make_session(app, enterprise_id=coached.id, day=date(2027, 11, 6), start=time(23), end=time(23, 59))
    across = make_session(app, enterprise_id=coached.id, day=date(2027, 11, 7), start=time(0, 30), end=time(2, 30))
    missed = make_session(app, enterprise_id=coached.id, day=date(2027, 11, 10))
    collective = make_session(app, cohort_id=cohort, day=date(2027, 11, 11))
    with app.app_context():
        for session_id, status in ((attended, "present"), (across, "present"), (missed, "absent"),
                                   (collective, "present")):
            session = db.session.get(ProgrammeSession, session_id)
            services.record_attendance(session, {coached.id: status}, {}, actor=None,
                                       participants=queries.session_participants(session))
        db.session.commit()
        rows = dict(db.session.execute(queries.coaching_hours([coached.id, other.id])).all())
        # 59 minutes + 00:30 EDT to 02:30 EST = three real hours.
        assert rows == {coached.id: 59 + 180}
        by_select = dict(db.session.execute(queries.coaching_hours(select(Enterprise.id))).all())
        assert by_select == rows
        data = queries.enterprise_sessions(coached.id)
        assert data.coaching_minutes == 239 and len(data.past) == 4 and data.memberships
        with app.test_request_context():
            html = render_template("cohorts/_enterprise_sessions.html", enterprise_sessions=data,
                                   enterprise=db.session.get(Enterprise, coached.id), can_plan_session=True,
                                   past_sessions_shown=10, all_past_sessions=False)
        assert "Cohorte test" in html and "Absente" in html and "Accompagnement individuel reçu : 4 h" in html


def test_enterprise_partial_loads_in_constant_queries(app, make):
    org = make.organization()
    small_e, large_e = make.enterprise(org), make.enterprise(org)
    for enterprise, count in ((small_e, 1), (large_e, 6)):
        for i in range(count):
            cohort = make_cohort(app, org, enterprises=[enterprise], name=f"C{i}")
            make_session(app, cohort_id=cohort, day=date(2027, 10, 1 + i))
            make_session(app, enterprise_id=enterprise.id, day=date(2027, 10, 1 + i), start=time(14), end=time(15))
    with app.app_context():
        sizes = []
        for enterprise in (small_e, large_e):
            with count_queries(app) as statements:
                data = queries.enterprise_sessions(enterprise.id)
                with app.test_request_context():
                    render_template("cohorts/_enterprise_sessions.html", enterprise_sessions=data)
            sizes.append(len(statements))
        assert sizes[0] == sizes[1]


def test_manager_adds_enterprises_in_bulk_only_within_capacity(app, client, auth, make):
    org = make.organization()
    manager = make.user(role="manager", organization=org)
    enterprises = [make.enterprise(org, stage="identified") for _ in range(3)]
    cohort = make_cohort(app, org, kind="training", capacity=2)
    auth.sign_in(manager)
    response = post_form(client, "/cohorts/enrol", {"cohort_id": cohort, "enterprise_ids": [e.id for e in enterprises],
                                                    "move_stage": "y", "next": "/cohorts"}, page="/cohorts/new")
    assert response.headers["Location"] == "/cohorts"
    page = client.get("/cohorts").get_data(as_text=True)
    assert "La cohorte est complète : 2 places libres pour 3 entreprises" in page
    post_form(client, "/cohorts/enrol", {"cohort_id": cohort, "enterprise_ids": [e.id for e in enterprises[:2]],
                                         "move_stage": "y"}, page="/cohorts/new")
    with app.app_context():
        stages = [db.session.get(Enterprise, e.id).stage for e in enterprises]
    assert stages == ["training", "training", "identified"]
    response = post_form(client, "/cohorts/enrol", {"cohort_id": cohort, "enterprise_ids": ["abc"]},
                         page="/cohorts/new", follow_redirects=True)
    assert response.status_code == 200 and 'class="flash flash-error"' in response.get_data(as_text=True)
    assert client.get("/cohorts/enrol").status_code == 405


@pytest.mark.postgres_only
def test_two_enrolments_at_the_same_instant_never_exceed_the_capacity(app, make, database_uri):
    org = make.organization()
    candidates = [make.enterprise(org, name=f"Candidate {n}") for n in range(2)]
    cohort_id = make_cohort(app, org, capacity=1)
    apps = [create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri}) for _ in candidates]
    barrier, outcomes = threading.Barrier(2), []

    def enrol(own_app, enterprise_id):
        with own_app.app_context():
            cohort = db.session.get(Cohort, cohort_id)
            enterprise = db.session.get(Enterprise, enterprise_id)
            barrier.wait()
            try:
                services.enrol_enterprises(cohort, [enterprise], actor=None, move_stage=False)
                db.session.commit()
                outcomes.append("joined")
            except DomainError:
                db.session.rollback()
                outcomes.append("full")
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=enrol, args=(a, e.id)) for a, e in zip(apps, candidates, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["full", "joined"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CohortMembership)
                                 .where(CohortMembership.cohort_id == cohort_id)) == 1


def test_the_cohort_list_pages_every_cohort_with_its_member_count(app, client, auth, make):
    """At the province's scale the programme office sees 400 cohorts: none may fall off the list."""
    org = make.organization()
    admin = make.user(role="admin", organization=org)
    people = [make.enterprise(org, name=f"Membre {n}") for n in range(3)]
    for n in range(52):
        make_cohort(app, org, name=f"Cohorte {n:02d}", start=date(2027, 1, 1) + timedelta(days=n),
                    end=date(2027, 12, 1), enterprises=people if n == 51 else ())
    auth.sign_in(admin)
    first = client.get("/cohorts").get_data(as_text=True)
    assert "52 cohortes." in first and "Cohorte 51" in first and "Cohorte 01" not in first
    assert "3 / 60" in first and 'aria-current="page"' in first
    second = client.get("/cohorts?page=2").get_data(as_text=True)
    assert "Cohorte 01" in second and "Cohorte 00" in second and "Cohorte 51" not in second
    assert "52 cohortes." in client.get("/cohorts?kind=coaching_collective").get_data(as_text=True)
