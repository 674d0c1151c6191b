"""The work queue (crm/workqueue): what a coach and a manager find on their home page, the row
actions done from it, the Québec day it counts in, and its constant number of queries."""
import html
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.auth.models import User
from crm.cohorts import services as cohort_services
from crm.cohorts import timeutil
from crm.enterprises import timeline
from crm.enterprises.models import Activity, Enterprise, FollowUpTask
from crm.extensions import db
from crm.workqueue import queries
from tests.conftest import csrf_token
from tests.enterprises_helpers import QueryCounter, world  # noqa: F401 - fixture

TODAY = timeline.today_in_quebec


def _task(app, enterprise, assignee, title, due_on, *, done=False):
    with app.app_context():
        row = db.session.get(Enterprise, enterprise.id)
        task = timeline.add_task(row, actor=None, title=title, due_on=due_on,
                                 assignee=db.session.get(User, assignee.id))
        if done:
            timeline.complete_task(task, row, actor=None)
        db.session.commit()
        return task.id


def _quiet(app, enterprise, days=40):
    with app.app_context():
        row = db.session.get(Enterprise, enterprise.id)
        row.last_activity_at = row.created_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days)
        db.session.commit()


def _session(app, enterprise, facilitator, starts_at, title):
    with app.app_context():
        row = db.session.get(Enterprise, enterprise.id)
        cohort_services.create_session(actor=None, enterprise=row, starts_at=starts_at,
                                       ends_at=starts_at + timedelta(hours=1), title=title, mode="virtual",
                                       facilitator_id=facilitator.id)
        db.session.commit()


