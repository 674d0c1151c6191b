"""Access rules of every enterprises route, for every role: allowed, refused (403), invisible (404).

The enterprise belongs to the Montréal hub and is assigned to ``coach``; ``colleague`` is another
coach of the same hub; ``other_manager`` and ``other_coach`` belong to another hub.
"""
import pytest
from sqlalchemy import select

from crm.enterprises import timeline
from crm.enterprises.models import Enterprise, FollowUpTask
from crm.extensions import db
from tests.conftest import csrf_token
from tests.enterprises_helpers import world  # noqa: F401 - fixture

ROLES = ("admin", "manager", "coach", "colleague", "other_manager", "other_coach")
READ = {"admin": 200, "manager": 200, "coach": 200, "colleague": 200, "other_manager": 404, "other_coach": 404}
EDIT_GET = {**READ, "colleague": 403}
EDIT_POST = {"admin": 302, "manager": 302, "coach": 302, "colleague": 403, "other_manager": 404, "other_coach": 404}
MANAGE = {**EDIT_POST, "coach": 403}
TODAY = timeline.today_in_quebec().isoformat()


def _task(app, enterprise, assignee):
    with app.app_context():
        task = FollowUpTask(enterprise_id=enterprise.id, title="Rappeler", due_on=timeline.today_in_quebec(),
                            assignee_id=assignee.id)
        db.session.add(task)
        db.session.commit()
        return task.id


# name, method, path (with {e} the enterprise, {t} a task, {c} a contact), prefix, data, expected
ROUTES = [
    ("page", "GET", "/enterprises/{e}", None, None, READ),
    ("edit form", "GET", "/enterprises/{e}/edit", None, None, EDIT_GET),
    ("edit", "POST", "/enterprises/{e}/edit", "", {"name": "Coopérative Modifiée", "legal_form": "coop_work",
                                                    "region_code": "06", "city": "Montréal",
                                                    "preferred_language": "fr", "version": "{v}"}, EDIT_POST),
    ("stage", "POST", "/enterprises/{e}/stage", "stage", {"stage": "training"}, EDIT_POST),
    ("note", "POST", "/enterprises/{e}/activities", "activity",
     {"kind": "call", "occurred_on": TODAY, "body": "Appel"}, EDIT_POST),
    ("task", "POST", "/enterprises/{e}/tasks", "task",
     {"title": "Relancer", "due_on": TODAY, "assignee_id": "{coach}"}, EDIT_POST),
    ("task done", "POST", "/enterprises/{e}/tasks/{t}/done", "", {}, EDIT_POST),
    ("diagnostic", "POST", "/enterprises/{e}/diagnostics", "diagnostic",
     {"performed_on": TODAY, "tool": "audit_industrie_40", "maturity_level": "2"}, EDIT_POST),
    ("contact form", "GET", "/enterprises/{e}/contacts/new", None, None, EDIT_GET),
    ("new contact", "POST", "/enterprises/{e}/contacts/new", "", {"first_name": "Léa", "preferred_language": "fr"},
     EDIT_POST),
    ("edit contact", "POST", "/enterprises/{e}/contacts/{c}/edit", "",
     {"first_name": "Léo", "preferred_language": "fr"}, EDIT_POST),
    ("archive contact", "POST", "/enterprises/{e}/contacts/{c}/archive", "", {}, EDIT_POST),
    ("assign", "POST", "/enterprises/{e}/assign", "assign", {"coach_id": "{colleague}"}, MANAGE),
    ("handover", "POST", "/enterprises/{e}/handover", "handover", {"organization_id": "{other_org}"}, MANAGE),
    ("archive", "POST", "/enterprises/{e}/archive", "", {}, MANAGE),
]


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_routes_follow_the_access_rules(app, client, auth, make, world, role):  # noqa: F811
    """Every route of the enterprise page, on a fresh enterprise each time, as one role."""
    auth.sign_in(getattr(world, role))
    token = csrf_token(client, "/")
    wrong = []
    for name, method, path, prefix, data, expected in ROUTES:
        enterprise = make.enterprise(world.org, coach=world.coach, stage="awareness", contacts=1,
                                     region_code="06", city="Montréal")
        with app.app_context():
            loaded = db.session.get(Enterprise, enterprise.id)
            contact_id, version = loaded.contacts[0].id, loaded.version
        url = path.format(e=enterprise.id, t=_task(app, enterprise, world.coach), c=contact_id)
        if method == "GET":
            response = client.get(url)
        else:
            fill = {"v": version, "coach": world.coach.id, "colleague": world.colleague.id,
                    "other_org": world.other_org.id}
            payload = {(f"{prefix}-" if prefix else "") + k: v.format(**fill) for k, v in data.items()}
            payload[f"{prefix}-csrf_token" if prefix else "csrf_token"] = token
            response = client.post(url, data=payload)
        if response.status_code != expected[role]:
            wrong.append(f"{name}: {response.status_code} instead of {expected[role]}")
    assert wrong == []


def test_task_assignee_may_mark_it_done_without_editing_the_enterprise(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    task_id = _task(app, enterprise, world.colleague)
    auth.sign_in(world.colleague)
    response = client.post(f"/enterprises/{enterprise.id}/tasks/{task_id}/done",
                           data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(FollowUpTask, task_id).done_at is not None


def test_list_shows_only_what_the_user_may_see(client, auth, make, world):  # noqa: F811
    make.enterprise(world.org, name="Entreprise Montréalaise")
    make.enterprise(world.other_org, name="Entreprise Estrienne")
    for user, sees, hidden in [(world.admin, ["Montréalaise", "Estrienne"], []),
                               (world.manager, ["Montréalaise"], ["Estrienne"]),
                               (world.colleague, ["Montréalaise"], ["Estrienne"]),
                               (world.other_coach, ["Estrienne"], ["Montréalaise"])]:
        auth.sign_in(user)
        page = client.get("/enterprises").get_data(as_text=True)
        assert all(name in page for name in sees) and not any(name in page for name in hidden), user.role
        auth.logout()


@pytest.mark.parametrize("role, status", [("admin", 302), ("manager", 302), ("coach", 403), ("colleague", 403),
                                          ("other_manager", 302), ("other_coach", 403)])
def test_bulk_assign_is_for_managers_of_the_owner(app, client, auth, make, world, role, status):  # noqa: F811
    enterprise = make.enterprise(world.org, name="Cible")
    auth.sign_in(getattr(world, role))
    coach = world.other_coach if role == "other_manager" else world.coach
    response = client.post("/enterprises/bulk", data={
        "csrf_token": csrf_token(client, "/"), "action": "assign", "scope": "selected",
        "ids": [str(enterprise.id)], "filters": "", "coach_id": str(coach.id)})
    with app.app_context():
        coach_id = db.session.scalar(select(Enterprise.coach_id).where(Enterprise.id == enterprise.id))
    if role == "other_manager":  # the enterprise does not exist for them: nothing changes
        assert response.status_code == 400 and coach_id is None
    else:
        assert response.status_code == status
        assert coach_id == (world.coach.id if status == 302 else None)


@pytest.mark.parametrize("role, status", [("admin", 403), ("manager", 403), ("coach", 200)])
def test_caseload_is_for_coaches(client, auth, world, role, status):  # noqa: F811
    auth.sign_in(getattr(world, role))
    assert client.get("/caseload").status_code == status
