"""Who may import: admins and managers; coaches get 403; another organization's import is 404."""
import pytest
from sqlalchemy import event

from crm.extensions import db
from crm.imports.models import ImportBatch
from tests.conftest import csrf_token
from tests.imports_helpers import DATA, batch_id_from, confirm_mapping, upload

GET_ROUTES = ["/imports/{id}", "/imports/{id}/mapping", "/imports/{id}/preview", "/imports/{id}/report.csv",
              "/imports/{id}/progress"]
POST_ROUTES = ["/imports/{id}/commit", "/imports/{id}/cancel", "/imports/{id}/mapping"]


@pytest.fixture
def world(app, client, auth, make):
    hub = make.organization(name="Pôle A")
    other = make.organization(name="Pôle B")
    users = {
        "admin": make.user(role="admin", organization=make.organization(name="Bureau")),
        "manager": make.user(role="manager", organization=hub),
        "coach": make.user(role="coach", organization=hub),
        "other_manager": make.user(role="manager", organization=other),
    }
    auth.sign_in(users["manager"])
    batch_id = batch_id_from(upload(client, DATA / "cesim-utf8-bom.csv"))
    confirm_mapping(client, batch_id)
    auth.logout()
    return users, batch_id


EXPECTED = {"admin": 200, "manager": 200, "coach": 403, "other_manager": 404}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_get_routes_access_matrix(client, auth, world, role):
    users, batch_id = world
    auth.sign_in(users[role])
    statuses = {route: client.get(route.format(id=batch_id)).status_code for route in GET_ROUTES}
    assert statuses == dict.fromkeys(GET_ROUTES, EXPECTED[role])


@pytest.mark.parametrize("role", ["coach", "other_manager"])
def test_post_routes_refuse_coaches_and_other_organizations(app, client, auth, world, role):
    users, batch_id = world
    auth.sign_in(users[role])
    token = csrf_token(client, "/")
    statuses = {route: client.post(route.format(id=batch_id), data={"csrf_token": token, "duplicates": "skip"})
                .status_code for route in POST_ROUTES}
    assert statuses == dict.fromkeys(POST_ROUTES, EXPECTED[role])
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "previewed"


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("manager", 200), ("coach", 403),
                                              ("other_manager", 200)])
def test_list_and_upload_pages(client, auth, world, role, status):
    users, batch_id = world
    auth.sign_in(users[role])
    assert client.get("/imports/new").status_code == status
    listing = client.get("/imports/")
    assert listing.status_code == status
    if status == 200:
        shown = "cesim-utf8-bom.csv" in listing.get_data(as_text=True)
        assert shown is (role != "other_manager")  # filtered in SQL by organization


def test_anonymous_is_sent_to_login(client, world):
    _users, batch_id = world
    response = client.get(f"/imports/{batch_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_nav_entry_only_for_admins_and_managers(client, auth, world):
    users, _batch_id = world
    auth.sign_in(users["manager"])
    assert 'href="/imports/"' in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.sign_in(users["coach"])
    assert 'href="/imports/"' not in client.get("/").get_data(as_text=True)


def test_managers_cannot_choose_another_organization(app, client, auth, world):
    users, _batch_id = world
    auth.sign_in(users["manager"])
    page = client.get("/imports/new").get_data(as_text=True)
    assert 'name="organization"' not in page
    other_org = users["other_manager"].organization_id
    response = upload(client, DATA / "cesim-utf8-bom.csv", organization=str(other_org))
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id_from(response))
        assert batch.organization_id == users["manager"].organization_id


def _count_queries(app, client, path) -> int:
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_list_and_detail_use_a_constant_number_of_queries(app, client, auth, world):
    users, batch_id = world
    auth.sign_in(users["manager"])
    small = (_count_queries(app, client, "/imports/"), _count_queries(app, client, f"/imports/{batch_id}"))
    for _ in range(6):
        confirm_mapping(client, batch_id_from(upload(client, DATA / "pole-capitale-nationale-cp1252.csv")))
    large = (_count_queries(app, client, "/imports/"), _count_queries(app, client, f"/imports/{batch_id}"))
    assert small == large
