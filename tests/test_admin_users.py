"""Administration of people and organizations: access, writes, audit, bad input, query counts."""
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.db import utcnow
from crm.extensions import db
from tests.conftest import Auth, post_form
from tests.security_helpers import send_account_emails

NEW_PASSWORD = "Tournesol-au-Jardin-77"


@pytest.fixture
def world(make):
    """The programme office, and two organizations each with a manager and a coach."""
    office = make.organization(code="cqcm", name="Bureau du programme")
    owner = make.organization(code="pole-05", name="Pôle Estrie", kind="regional", region_code="05")
    other = make.organization(code="pole-03", name="Pôle Capitale", kind="regional", region_code="03")
    return {
        "office": office, "owner": owner, "other": other,
        "admin": make.user(role="admin", organization=office),
        "manager": make.user(role="manager", organization=owner),
        "coach": make.user(role="coach", organization=owner),
        "stranger": make.user(role="manager", organization=other),
    }


def signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


# role → expected status, for each route; "target" is the owning organization's coach.
MATRIX = [
    ("GET", "/admin/", {"admin": 200, "manager": 403, "coach": 403, "stranger": 403}),
    ("GET", "/admin/users", {"admin": 200, "manager": 200, "coach": 403, "stranger": 200}),
    ("GET", "/admin/users/new", {"admin": 200, "manager": 403, "coach": 403, "stranger": 403}),
    ("GET", "/admin/users/{target}/edit", {"admin": 200, "manager": 403, "coach": 403, "stranger": 404}),
    ("POST", "/admin/users/{target}/deactivate", {"admin": 302, "manager": 403, "coach": 403, "stranger": 404}),
    ("POST", "/admin/users/{target}/send-reset", {"admin": 302, "manager": 403, "coach": 403, "stranger": 404}),
    ("POST", "/admin/users/{target}/reset-two-factor", {"admin": 302, "manager": 403, "coach": 403,
                                                       "stranger": 404}),
    ("GET", "/admin/organizations", {"admin": 200, "manager": 403, "coach": 403, "stranger": 403}),
    ("GET", "/admin/organizations/new", {"admin": 200, "manager": 403, "coach": 403, "stranger": 403}),
    ("GET", "/admin/organizations/{owner}/edit", {"admin": 200, "manager": 403, "coach": 403, "stranger": 403}),
]


@pytest.mark.parametrize("role", ["admin", "manager", "coach", "stranger"])
def test_access_matrix(app, world, make, role, smtp_server):
    client = signed_in(app, world[role])
    target = make.user(role="coach", organization=world["owner"])
    for method, path, expected in MATRIX:
        url = path.format(target=target.id, owner=world["owner"].id)
        if method == "POST":
            response = post_form(client, url, {}, page="/account/")
        else:
            response = client.get(url)
        assert response.status_code == expected[role], (role, method, url)
    assert client.get("/admin/users/99999/edit").status_code in (403, 404)


def test_nav_shows_administration_to_admins_and_team_to_managers(app, world):
    admin_page = signed_in(app, world["admin"]).get("/").get_data(as_text=True)
    assert 'href="/admin/">Administration' in admin_page
    manager_page = signed_in(app, world["manager"]).get("/").get_data(as_text=True)
    assert 'href="/admin/users">Équipe' in manager_page and "/admin/\"" not in manager_page
    coach_page = signed_in(app, world["coach"]).get("/").get_data(as_text=True)
    assert "/admin/" not in coach_page


def test_a_manager_sees_only_the_people_of_their_organization_read_only(app, world):
    page = signed_in(app, world["manager"]).get("/admin/users").get_data(as_text=True)
    assert world["coach"].email in page and world["manager"].email in page
    assert world["stranger"].email not in page and world["admin"].email not in page
    assert "/edit" not in page and "/admin/users/new" not in page


