"""The sector of activity: a coded list, on the enterprise's form and page, in imports, the list's
filters, the CSV export and the dashboard's breakdowns."""
import csv
import io

import pytest
from sqlalchemy import select

from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.imports.validation import Lookups
from crm.reports import queries
from tests.api_helpers import bearer, personal_token
from tests.conftest import csrf_token
from tests.enterprises_helpers import world  # noqa: F401 - fixture
from tests.imports_helpers import batch_id_from, commit, confirm_mapping, upload
from tests.reports_helpers import build_programme

PROFILE = {"name": "Coopérative d'habitation du Fleuve", "legal_form": "coop_consumer", "region_code": "03",
           "city": "Québec", "preferred_language": "fr"}


def test_the_form_saves_a_sector_and_the_page_shows_its_label(app, client, auth, world):  # noqa: F811
    auth.sign_in(world.coach)
    token = csrf_token(client, "/enterprises/new")
    response = client.post("/enterprises/new", data={**PROFILE, "sector_code": "housing",
                                                      "sector": "Logement pour aînés", "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Habitation" in page and "Logement pour aînés" in page
    with app.app_context():
        enterprise = db.session.scalar(select(Enterprise))
        assert (enterprise.sector_code, enterprise.sector) == ("housing", "Logement pour aînés")
    edit = f"/enterprises/{enterprise.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert '<option selected value="housing">Habitation</option>' in form
    response = client.post(edit, data={**PROFILE, "sector_code": "", "version": str(enterprise.version),
                                       "csrf_token": csrf_token(client, edit)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Enterprise, enterprise.id).sector_code is None
    history = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "Habitation → " in history  # the audit names the sector by its label


def test_an_unknown_sector_is_refused_by_the_form(app, client, auth, world):  # noqa: F811
    auth.sign_in(world.coach)
    token = csrf_token(client, "/enterprises/new")
    response = client.post("/enterprises/new", data={**PROFILE, "sector_code": "mining", "csrf_token": token})
    assert response.status_code == 400 and "N&#39;est pas un choix valide" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Enterprise)) is None


@pytest.fixture
def sectors_world(app, make, world):  # noqa: F811
    make.enterprise(world.org, name="Habitat Un", sector_code="housing")
    make.enterprise(world.org, name="Habitat Deux", sector_code="housing")
    make.enterprise(world.org, name="Culture Trois", sector_code="culture_communications")
    make.enterprise(world.org, name="Sans Secteur")
    make.enterprise(world.other_org, name="Habitat Ailleurs", sector_code="housing")
    return world


def _names(page: str, candidates) -> set:
    return {name for name in candidates if name in page}


NAMES = ("Habitat Un", "Habitat Deux", "Culture Trois", "Sans Secteur", "Habitat Ailleurs")


def test_the_list_filters_by_sector_and_by_no_sector(client, auth, sectors_world):
    auth.sign_in(sectors_world.manager)
    page = client.get("/enterprises?sector=housing").get_data(as_text=True)
    assert _names(page, NAMES) == {"Habitat Un", "Habitat Deux"}  # never another organization's
    page = client.get("/enterprises?sector=none").get_data(as_text=True)
    assert _names(page, NAMES) == {"Sans Secteur"}
    auth.sign_in(sectors_world.admin)
    page = client.get("/enterprises?sector=housing").get_data(as_text=True)
    assert _names(page, NAMES) == {"Habitat Un", "Habitat Deux", "Habitat Ailleurs"}


@pytest.mark.parametrize("value", ["mining", "%00", "x" * 500, "housing'--"])
def test_a_bad_sector_filter_is_ignored_with_a_translated_message(client, auth, sectors_world, value):
    auth.sign_in(sectors_world.manager)
    response = client.get("/enterprises", query_string={"sector": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Certains filtres n&#39;ont pas été compris" in page
    assert _names(page, NAMES) == {"Habitat Un", "Habitat Deux", "Culture Trois", "Sans Secteur"}
    # The export refuses rather than export more than asked.
    response = client.get("/reports/enterprises.csv", query_string={"sector": value})
    assert response.status_code == 400


def test_the_csv_export_has_the_sector_label_and_follows_the_filter(client, auth, sectors_world):
    auth.sign_in(sectors_world.manager)
    response = client.get("/reports/enterprises.csv?sector=housing")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    column = rows[0].index("Secteur")
    assert sorted((row[0], row[column]) for row in rows[1:]) == [("Habitat Deux", "Habitation"),
                                                                 ("Habitat Un", "Habitation")]
    response = client.get("/reports/enterprises.csv?sector=culture_communications")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert [row[rows[0].index("Secteur")] for row in rows[1:]] == ["Culture et communications"]


@pytest.mark.parametrize(("typed", "code"), [
    ("Habitation", "housing"), ("habitation", "housing"), ("HOUSING", "housing"), ("logement", "housing"),
    ("Culture et communications", "culture_communications"), ("Culture and communications", "culture_communications"),
    ("Petite enfance", "early_childhood"), ("petite-enfance", "early_childhood"), ("CPE", "early_childhood"),
    ("Environnement et récupération", "environment_recovery"),
    ("environnement et recuperation", "environment_recovery"),
    ("Formation et insertion socioprofessionnelle", "training_integration"),
    ("Finance solidaire", "solidarity_finance"), ("Services aux entreprises", "business_services"),
    ("Santé", "health"), ("Médias", "media"), ("Agroalimentaire", "agrifood"), ("Autre", "other"),
    ("personal_services", "personal_services"), ("Loisirs et tourisme", "leisure_tourism"),
    ("Commerce de détail", "retail"),
])
def test_import_matches_sector_names_tolerantly(app, typed, code):
    with app.test_request_context():
        assert Lookups.build().sector(typed) == code


def test_import_maps_the_secteur_column_and_keeps_an_unknown_one_as_details(app, client, auth, make):
    hub = make.organization(name="Pôle de la Capitale-Nationale")
    manager = make.user("manager", hub)
    auth.sign_in(manager)
    content = ("Nom;Région;Forme juridique;Ville;Secteur\n"
               "Coop Logis;03;OBNL;Québec;Habitation\n"
               "Coop Vélo;03;OBNL;Québec;Transport actif\n"
               "Coop Vide;03;OBNL;Québec;\n").encode()
    response = upload(client, content, "secteurs.csv")
    batch_id = batch_id_from(response)
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    assert 'selected value="sector_code"' in page or 'value="sector_code" selected' in page
    assert confirm_mapping(client, batch_id).status_code == 302
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert "Secteur non reconnu" in preview and "Habitation" in preview
    assert commit(client, batch_id).status_code == 302
    with app.app_context():
        rows = db.session.execute(select(Enterprise.name, Enterprise.sector_code, Enterprise.sector)
                                  .order_by(Enterprise.name)).all()
    assert [tuple(row) for row in rows] == [("Coop Logis", "housing", None),
                                            ("Coop Vide", None, None),
                                            ("Coop Vélo", None, "Transport actif")]


def test_dashboard_counts_by_sector_within_what_the_user_may_see(app, client, auth, make):
    programme = build_programme(app, make)
    ids = programme.enterprise_ids
    with app.app_context():
        for key, code in (("E1", "housing"), ("E2", "housing"), ("E3", "media"), ("E5", "housing")):
            db.session.get(Enterprise, ids[key]).sector_code = code
        db.session.commit()
        with app.test_request_context():
            scope = queries.build_scope(db.session.get(type(programme.manager_a), programme.manager_a.id))
            sectors = {row.key: (row.label, row.figures.enterprises, row.figures.reached)
                       for row in queries.dashboard(scope).sectors}
    # Organization A: E1 and E2 housing (both reached), E3 media (reached), E4 not specified.
    assert sectors == {"housing": ("Habitation", 2, 2), "media": ("Médias", 1, 1),
                       "none": ("Non précisé", 1, 0)}
    auth.sign_in(programme.admin)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Par secteur d'activité" in page and "Entreprises rejointes par secteur d&#39;activité" in page
    with app.app_context(), app.test_request_context():
        scope = queries.build_scope(db.session.get(type(programme.admin), programme.admin.id))
        sectors = {row.key: row.figures.enterprises for row in queries.dashboard(scope).sectors}
    # The whole programme: E5 (B) is housing too; E6 not specified; E7 archived, never counted.
    assert sectors == {"housing": 3, "media": 1, "none": 2}


def test_the_api_reads_and_writes_the_sector_code(app, client, make):
    organization = make.organization()
    coach = make.user("coach", organization)
    enterprise = make.enterprise(organization, coach=coach, sector_code="media")
    headers = bearer(personal_token(app, coach))
    url = f"/api/v1/enterprises/{enterprise.id}"
    read = client.get(url, headers=headers)
    assert read.json["sector_code"] == "media"
    refused = client.patch(url, headers={**headers, "If-Match": read.headers["ETag"]}, json={"sector_code": "mining"})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "sector_code"
    changed = client.patch(url, headers={**headers, "If-Match": read.headers["ETag"]}, json={"sector_code": "health"})
    assert changed.status_code == 200 and changed.json["sector_code"] == "health"
