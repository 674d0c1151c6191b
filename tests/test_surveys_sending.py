"""Surveys are created once per person present and sent once: run the worker twice, save the
attendance twice, run two senders at the same moment; when (after each session, at the cohort's end,
individual sessions), to whom (consent, erasure), and not for sessions of long ago."""
import threading
from collections import Counter
from datetime import datetime, timedelta

from crm import create_app
from crm.cohorts import services as cohort_services
from crm.cohorts import timeutil
from crm.cohorts.models import Cohort
from crm.contacts.models import Contact
from crm.domain import QUEBEC
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.surveys import integration, services
from tests.cohorts_helpers import freeze
from tests.conftest import BASE_CONFIG, post_form
from tests.referrals_helpers import signed_in
from tests.smtp import SMTPServer
from tests.surveys_helpers import build, surveys, take_attendance, worker


def test_one_survey_per_person_present_sent_once(app, make, runner, smtp_server):
    w = build(app, make, people=3)
    take_attendance(app, w.session_id, w.enterprise_ids[:2], absent=w.enterprise_ids[2:])
    worker(runner)
    worker(runner)
    take_attendance(app, w.session_id, w.enterprise_ids[:2], absent=w.enterprise_ids[2:])  # saved again
    worker(runner)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(w.emails[:2])
    rows = surveys(app)
    assert [(r.contact_id, r.session_id, r.cohort_id, r.state) for r in rows] == [
        (w.contact_ids[0], w.session_id, w.cohort_id, "sent"), (w.contact_ids[1], w.session_id, w.cohort_id, "sent")]
    # Marked present later (a correction): surveyed at the next round, the others not again.
    take_attendance(app, w.session_id, w.enterprise_ids)
    worker(runner)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(w.emails)


def _senders(database_uri, port, count):
    results, errors = {}, []
    barrier = threading.Barrier(count)
    apps = {f"sender-{i}": create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri, "MAIL_PORT": port})
            for i in range(count)}

    def run(name):
        try:
            with apps[name].app_context():
                barrier.wait()
                results[name] = integration.run_round(me=name)
                db.session.remove()
                db.engine.dispose()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(name,)) for name in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_two_senders_at_the_same_moment_create_and_send_each_survey_once(app, make, database_uri):
    w = build(app, make, people=30)
    take_attendance(app, w.session_id, w.enterprise_ids)
    with SMTPServer() as server:
        results = _senders(database_uri, server.port, 2)
        per_address = Counter(m["To"] for m in server.messages)
    assert sum(results.values()) == 30 and set(per_address.values()) == {1} and len(per_address) == 30
    assert len(surveys(app)) == 30


def test_a_cohort_surveyed_at_its_end_once_per_person(app, make, runner, smtp_server, monkeypatch):
    w = build(app, make, people=2)
    manager = signed_in(app, w.manager)
    response = post_form(manager, f"/cohorts/{w.cohort_id}/survey-timing", {"timing": "cohort_end"},
                         page=f"/cohorts/{w.cohort_id}")
    assert response.status_code == 302
    take_attendance(app, w.session_id, w.enterprise_ids)
    with app.app_context():
        cohort = db.session.get(Cohort, w.cohort_id)
        second = cohort_services.create_session(
            actor=None, cohort=cohort, starts_at=timeutil.now() - timedelta(hours=30),
            ends_at=timeutil.now() - timedelta(hours=28), title="Atelier 2", mode="in_person")
        db.session.commit()
        second_id, end_date = second.id, cohort.end_date
    take_attendance(app, second_id, w.enterprise_ids)
    worker(runner)
    assert smtp_server.messages == []  # not after each session
    freeze(monkeypatch, datetime.combine(end_date + timedelta(days=1), datetime.min.time()).replace(hour=9))
    worker(runner)
    worker(runner)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(w.emails)
    assert all(m["Subject"] in ("Votre avis sur Cohorte Estrie", "Your opinion on Cohorte Estrie")
               for m in smtp_server.messages)
    assert [(r.session_id, r.cohort_id) for r in surveys(app)] == [(None, w.cohort_id)] * 2


def test_the_app_setting_and_a_cohort_that_chose_no_survey(app, make, runner, smtp_server):
    w = build(app, make, people=1)
    take_attendance(app, w.session_id, w.enterprise_ids)
    app.config["SURVEY_TIMING"] = "none"
    try:
        worker(runner)
        assert smtp_server.messages == []
    finally:
        app.config["SURVEY_TIMING"] = "session"
    manager = signed_in(app, w.manager)
    post_form(manager, f"/cohorts/{w.cohort_id}/survey-timing", {"timing": "none"}, page=f"/cohorts/{w.cohort_id}")
    worker(runner)
    assert smtp_server.messages == []
    refused = post_form(manager, f"/cohorts/{w.cohort_id}/survey-timing", {"timing": "weekly"},
                        page=f"/cohorts/{w.cohort_id}")
    assert refused.status_code == 400


def test_individual_sessions_only_when_the_setting_says_so(app, make, runner, smtp_server):
    w = build(app, make, people=1)
    with app.app_context():
        enterprise = db.session.get(Enterprise, w.enterprise_ids[0])
        starts = timeutil.now() - timedelta(hours=4)
        session = cohort_services.create_session(actor=None, enterprise=enterprise, starts_at=starts,
                                                 ends_at=starts + timedelta(hours=1), title="Accompagnement",
                                                 mode="virtual")
        db.session.commit()
        session_id = session.id
    take_attendance(app, session_id, w.enterprise_ids)
    worker(runner)
    assert smtp_server.messages == []
    app.config["SURVEY_INDIVIDUAL_SESSIONS"] = True
    try:
        worker(runner)
    finally:
        app.config["SURVEY_INDIVIDUAL_SESSIONS"] = False
    assert [m["Subject"] for m in smtp_server.messages] == ["Votre avis sur Accompagnement"]


def test_nobody_without_consent_nor_for_sessions_of_long_ago(app, make, runner, smtp_server, monkeypatch):
    w = build(app, make, people=2)
    with app.app_context():
        db.session.get(Contact, w.contact_ids[1]).email_consent = False
        db.session.commit()
    take_attendance(app, w.session_id, w.enterprise_ids)
    later = timeutil.now() + timedelta(days=8)
    freeze(monkeypatch, later.astimezone(QUEBEC).replace(tzinfo=None))
    worker(runner)
    assert smtp_server.messages == []  # more than SURVEY_SEND_WITHIN_DAYS (7) after the session
    monkeypatch.undo()
    worker(runner)
    assert [m["To"] for m in smtp_server.messages] == [w.emails[0]]


def test_a_contact_who_withdrew_consent_before_sending_is_sent_nothing(app, make, runner, smtp_server):
    w = build(app, make, people=1)
    take_attendance(app, w.session_id, w.enterprise_ids)
    with app.app_context():
        services.queue_due_surveys(timeutil.now())
        db.session.commit()
        contact = db.session.get(Contact, w.contact_ids[0])
        contact.email_consent = False  # withdrew their consent since
        db.session.commit()
    worker(runner)
    assert smtp_server.messages == []
    assert [(r.state, r.last_error) for r in surveys(app)] == [
        ("cancelled", "contact erased or no longer receives emails")]
