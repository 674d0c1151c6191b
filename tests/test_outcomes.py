"""The outcome chain: digital plans and projects on the enterprise page (audited, recorded by those who
may edit the enterprise), and the dashboard's "plan → project carried out" by organization and region."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.enterprises import timeline
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.outcomes import services
from crm.outcomes.models import DigitalPlan, DigitalProject
from crm.reports import queries
from tests.conftest import csrf_token
from tests.enterprises_helpers import QueryCounter, world  # noqa: F401 - fixture
from tests.reports_helpers import build_programme

PROJECT = {"title": "Boutique en ligne", "category": "website_ecommerce", "status": "planned",
           "amount_invested": "25 000", "public_funding": "10 000,40", "jobs_created": "2", "jobs_maintained": "",
           "started_on": "2026-03-01", "completed_on": ""}


def _post(client, path, prefix, data, page):
    payload = {f"{prefix}-{key}": value for key, value in data.items()}
    payload["csrf_token"] = csrf_token(client, page)
    return client.post(path, data=payload)


def test_a_coach_records_a_plan_then_a_project_carried_out(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    page = f"/enterprises/{enterprise.id}"
    auth.sign_in(world.coach)
    shown = client.get(page).get_data(as_text=True)
    assert "Plan numérique et projets" in shown and "Ajouter un plan numérique" in shown
    assert '<details class="disclosure">' in shown  # closed until needed
    response = _post(client, f"{page}/plans/new", "plan",
                     {"produced_on": "2026-02-10", "link": "https://docs.example.org/plan"}, page)
    assert response.status_code == 302 and response.headers["Location"].endswith("#outcomes")
    response = _post(client, f"{page}/projects/new", "project", PROJECT, page)
    assert response.status_code == 302
    with app.app_context():
        project = db.session.scalar(select(DigitalProject))
        assert (project.amount_invested, project.public_funding, project.jobs_created, project.jobs_maintained) == (
            25000, 10000, 2, None)
    shown = client.get(page).get_data(as_text=True)
    assert "Produit le 10 février 2026" in shown and "Boutique en ligne" in shown
    assert "25\u202f000\u00a0$" in shown and "Prévu" in shown

    edit = f"{page}/projects/{project.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="Boutique en ligne"' in form
    carried = {**PROJECT, "status": "carried_out", "version": str(project.version)}
    response = _post(client, edit, "project", carried, edit)
    assert response.status_code == 400
    assert "Indiquez la date de réalisation du projet" in response.get_data(as_text=True)
    response = _post(client, edit, "project", {**carried, "completed_on": "2026-06-30"}, edit)
    assert response.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "Réalisé le 30 juin 2026" in shown and "Réalisé</span>" in shown
    # Audited, and named in the history.
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type.in_(
            ("digital_plans", "digital_projects"))).order_by(AuditEntry.id)).all()
        assert [(e.entity_type, e.action, e.actor_id) for e in entries] == [
            ("digital_plans", "create", world.coach.id), ("digital_projects", "create", world.coach.id),
            ("digital_projects", "update", world.coach.id)]
        assert entries[-1].changes["status"] == ["planned", "carried_out"]
    assert "Plan numérique" in shown and "Prévu → Réalisé" in shown


@pytest.mark.parametrize(("change", "message"), [
    ({"amount_invested": "-5"}, "doit être"),
    ({"public_funding": "30 000"}, "Le financement public ne peut pas dépasser le montant investi"),
    ({"started_on": "2026-05-01", "completed_on": "2026-04-01"}, "Un projet est réalisé après avoir commencé"),
    ({"status": "carried_out", "completed_on": "2099-01-01"}, "ne peut pas être daté dans le futur"),
    ({"category": "astrology"}, "N&#39;est pas un choix valide"),
    ({"status": "done"}, "N&#39;est pas un choix valide"),
    ({"title": ""}, "Ce champ est requis"),
    ({"jobs_created": "deux"}, "entier"),
])
def test_bad_project_input_is_refused_and_nothing_is_saved(app, client, auth, make, world, change, message):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    page = f"/enterprises/{enterprise.id}"
    auth.sign_in(world.coach)
    response = _post(client, f"{page}/projects/new", "project", {**PROJECT, **change}, page)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    with app.app_context():
        assert db.session.scalar(select(DigitalProject)) is None


def test_a_plan_in_the_future_is_refused(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    page = f"/enterprises/{enterprise.id}"
    auth.sign_in(world.manager)
    response = _post(client, f"{page}/plans/new", "plan", {"produced_on": "2099-01-01"}, page)
    assert response.status_code == 400 and "La date ne peut pas être dans le futur" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(DigitalPlan)) is None


def test_a_stale_project_edit_is_refused(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    with app.app_context():
        project = services.add_project(db.session.get(Enterprise, enterprise.id), actor=None, title="CRM",
                                       category="management_software", status="planned")
        db.session.commit()
        project_id, version = project.id, project.version
    edit = f"/enterprises/{enterprise.id}/projects/{project_id}/edit"
    auth.sign_in(world.coach)
    data = {**PROJECT, "title": "CRM libre", "category": "management_software", "version": str(version)}
    assert _post(client, edit, "project", data, edit).status_code == 302
    response = _post(client, edit, "project", {**data, "title": "CRM perdu"}, edit)
    assert response.status_code == 400
    assert "Une autre personne a enregistré ce projet" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(DigitalProject, project_id).title == "CRM libre"


def test_only_those_who_may_edit_the_enterprise_record_outcomes(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    with app.app_context():
        project = services.add_project(db.session.get(Enterprise, enterprise.id), actor=None, title="CRM",
                                       category="management_software", status="planned")
        db.session.commit()
        project_id = project.id
    page = f"/enterprises/{enterprise.id}"
    auth.sign_in(world.colleague)  # a coach of the organization, not assigned: reads only
    shown = client.get(page).get_data(as_text=True)
    assert "CRM" in shown and "Ajouter un projet" not in shown and "/edit\"" not in shown.split('id="outcomes"')[1]
    assert client.get(f"{page}/projects/new").status_code == 403
    assert client.get(f"{page}/projects/{project_id}/edit").status_code == 403
    other = make.enterprise(world.org, coach=world.colleague)
    # A project seen through another enterprise does not exist.
    auth.sign_in(world.colleague)
    assert client.get(f"/enterprises/{other.id}/projects/{project_id}/edit").status_code == 404


# --- The dashboard, on a hand-built data set -----------------------------------------------------

def _plan(enterprise_id, day):
    services.add_plan(db.session.get(Enterprise, enterprise_id), actor=None,
                      produced_on=date.fromisoformat(f"2026-{day}"))


def _project(enterprise_id, status, done=None, **amounts):
    services.add_project(db.session.get(Enterprise, enterprise_id), actor=None, title="Projet", category="other",
                         status=status, completed_on=date.fromisoformat(f"2026-{done}") if done else None, **amounts)


@pytest.fixture
def outcomes(app, make):
    """A: E1 (05) plan 02-01, carried out 03-15; E2 (05) plan 02-10, project started; E3 (03) plan 03-01,
    carried out 04-10 and one abandoned; E4 (05) no plan, carried out 01-20. B: E5 (06) plan 01-15,
    carried out 02-20; E6 (06) plan 02-15 only."""
    programme = build_programme(app, make)
    ids = programme.enterprise_ids
    with app.app_context():
        _plan(ids["E1"], "02-01")
        _project(ids["E1"], "carried_out", "03-15", amount_invested=10000, public_funding=4000, jobs_created=2,
                 jobs_maintained=3)
        _plan(ids["E2"], "02-10")
        _project(ids["E2"], "started", amount_invested=7000)
        _plan(ids["E3"], "03-01")
        _project(ids["E3"], "carried_out", "04-10", amount_invested=5000, public_funding=1000, jobs_created=1)
        _project(ids["E3"], "abandoned")
        _project(ids["E4"], "carried_out", "01-20", amount_invested=300)
        _plan(ids["E5"], "01-15")
        _project(ids["E5"], "carried_out", "02-20", amount_invested=20000, public_funding=15000, jobs_maintained=4)
        _plan(ids["E6"], "02-15")
        db.session.commit()
    return programme


def _section(app, user, **filters) -> dict:
    with app.test_request_context():
        scope = queries.build_scope(db.session.get(User, user.id), **filters)
        section = next(s for template, s, _sheets in queries.dashboard(scope).sections
                       if template == "outcomes/_dashboard_section.html")

        def rows(groups):
            return {row["label"]: (row["planned"], row["converted"]) for row in groups}
        return {"total": (section["total"]["planned"], section["total"]["converted"]),
                "organizations": rows(section["organizations"]), "regions": rows(section["regions"]),
                "totals": section["totals"]}


def test_plan_to_project_conversion_by_organization_and_region_is_exact_and_scoped(app, outcomes):
    figures = _section(app, outcomes.manager_a)
    assert figures["total"] == (3, 2)
    assert figures["organizations"] == {"Pôle A": (3, 2)}
    assert figures["regions"] == {"Capitale-Nationale": (1, 1), "Estrie": (2, 1)}
    assert figures["totals"] == {"projects": 3, "enterprises": 3, "invested": 15300, "funding": 5000,
                                 "jobs_created": 3, "jobs_maintained": 3}
    figures = _section(app, outcomes.admin)
    assert figures["total"] == (5, 3)
    assert figures["organizations"] == {"Pôle A": (3, 2), "Pôle B": (2, 1)}
    assert figures["regions"] == {"Capitale-Nationale": (1, 1), "Estrie": (2, 1), "Montréal": (2, 1)}
    assert figures["totals"]["projects"] == 4 and figures["totals"]["invested"] == 35300
    assert _section(app, outcomes.manager_b)["organizations"] == {"Pôle B": (2, 1)}
    assert _section(app, outcomes.manager_c)["total"] == (0, 0)


def test_the_period_counts_plans_produced_and_projects_carried_out_in_it(app, outcomes):
    # Until March 31: E3's project (April 10) is not carried out yet.
    figures = _section(app, outcomes.manager_a, date_to=date(2026, 3, 31))
    assert figures["total"] == (3, 1) and figures["totals"]["projects"] == 2  # E1 and E4
    # From February 5: the plans of E2 and E3; E4's project (January 20) is before the period.
    figures = _section(app, outcomes.manager_a, date_from=date(2026, 2, 5), date_to=date(2026, 12, 31))
    assert figures["total"] == (2, 1) and figures["regions"] == {"Capitale-Nationale": (1, 1), "Estrie": (1, 0)}
    assert figures["totals"]["projects"] == 2 and figures["totals"]["invested"] == 15000


def test_the_dashboard_and_workbook_show_the_conversion(app, client, auth, outcomes):
    auth.sign_in(outcomes.admin)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Du plan numérique aux projets réalisés" in page
    assert 'data-figure="plan-conversion">60' in page  # 3 of 5
    assert "3 entreprises sur 5 ayant un plan numérique ont réalisé un projet" in page
    assert 'data-figure="invested">35\u202f300\u00a0$<' in page
    response = client.get("/reports/funder.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Des plans aux projets"]
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0][:3] == ("Toutes", 5, 3) and ("Pôle B", 2, 1) == rows[2][:3]


def test_the_dashboard_query_count_does_not_grow_with_outcomes(app, client, auth, outcomes):
    app.config["REPORT_CACHE_SECONDS"] = 0
    auth.sign_in(outcomes.admin)
    with QueryCounter(app) as before:
        assert client.get("/reports/").status_code == 200
    with app.app_context():
        for key in ("E4", "E6", "E2"):
            _plan(outcomes.enterprise_ids[key], "05-01")
            _project(outcomes.enterprise_ids[key], "carried_out", "05-02", amount_invested=100)
        db.session.commit()
    with QueryCounter(app) as after:
        assert client.get("/reports/").status_code == 200
    assert after.count == before.count


def test_a_new_plan_or_diagnostic_refreshes_the_cached_dashboard(app, client, auth, outcomes):
    app.config["REPORT_CACHE_SECONDS"] = 300
    auth.sign_in(outcomes.manager_a)
    assert "3 entreprises sur 3 ayant" not in client.get("/reports/").get_data(as_text=True)
    assert "2 entreprises sur 3 ayant un plan numérique ont réalisé un projet" in client.get("/reports/").get_data(
        as_text=True)
    with app.app_context():
        _project(outcomes.enterprise_ids["E2"], "carried_out", "05-01")
        db.session.commit()
    page = client.get("/reports/").get_data(as_text=True)
    assert "3 entreprises sur 3 ayant un plan numérique ont réalisé un projet" in page
    with app.test_request_context():
        for day in ("01-10", "02-10"):
            timeline.add_diagnostic(db.session.get(Enterprise, outcomes.enterprise_ids["E1"]), actor=None,
                                    performed_on=date.fromisoformat(f"2026-{day}"), tool="own", maturity_level=2,
                                    scores={"data": 2 if day == "01-10" else 5})
        db.session.commit()
    assert 'data-figure="diagnosed-twice">1<' in client.get("/reports/").get_data(as_text=True)


def test_the_enterprise_page_reads_outcomes_and_scores_in_a_fixed_number_of_queries(app, client, auth, make,
                                                                                     world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    page = f"/enterprises/{enterprise.id}"
    auth.sign_in(world.coach)

    def add(count):
        with app.test_request_context():
            row = db.session.get(Enterprise, enterprise.id)
            for n in range(count):
                services.add_plan(row, actor=None, produced_on=date(2026, 2, 1 + n))
                services.add_project(row, actor=None, title=f"Projet {n}", category="other", status="planned")
                timeline.add_diagnostic(row, actor=None, performed_on=date(2026, 3, 1 + n), tool="own",
                                        maturity_level=2, scores={"strategy": 1 + n % 5, "data": 2})
            db.session.commit()

    add(1)
    with QueryCounter(app) as few:
        assert client.get(page).status_code == 200
    add(6)
    with QueryCounter(app) as many:
        shown = client.get(page)
    assert shown.status_code == 200 and "Projet 5" in shown.get_data(as_text=True)
    assert many.count == few.count
