"""The coaches' daily digest (crm/workqueue/digest.py): what it says, in whose language, once per
coach and day even with two commands at once, and the account page's switch."""
import threading
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from crm import create_app
from crm.auth.models import User
from crm.cohorts import services as cohort_services
from crm.cohorts import timeutil
from crm.enterprises import timeline
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.workqueue import digest
from crm.workqueue.models import DigestEmail, DigestOptOut
from tests.conftest import BASE_CONFIG, csrf_token
from tests.enterprises_helpers import world  # noqa: F401 - fixture


def _body(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\u202f", " ").replace("\xa0", " ")


def _coach_day(app, make, world, *, locale=None):  # noqa: F811
    """The coach's overdue follow-up, a follow-up due today, one later, a session tomorrow at 14 h 30
    and a quiet enterprise."""
    today = timeline.today_in_quebec()
    with app.app_context():
        coach = db.session.get(User, world.coach.id)
        coach.locale = locale
        db.session.commit()
    busy = make.enterprise(world.org, coach=world.coach, name="Coop du Lac")
    quiet = make.enterprise(world.org, coach=world.coach, name="Coop silencieuse")
    with app.app_context():
        coach = db.session.get(User, world.coach.id)
        row = db.session.get(Enterprise, busy.id)
        timeline.add_task(row, actor=None, title="Rappeler la directrice", due_on=today - timedelta(days=2),
                          assignee=coach)
        timeline.add_task(row, actor=None, title="Envoyer le devis", due_on=today, assignee=coach)
        timeline.add_task(row, actor=None, title="Plus tard", due_on=today + timedelta(days=4), assignee=coach)
        starts = timeutil.to_utc(today + timedelta(days=1), time(14, 30)).utc
        cohort_services.create_session(actor=None, enterprise=row, starts_at=starts,
                                       ends_at=starts + timedelta(hours=1), title="Accompagnement numérique",
                                       mode="virtual", facilitator_id=coach.id)
        still = db.session.get(Enterprise, quiet.id)
        still.last_activity_at = still.created_at = datetime.now(UTC) - timedelta(days=45)
        db.session.commit()


def test_the_digest_tells_the_coach_their_day_in_french(app, make, world, runner, smtp_server):  # noqa: F811
    _coach_day(app, make, world)
    result = runner.invoke(args=["workqueue", "digest"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output  # the colleague and the managers have nothing, or no digest
    (message,) = smtp_server.mailbox.to(world.coach.email)
    body = _body(message)
    assert message["Subject"].startswith("Votre journée dans Virage : ")
    assert "Pôle d'économie sociale de Montréal" in message["From"]  # the sender's name says who writes
    assert "Rappeler la directrice" in body and "Envoyer le devis" in body and "Plus tard" not in body
    assert "Dont 1 en retard." in body
    assert "14 h 30 : Accompagnement numérique — Coop du Lac" in body
    assert "Coop silencieuse" in body and "Coop du Lac (dernière activité" not in body
    assert "http://127.0.0.1:5000/account/" in body
    # Once a day: the command again plans and sends nothing.
    again = runner.invoke(args=["workqueue", "digest"])
    assert "planned 0; sent 0" in again.output and len(smtp_server.mailbox.to(world.coach.email)) == 1


def test_the_digest_in_english(app, make, world, runner, smtp_server):  # noqa: F811
    _coach_day(app, make, world, locale="en")
    runner.invoke(args=["workqueue", "digest"])
    (message,) = smtp_server.mailbox.to(world.coach.email)
    body = _body(message)
    assert message["Subject"].startswith("Your day at Virage: ")
    assert "Follow-ups due" in body and "2:30 PM: Accompagnement numérique" in body
    assert "Enterprises without news for 30 days" in body


def test_nothing_to_tell_no_email(app, make, world, runner, smtp_server):  # noqa: F811
    make.enterprise(world.org, coach=world.coach)  # fresh, nothing due
    result = runner.invoke(args=["workqueue", "digest"])
    assert result.exit_code == 0 and not smtp_server.mailbox.to(world.coach.email)
    with app.app_context():
        row = db.session.scalar(select(DigestEmail).where(DigestEmail.user_id == world.coach.id))
        assert (row.state, row.last_error) == ("cancelled", "nothing to tell")


def test_a_coach_turns_the_digest_off_on_their_account_page(app, client, auth, make, world, runner,  # noqa: F811
                                                            smtp_server):
    _coach_day(app, make, world)
    auth.sign_in(world.coach)
    page = client.get("/account/").get_data(as_text=True)
    assert "Résumé quotidien" in page and "Désactiver le résumé quotidien" in page
    response = client.post("/account/digest", data={"csrf_token": csrf_token(client, "/account/"), "wanted": "off"},
                           follow_redirects=True)
    assert "Vous ne recevrez plus le résumé quotidien." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(DigestOptOut, world.coach.id) is not None
    runner.invoke(args=["workqueue", "digest"])
    assert not smtp_server.mailbox.to(world.coach.email)
    # Bad input changes nothing; managers have no digest to turn on.
    assert client.post("/account/digest", data={"csrf_token": csrf_token(client, "/account/"),
                                                "wanted": "maybe"}).status_code == 400
    client.post("/account/digest", data={"csrf_token": csrf_token(client, "/account/"), "wanted": "on"})
    with app.app_context():
        assert db.session.get(DigestOptOut, world.coach.id) is None
    auth.sign_in(world.manager)
    assert "Résumé quotidien" not in client.get("/account/").get_data(as_text=True)
    assert client.post("/account/digest", data={"csrf_token": csrf_token(client, "/account/"),
                                                "wanted": "on"}).status_code == 403


def test_a_coach_who_turned_it_off_after_planning_is_not_sent_it(app, make, world, smtp_server):  # noqa: F811
    _coach_day(app, make, world)
    with app.app_context():
        assert digest.plan(timeutil.now()) >= 1
        digest.set_digest(db.session.get(User, world.coach.id), wanted=False)
        db.session.commit()
        assert digest.send_due(me="test") == 0
    assert not smtp_server.mailbox.to(world.coach.email)


def test_two_commands_at_the_same_moment_plan_one_digest_per_coach(app, make, world, database_uri):  # noqa: F811
    for i in range(5):
        make.user("coach", world.org, full_name=f"Conseil {i}")
    now = timeutil.now()
    apps = [create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri}) for _ in range(2)]
    barrier, errors = threading.Barrier(2), []

    def plan(one):
        try:
            with one.app_context():
                barrier.wait()
                for _ in range(3):
                    digest.plan(now)
                    db.session.commit()
                db.session.remove()
                db.engine.dispose()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=plan, args=(one,)) for one in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with app.app_context():
        coaches = db.session.scalar(select(func.count()).select_from(User).where(User.role == "coach"))
        per_coach = db.session.execute(select(DigestEmail.user_id, func.count()).group_by(DigestEmail.user_id)).all()
        assert len(per_coach) == coaches and {count for _, count in per_coach} == {1}


def test_the_worker_rounds_send_the_digests_planned(app, make, world, runner, smtp_server):  # noqa: F811
    """A digest planned but not sent (the SMTP server was down, say) goes with the next round of
    ``flask reminders send``."""
    _coach_day(app, make, world)
    with app.app_context():
        digest.plan(timeutil.now())
        db.session.commit()
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    digests = [m for m in smtp_server.mailbox.to(world.coach.email) if m["Subject"].startswith("Votre journée")]
    assert len(digests) == 1  # beside the session's own reminder to its facilitator
