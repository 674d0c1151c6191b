"""A hand-built programme for the report tests: every figure is known in advance.

Organization A (two regions) and B; C has no enterprise. Times are 15:00 UTC unless said.

    E1  A  05 obnl             identified 01-10, awareness 01-20, training 02-19,
                               coaching_individual 03-01, completed 04-01
    E2  A  05 coop_work        identified 01-15, awareness 02-04, withdrawn 03-16
    E3  A  03 obnl             identified 02-01, awareness 02-11, training 03-03
    E4  A  05 obnl             identified 2026-03-01 03:00 UTC = 2026-02-28 22:00 in Québec
    E5  B  06 coop_solidarity  identified 01-05, awareness 01-25, coaching_collective 02-09
    E6  B  06 obnl             identified 02-10
    E7  B  06 obnl             identified 01-05, awareness 01-06, then archived: never counted
"""
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl import load_workbook

from crm.auth.models import User
from crm.enterprises import services
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.organizations.models import Organization

JOURNEYS = {
    "E1": ("A", "05", "obnl", [("identified", "01-10"), ("awareness", "01-20"), ("training", "02-19"),
                               ("coaching_individual", "03-01"), ("completed", "04-01")]),
    "E2": ("A", "05", "coop_work", [("identified", "01-15"), ("awareness", "02-04"), ("withdrawn", "03-16")]),
    "E3": ("A", "03", "obnl", [("identified", "02-01"), ("awareness", "02-11"), ("training", "03-03")]),
    "E4": ("A", "05", "obnl", [("identified", datetime(2026, 3, 1, 3, tzinfo=UTC))]),
    "E5": ("B", "06", "coop_solidarity", [("identified", "01-05"), ("awareness", "01-25"),
                                          ("coaching_collective", "02-09")]),
    "E6": ("B", "06", "obnl", [("identified", "02-10")]),
    "E7": ("B", "06", "obnl", [("identified", "01-05"), ("awareness", "01-06")]),
}


def at(when) -> datetime:
    if isinstance(when, datetime):
        return when
    month, day = (int(part) for part in when.split("-"))
    return datetime(2026, month, day, 15, tzinfo=UTC)


@dataclass
class Programme:
    org_a: Organization
    org_b: Organization
    org_c: Organization
    admin: User
    manager_a: User
    coach_a: User
    manager_b: User
    manager_c: User
    enterprise_ids: dict


def add_enterprise(organization_id, region, legal_form, journey, *, name, **fields) -> Enterprise:
    first_stage, first_at = journey[0]
    enterprise = services.create_enterprise(
        actor=None, name=name, legal_form=legal_form, region_code=region, city="Sherbrooke",
        organization_id=organization_id, created_at=at(first_at), **fields)
    for stage, when in journey[1:]:
        services.change_stage(enterprise, stage, actor=None, comment="test", at=at(when))
    return enterprise


def build_programme(app, make) -> Programme:
    org_a = make.organization(name="Pôle A")
    org_b = make.organization(name="Pôle B")
    org_c = make.organization(name="Pôle C")
    users = {
        "admin": make.user(role="admin", organization=org_a, locale="fr"),
        "manager_a": make.user(role="manager", organization=org_a, locale="fr"),
        "coach_a": make.user(role="coach", organization=org_a, locale="fr"),
        "manager_b": make.user(role="manager", organization=org_b, locale="fr"),
        "manager_c": make.user(role="manager", organization=org_c, locale="fr"),
    }
    owners = {"A": org_a.id, "B": org_b.id}
    ids = {}
    with app.app_context():
        for key, (owner, region, legal_form, journey) in JOURNEYS.items():
            enterprise = add_enterprise(owners[owner], region, legal_form, journey, name=f"Entreprise {key}")
            if key == "E7":
                enterprise.archived_at = at("03-01")
            ids[key] = enterprise.id
        db.session.commit()
    return Programme(org_a, org_b, org_c, **users, enterprise_ids=ids)


def add_identified(app, organization_id, count, *, region="05"):
    """More data of the same shape, for the query-count tests."""
    with app.app_context():
        for n in range(count):
            add_enterprise(organization_id, region, "obnl",
                           [("identified", "01-02"), ("awareness", "01-03"), ("training", "01-04")],
                           name=f"Extra {n}")
        db.session.commit()


def enterprises_counted(client, path="/reports/funder.xlsx") -> int:
    """The funder report's count of enterprises, as the signed-in user sees it."""
    response = client.get(path)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["Résumé"]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}["Entreprises"]
