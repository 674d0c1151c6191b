"""Where cohorts meet the enterprise list, the enterprise page and the session page's reminders."""
from datetime import date, datetime, time

from sqlalchemy import select

from crm.cohorts.models import CohortMembership
from crm.enterprises import timeline
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.cohorts_helpers import freeze, make_cohort, make_session
from tests.conftest import csrf_token, post_form
from tests.enterprises_helpers import QueryCounter, world  # noqa: F401 - fixture


def members(app, cohort_id) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(CohortMembership.enterprise_id)
                                      .where(CohortMembership.cohort_id == cohort_id)))


def test_manager_adds_ticked_enterprises_to_a_cohort_and_moves_their_stage(app, client, auth, make, world):  # noqa: F811
    cohort = make_cohort(app, world.org, name="Cohorte Montréal", kind="training")
    other = make_cohort(app, world.other_org, name="Cohorte Estrie")
    chosen = [make.enterprise(world.org, stage="awareness", region_code="06") for _ in range(2)]
    left = make.enterprise(world.org, stage="awareness", region_code="06")
    auth.sign_in(world.manager)
    page = client.get("/enterprises").get_data(as_text=True)
    assert "Ajouter à une cohorte" in page and "Cohorte Montréal" in page and "Cohorte Estrie" not in page
    response = client.post("/enterprises/bulk", data={
        "csrf_token": csrf_token(client, "/enterprises"), "action": "enrol", "scope": "selected",
        "ids": [str(e.id) for e in chosen], "filters": "region=06", "cohort_id": str(cohort),
        "move_stage": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/enterprises?region=06"
    assert members(app, cohort) == {e.id for e in chosen}
    with app.app_context():
        stages = dict(db.session.execute(select(Enterprise.id, Enterprise.stage)).all())
    assert [stages[e.id] for e in chosen] == ["training", "training"] and stages[left.id] == "awareness"
    # A cohort of another organization is refused next to the field, nothing changes.
    response = client.post("/enterprises/bulk", data={
        "csrf_token": csrf_token(client, "/enterprises"), "action": "enrol", "scope": "selected",
        "ids": [str(left.id)], "filters": "", "cohort_id": str(other)})
    assert response.status_code == 400 and "Choisissez une cohorte." in response.get_data(as_text=True)
    assert members(app, other) == set()


def test_all_matching_the_filter_respects_the_capacity(app, client, auth, make, world):  # noqa: F811
    cohort = make_cohort(app, world.org, name="Petite cohorte", capacity=2)
    for _ in range(3):
        make.enterprise(world.org, region_code="05")
    make.enterprise(world.org, region_code="06")
    auth.sign_in(world.manager)
    data = {"action": "enrol", "scope": "all", "filters": "region=05", "cohort_id": str(cohort)}
    response = post_form(client, "/enterprises/bulk", data, page="/enterprises")
    assert response.status_code == 400 and "La cohorte est complète" in response.get_data(as_text=True)
    assert members(app, cohort) == set()
    data["filters"] = "region=06"
    assert post_form(client, "/enterprises/bulk", data, page="/enterprises").status_code == 302
    assert len(members(app, cohort)) == 1


def test_coaches_have_no_cohort_action(client, auth, make, world):  # noqa: F811
    make_cohort(client.application, world.org, name="Cohorte Montréal")
    make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.coach)
    assert "Cohorte Montréal" not in client.get("/enterprises").get_data(as_text=True)
    response = post_form(client, "/enterprises/bulk", {"action": "enrol", "scope": "all", "filters": ""},
                         page="/enterprises")
    assert response.status_code in (400, 403)


def test_enterprise_page_shows_cohorts_sessions_and_total_coaching_hours(app, client, auth, make, world,  # noqa: F811
                                                                        monkeypatch):
    freeze(monkeypatch, datetime(2027, 11, 20, 9))
    enterprise = make.enterprise(world.org, coach=world.coach, contacts=1)
    make_cohort(app, world.org, name="Cohorte Montréal", enterprises=[enterprise])
    individual = make_session(app, enterprise_id=enterprise.id, day=date(2027, 11, 10), start=time(9),
                              end=time(11), title="Accompagnement site web")
    auth.sign_in(world.coach)
    response = post_form(client, f"/sessions/{individual}/attendance", {f"status-{enterprise.id}": "present"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Enterprise, enterprise.id)
        # Attendance is activity: the caseload's "no activity for 30 days" relies on it.
        assert row.last_activity_at is not None
        timeline.add_activity(row, actor=None, kind="call", occurred_on=timeline.today_in_quebec(), body="Appel",
                              is_coaching=True, duration_minutes=90)
        db.session.commit()
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "Cohorte Montréal" in page and "Accompagnement site web" in page
    assert "Heures d’accompagnement au total : 3,5 h" in page
    assert "Planifier une séance d'accompagnement individuel" in page
    auth.logout()
    auth.sign_in(world.other_manager)
    assert client.get(f"/enterprises/{enterprise.id}").status_code == 404


def test_enterprise_page_query_count_does_not_grow_with_sessions(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, contacts=1)

    def count():
        with QueryCounter(app) as counter:
            assert client.get(f"/enterprises/{enterprise.id}").status_code == 200
        return counter.count

    auth.sign_in(world.manager)
    cohort = make_cohort(app, world.org, enterprises=[enterprise])
    make_session(app, cohort_id=cohort)
    small = count()
    for i in range(3):
        other = make_cohort(app, world.org, name=f"Cohorte {i}", enterprises=[enterprise])
        make_session(app, cohort_id=other, day=date(2027, 10, 1 + i))
        make_session(app, enterprise_id=enterprise.id, day=date(2027, 11, 1 + i))
    assert count() == small


def test_session_page_shows_reminders_to_managers_only(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, contacts=1)
    # A coach of another organization who co-facilitates the cohort sees the session, not its reminders.
    cohort = make_cohort(app, world.org, facilitators=[world.other_coach], enterprises=[enterprise])
    session_id = make_session(app, cohort_id=cohort, facilitator=world.coach)
    auth.sign_in(world.manager)
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Rappels par courriel" in page and f"/sessions/{session_id}/reminders" in page
    auth.logout()
    auth.sign_in(world.other_coach)
    response = client.get(f"/sessions/{session_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Rappels par courriel" not in page and f"/sessions/{session_id}/reminders" not in page