def test_admin_creates_an_account_the_person_chooses_a_password_and_signs_in(app, world, smtp_server):
    client = signed_in(app, world["admin"])
    response = post_form(client, "/admin/users/new", {
        "email": " Nadia.Haddad@Coop.example ", "full_name": "Nadia Haddad", "role": "coach",
        "organization_id": world["owner"].id, "locale": "en"})
    assert response.status_code == 302
    assert "est en route vers nadia.haddad@coop.example" in client.get("/admin/users").get_data(as_text=True)
    assert send_account_emails(app) == 1  # by the worker, `flask reminders send`
    [message] = smtp_server.mailbox.to("nadia.haddad@coop.example")
    assert message["Subject"] == "Welcome to Virage: choose your password"
    link = re.search(r"(/password/reset/\S+)", message.get_body(("plain",)).get_content()).group(1)

    person = app.test_client()
    assert Auth(person).password_step("nadia.haddad@coop.example", "").status_code == 400  # no password yet
    assert post_form(person, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert Auth(person).login("nadia.haddad@coop.example", NEW_PASSWORD).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nadia.haddad@coop.example"))
        assert (user.role, user.organization_id, user.locale) == ("coach", world["owner"].id, "en")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.created"))
        assert entry.actor_id == world["admin"].id and entry.entity_id == user.id
        assert entry.changes["email"] == [None, "nadia.haddad@coop.example"]


def test_a_mail_failure_still_creates_the_account_and_the_link_goes_out_later(app, world, smtp_server):
    smtp_server.mailbox.refuse = True
    client = signed_in(app, world["admin"])
    post_form(client, "/admin/users/new", {"email": "x@coop.example", "full_name": "X Y", "role": "coach",
                                           "organization_id": world["owner"].id, "locale": "fr"})
    assert "x@coop.example" in client.get("/admin/users").get_data(as_text=True)
    assert send_account_emails(app) == 0
    smtp_server.mailbox.refuse = False
    assert send_account_emails(app, now=utcnow() + timedelta(minutes=2)) == 1
    [message] = smtp_server.mailbox.to("x@coop.example")
    assert message["Subject"] == "Bienvenue dans Virage : choisissez votre mot de passe"


@pytest.mark.parametrize("changes, field_error", [
    ({"email": "not-an-email"}, "adresse courriel valide"),
    ({"email": "{taken}"}, "utilise déjà ce courriel"),
    ({"full_name": ""}, "ce champ est requis"),
    ({"role": "superuser"}, "choix"),
    ({"organization_id": "abc"}, "choix"),
    ({"organization_id": "99999"}, "choix"),
    ({"locale": "de"}, "choix"),
])
def test_bad_input_changes_nothing(app, world, changes, field_error):
    client = signed_in(app, world["admin"])
    data = {"email": "new@coop.example", "full_name": "New Person", "role": "coach",
            "organization_id": world["owner"].id, "locale": "fr"}
    data.update({k: v.format(taken=world["coach"].email) for k, v in changes.items()})
    response = post_form(client, "/admin/users/new", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "a été enregistré" in page
    errors = re.findall(r"<p class=\"error\" id=\"[a-z_]+-error\">([^<]*)<", page)
    assert any(field_error in error.lower() for error in errors), errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 4


def test_editing_a_user_is_audited_and_a_new_role_ends_their_sessions(app, world):
    coach_client = signed_in(app, world["coach"])
    admin_client = signed_in(app, world["admin"])
    url = f"/admin/users/{world['coach'].id}/edit"
    response = post_form(admin_client, url, {"email": world["coach"].email, "full_name": "Olivier Gauthier",
                                             "role": "manager", "organization_id": world["owner"].id,
                                             "locale": "en"})
    assert response.status_code == 302
    assert coach_client.get("/").status_code == 302  # must sign in again with the new rights
    with app.app_context():
        user = db.session.get(User, world["coach"].id)
        assert (user.full_name, user.role, user.locale) == ("Olivier Gauthier", "manager", "en")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.updated"))
        assert entry.changes["role"] == ["coach", "manager"] and "full_name" in entry.changes
    own = post_form(admin_client, f"/admin/users/{world['admin'].id}/edit", {
        "email": world["admin"].email, "full_name": "Admin", "role": "coach",
        "organization_id": world["office"].id, "locale": "fr"})
    assert own.status_code == 400 and "propre rôle" in own.get_data(as_text=True)


def test_deactivating_ends_every_session_and_reactivating_restores_access(app, world):
    coach_client = signed_in(app, world["coach"])
    admin_client = signed_in(app, world["admin"])
    url = f"/admin/users/{world['coach'].id}"
    assert post_form(admin_client, f"{url}/deactivate", {}, page=f"{url}/edit").status_code == 302
    assert coach_client.get("/").status_code == 302
    assert Auth(coach_client).login(world["coach"]).status_code == 400
    assert "Inactif" in admin_client.get("/admin/users").get_data(as_text=True)
    post_form(admin_client, f"{url}/reactivate", {}, page=f"{url}/edit")
    assert Auth(coach_client).login(world["coach"]).status_code == 302
    own = post_form(admin_client, f"/admin/users/{world['admin'].id}/deactivate", {},
                    page=f"/admin/users/{world['admin'].id}/edit")
    assert own.status_code == 302
    with app.app_context():
        assert db.session.get(User, world["admin"].id).is_active
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == world["coach"].id)
                                     .order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["user.deactivated", "user.reactivated"]


def test_admin_sends_a_reset_link_and_resets_a_lost_second_factor(app, world, smtp_server):
    coach_client = app.test_client()
    Auth(coach_client).login(world["coach"])
    from tests.security_helpers import enrol

    enrol(coach_client, world["coach"].email)
    admin_client = signed_in(app, world["admin"])
    url = f"/admin/users/{world['coach'].id}"
    post_form(admin_client, f"{url}/send-reset", {}, page=f"{url}/edit")
    assert send_account_emails(app) == 1 and len(smtp_server.mailbox.to(world["coach"].email)) == 1
    post_form(admin_client, f"{url}/reset-two-factor", {}, page=f"{url}/edit")
    with app.app_context():
        assert not db.session.get(User, world["coach"].id).has_two_factor
    assert coach_client.get("/").status_code == 302  # signed out
    assert Auth(coach_client).password_step(world["coach"], "correct horse battery").headers["Location"] == "/"


@contextmanager
def count_queries(app):
    statements = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_lists_issue_a_constant_number_of_queries(app, world, make):
    client = signed_in(app, world["admin"])
    counts = []
    for extra in (0, 25):
        for _ in range(extra):
            organization = make.organization()
            make.user(organization=organization)
        with count_queries(app) as users_queries:
            assert client.get("/admin/users").status_code == 200
        with count_queries(app) as organizations_queries:
            assert client.get("/admin/organizations").status_code == 200
        counts.append((len(users_queries), len(organizations_queries)))
    assert counts[0] == counts[1], counts
