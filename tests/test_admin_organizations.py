"""Organizations are data that admins edit: create, edit, validation, the 2FA flag, audit."""
import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.organizations.models import Organization
from tests.conftest import Auth, post_form


@pytest.fixture
def admin_client(app, make):
    client = app.test_client()
    Auth(client).login(make.user(role="admin", organization=make.organization(code="cqcm", name="CQCM")))
    return client


def valid(**overrides):
    data = {"code": "pole-05", "name": "Pôle d'économie sociale de l'Estrie", "kind": "regional",
            "region_code": "05", "is_active": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_and_edits_an_organization(app, admin_client):
    response = post_form(admin_client, "/admin/organizations/new", valid(code=" Pole-05 "))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/organizations"
    page = admin_client.get("/admin/organizations").get_data(as_text=True)
    assert "Pôle d&#39;économie sociale de l&#39;Estrie" in page and "Estrie" in page
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.code == "pole-05"))
        assert organization.kind == "regional" and organization.is_active and not organization.require_two_factor
        organization_id = organization.id
    url = f"/admin/organizations/{organization_id}/edit"
    response = post_form(admin_client, url, valid(name="PES Estrie", require_two_factor="y", is_active=None))
    assert response.status_code == 302
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        assert (organization.name, organization.require_two_factor, organization.is_active) == ("PES Estrie", True,
                                                                                              False)
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "organizations")
                                     .order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["organization.created", "organization.updated"]
        assert entries[1].changes["require_two_factor"] == [False, True]
        assert entries[1].changes["is_active"] == [True, False]


@pytest.mark.parametrize("overrides, message", [
    ({"region_code": ""}, "doit avoir sa région"),
    ({"kind": "national"}, "n&#39;a pas de région"),
    ({"code": "Pôle 05!"}, "Lettres minuscules"),
    ({"code": ""}, "Ce champ est requis"),
    ({"code": "cqcm"}, "a déjà ce code"),
    ({"name": "cqcm"}, "a déjà ce nom"),
    ({"kind": "galactic"}, "choix valide"),
    ({"region_code": "99"}, "choix valide"),
])
def test_bad_input_changes_nothing(app, admin_client, overrides, message):
    response = post_form(admin_client, "/admin/organizations/new", valid(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 1


def test_an_unknown_organization_is_404(admin_client):
    assert admin_client.get("/admin/organizations/9999/edit").status_code == 404


def test_an_inactive_organization_is_not_offered_for_new_accounts(app, admin_client, make):
    make.organization(code="ancienne", name="Ancienne organisation", is_active=False)
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert "Ancienne organisation" not in page and "CQCM" in page
