"""Issue 3's "Done when", walked through the real routes and forms.

A coach signs in and lands on their caseload, moves an enterprise from awareness to training with a
comment, adds a 1.5-hour coaching meeting and a follow-up; a manager filters by region and stage and
bulk-assigns ten enterprises to that coach; a coach of another organization sees none of it.
"""
from datetime import timedelta

from sqlalchemy import func, select

from crm.enterprises.models import Activity, Enterprise, FollowUpTask, StageChange
from crm.enterprises.timeline import today_in_quebec
from crm.extensions import db
from tests.conftest import csrf_token
from tests.enterprises_helpers import post_prefixed, world  # noqa: F401 - fixture


def test_done_when(app, client, auth, make, world):  # noqa: F811
    followed = make.enterprise(world.org, coach=world.coach, stage="awareness", name="Coopérative La Ruche",
                               region_code="06", city="Montréal")
    targets = [make.enterprise(world.org, name=f"Atelier Montréal {i:02d}", region_code="06", city="Montréal",
                               stage="awareness") for i in range(10)]
    make.enterprise(world.org, name="Hors filtre région", region_code="05", stage="awareness")
    make.enterprise(world.org, name="Hors filtre étape", region_code="06", stage="training")

    # The coach signs in and lands on their work queue; "Mon portefeuille" lists the enterprise.
    response = auth.login(world.coach)
    assert response.headers["Location"] == "/"
    assert "Ma file de travail" in client.get("/").get_data(as_text=True)
    caseload = client.get("/caseload").get_data(as_text=True)
    assert "Mon portefeuille" in caseload and "Coopérative La Ruche" in caseload

    # Moves the enterprise from awareness to training, with a comment.
    page = f"/enterprises/{followed.id}"
    response = post_prefixed(client, f"{page}/stage", "stage",
                             {"stage": "training", "comment": "Inscrite à la formation de mars"}, page=page)
    assert response.status_code == 302
    # Adds a note of a 1.5-hour coaching meeting, and a follow-up.
    today = today_in_quebec()
    response = post_prefixed(client, f"{page}/activities", "activity", {
        "kind": "meeting", "occurred_on": today.isoformat(), "is_coaching": "y", "duration_hours": "1.5",
        "body": "Rencontre de démarrage du plan numérique"}, page=page)
    assert response.status_code == 302
    response = post_prefixed(client, f"{page}/tasks", "task", {
        "title": "Envoyer le gabarit du plan d'action", "due_on": (today + timedelta(days=7)).isoformat(),
        "assignee_id": str(world.coach.id)}, page=page)
    assert response.status_code == 302

    shown = client.get(page).get_data(as_text=True)
    assert "Inscrite à la formation de mars" in shown
    assert "Rencontre de démarrage du plan numérique" in shown and "1,5 h" in shown
    assert "Envoyer le gabarit du plan d&#39;action" in shown
    with app.app_context():
        enterprise = db.session.get(Enterprise, followed.id)
        assert enterprise.stage == "training"
        last = db.session.scalars(select(StageChange).where(StageChange.enterprise_id == followed.id)
                                  .order_by(StageChange.id.desc())).first()
        assert (last.from_stage, last.to_stage, last.changed_by_id) == ("awareness", "training", world.coach.id)
        activity = db.session.scalar(select(Activity).where(Activity.enterprise_id == followed.id))
        assert (activity.kind, activity.is_coaching, activity.duration_minutes) == ("meeting", True, 90)
        assert db.session.scalar(select(func.count(FollowUpTask.id))
                                 .where(FollowUpTask.enterprise_id == followed.id)) == 1
    auth.logout()

    # The manager filters by region and stage, then bulk-assigns every match to the coach.
    auth.sign_in(world.manager)
    listing = "/enterprises?region=06&stage=awareness"
    shown = client.get(listing).get_data(as_text=True)
    assert "10 entreprises correspondent." in shown
    assert "Hors filtre région" not in shown and "Hors filtre étape" not in shown
    response = client.post("/enterprises/bulk", data={
        "csrf_token": csrf_token(client, listing), "action": "assign", "scope": "all",
        "filters": "region=06&stage=awareness", "coach_id": str(world.coach.id)})
    assert response.status_code == 302, response.get_data(as_text=True)[-6000:]
    assert response.headers["Location"] == "/enterprises?region=06&stage=awareness"
    with app.app_context():
        assigned = db.session.scalars(select(Enterprise.id).where(Enterprise.coach_id == world.coach.id)).all()
    assert set(assigned) == {e.id for e in targets} | {followed.id}
    auth.logout()

    # The coach's caseload now holds them.
    auth.sign_in(world.coach)
    assert "Atelier Montréal 07" in client.get("/caseload").get_data(as_text=True)
    auth.logout()

    # A coach of another organization sees none of it.
    auth.sign_in(world.other_coach)
    assert "Atelier" not in client.get("/enterprises").get_data(as_text=True)
    assert "Ruche" not in client.get("/enterprises?q=ruche").get_data(as_text=True)
    assert client.get(page).status_code == 404
    assert client.get(f"/enterprises/{targets[0].id}").status_code == 404
    assert "Ruche" not in client.get("/").get_data(as_text=True)