def _section(page: str, heading_id: str) -> str:
    """The HTML of the queue's section whose heading has ``heading_id``."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def test_a_coach_lands_on_their_queue_sorted_by_when(app, client, auth, make, world):  # noqa: F811
    today = TODAY()
    mine = make.enterprise(world.org, coach=world.coach, name="Coop du Lac")
    theirs = make.enterprise(world.org, coach=world.colleague, name="Coop de la Colline")
    _task(app, mine, world.coach, "Rappeler la directrice", today - timedelta(days=2))
    _task(app, mine, world.coach, "Envoyer le devis", today)
    _task(app, mine, world.coach, "Préparer l'atelier", today + timedelta(days=3))
    _task(app, mine, world.coach, "Plus tard", today + timedelta(days=10))
    _task(app, mine, world.coach, "Déjà fait", today - timedelta(days=5), done=True)
    _task(app, theirs, world.colleague, "Tâche d'une collègue", today - timedelta(days=1))
    quiet = make.enterprise(world.org, coach=world.coach, name="Coop silencieuse")
    _quiet(app, quiet)
    tomorrow_10h = timeutil.to_utc(today + timedelta(days=1), datetime.min.time().replace(hour=10)).utc
    _session(app, mine, world.coach, tomorrow_10h.replace(tzinfo=None), "Accompagnement numérique")

    auth.sign_in(world.coach)
    response = client.get("/")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "Ma file de travail" in page
    assert "Rappeler la directrice" in _section(page, "queue-overdue")
    assert "Envoyer le devis" in _section(page, "queue-today")
    week = _section(page, "queue-week")
    assert "Préparer l'atelier" in week and "Accompagnement numérique" in week and "10\u00a0h" in week
    assert "Plus tard" not in page and "Déjà fait" not in page and "Tâche d'une collègue" not in page
    assert "Coop silencieuse" in _section(page, "queue-quiet")
    assert "Coop du Lac" not in _section(page, "queue-quiet")
    # The search box searches the coach's caseload with the enterprise list's own filters.
    assert 'action="/enterprises"' in page and f'name="coach" value="{world.coach.id}"' in page


def test_the_queue_counts_days_in_quebec_time(app, make, world, monkeypatch):  # noqa: F811
    """At 23:30 in Montréal on 3 December it is already 4 December in UTC: a follow-up due on the 3rd
    is due today, not overdue."""
    enterprise = make.enterprise(world.org, coach=world.coach)
    _task(app, enterprise, world.coach, "Ce soir", date(2026, 12, 3))
    late_evening = datetime(2026, 12, 4, 4, 30)  # UTC
    with app.app_context():
        coach = db.session.get(User, world.coach.id)
        monkeypatch.setattr(timeline, "today_in_quebec", lambda: timeutil.to_local(late_evening).date())
        queue = queries.work_queue(coach, timeline.today_in_quebec(), late_evening)
        assert queue.today == date(2026, 12, 3)
        assert [t.title for t in queue.due_today.items] == ["Ce soir"] and not queue.overdue.items


def test_a_manager_sees_their_organizations_queue(app, client, auth, make, world):  # noqa: F811
    today = TODAY()
    followed = make.enterprise(world.org, coach=world.coach, name="Coop suivie")
    make.enterprise(world.org, name="Coop orpheline")
    make.enterprise(world.other_org, name="Coop d'ailleurs")
    _task(app, followed, world.coach, "Relance en retard", today - timedelta(days=4))
    auth.sign_in(world.manager)
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "File de mon organisation" in page
    team = _section(page, "queue-team")
    assert "Relance en retard" in team and "Camille Conseil" in team
    unassigned = _section(page, "queue-unassigned")
    assert "Coop orpheline" in unassigned and "Coop suivie" not in unassigned and "Coop d'ailleurs" not in page
    # The team's follow-ups are shown, not closed from here.
    assert "/queue/tasks/" not in team


def test_the_programme_office_keeps_the_funnel_summary(client, auth, world):  # noqa: F811
    auth.sign_in(world.admin)
    page = client.get("/").get_data(as_text=True)
    assert "queue-overdue" not in page and "funnel-title" in page


def test_closing_a_follow_up_from_the_row(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    task_id = _task(app, enterprise, world.coach, "Rappeler", TODAY() - timedelta(days=1))
    auth.sign_in(world.coach)
    token = csrf_token(client, "/")
    response = client.post(f"/queue/tasks/{task_id}/done", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "Suivi « Rappeler » fait." in page and "Rappeler</p>" not in page
    with app.app_context():
        task = db.session.get(FollowUpTask, task_id)
        assert task.done_at is not None and task.done_by_id == world.coach.id
    # Twice: refused with a message, nothing changes.
    again = client.post(f"/queue/tasks/{task_id}/done", data={"csrf_token": token}, follow_redirects=True)
    assert "Ce suivi est déjà fait." in html.unescape(again.get_data(as_text=True))


def test_logging_an_activity_from_the_row(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Coop du Quai")
    _quiet(app, enterprise)
    auth.sign_in(world.coach)
    token = csrf_token(client, "/")
    response = client.post(f"/queue/enterprises/{enterprise.id}/activities",
                           data={"csrf_token": token, "kind": "call", "body": "Appel de relance"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "Activité notée pour Coop du Quai." in page
    assert "Coop du Quai" not in _section(page, "queue-quiet")  # no longer quiet
    with app.app_context():
        activity = db.session.scalar(select(Activity).where(Activity.enterprise_id == enterprise.id))
        assert (activity.kind, activity.body, activity.occurred_on) == ("call", "Appel de relance", TODAY())


@pytest.mark.parametrize("data, message", [
    ({"kind": "call", "body": ""}, "Ce champ est requis."),
    ({"kind": "fax", "body": "Note"}, "class=\"error\" id=\"kind-q"),
    ({"kind": "note", "body": "Note", "occurred_on": "2999-01-01"}, "La date ne peut pas être dans le futur."),
    ({"kind": "note", "body": "Note", "occurred_on": "pas une date"}, "date"),
])
def test_a_refused_quick_form_comes_back_open_with_its_error(app, client, auth, make, world, data, message):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Coop du Quai")
    _quiet(app, enterprise)
    auth.sign_in(world.coach)
    data = {**data, "csrf_token": csrf_token(client, "/"), "row": f"q{enterprise.id}"}
    response = client.post(f"/queue/enterprises/{enterprise.id}/activities", data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and message in page and "<details class=\"queue-compose\" open>" in page
    with app.app_context():
        assert db.session.scalar(select(Activity).where(Activity.enterprise_id == enterprise.id)) is None


def test_row_actions_follow_the_access_rules(app, client, auth, make, world):  # noqa: F811
    """Another organization's follow-up does not exist; a colleague's enterprise may not be written;
    the programme office has no queue."""
    other = make.enterprise(world.other_org, coach=world.other_coach)
    other_task = _task(app, other, world.other_coach, "Ailleurs", TODAY())
    colleague = make.enterprise(world.org, coach=world.colleague)
    colleague_task = _task(app, colleague, world.colleague, "Collègue", TODAY())
    auth.sign_in(world.coach)
    token = csrf_token(client, "/")
    assert client.post(f"/queue/tasks/{other_task}/done", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/queue/tasks/{colleague_task}/done", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/queue/enterprises/{colleague.id}/activities",
                       data={"csrf_token": token, "kind": "call", "body": "x"}).status_code == 403
    assert client.post("/queue/tasks/999999/done", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(FollowUpTask, colleague_task).done_at is None


def test_the_queue_in_english(app, client, auth, make, world):  # noqa: F811
    _quiet(app, make.enterprise(world.org, coach=world.coach))
    auth.sign_in(world.coach)
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, "/")})
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "My work queue" in page and "No overdue follow-up." in page and "Log an activity" in page


def test_the_queue_sends_as_many_queries_whatever_its_size(app, client, auth, make, world):  # noqa: F811
    def count(user):
        auth.sign_in(user)
        client.get("/")
        with QueryCounter(app) as counter:
            assert client.get("/").status_code == 200
        return counter.count

    def grow(n):
        today = TODAY()
        for i in range(n):
            enterprise = make.enterprise(world.org, coach=world.coach)
            make.enterprise(world.org)
            _task(app, enterprise, world.coach, f"Retard {i}", today - timedelta(days=i + 1))
            _task(app, enterprise, world.coach, f"Aujourd'hui {i}", today)
            _task(app, enterprise, world.coach, f"Semaine {i}", today + timedelta(days=2))
            starts = timeutil.to_utc(today + timedelta(days=2), datetime.min.time().replace(hour=9 + i)).utc
            _session(app, enterprise, world.coach, starts.replace(tzinfo=None), f"Séance {i}")
            _quiet(app, enterprise)

    grow(1)
    few = count(world.coach), count(world.manager)
    grow(4)
    assert (count(world.coach), count(world.manager)) == few


def test_the_demo_coach_has_work_in_their_queue(client, auth, demo):
    from crm.demo.seed import DEMO_PASSWORD

    auth.login("conseiller.estrie@virage.example", DEMO_PASSWORD)
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "Rappeler pour le plan numérique" in _section(page, "queue-overdue")
    assert "Envoyer le compte rendu de la rencontre" in _section(page, "queue-today")
    assert "Confirmer la date du diagnostic" in _section(page, "queue-week")
