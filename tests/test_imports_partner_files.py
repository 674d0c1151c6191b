"""Spreadsheets as partners keep them (issue 15): titles above the header, merged cells, a
preview of the rows as written, counts in words, « Nom » beside « Prénom », and the monthly
routine: the mapping proposed again, the report of refused rows fixed and imported again."""
import csv
import io

from sqlalchemy import select

from crm.contacts.models import Contact
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportMapping
from tests import imports_helpers
from tests.conftest import csrf_token
from tests.imports_files import NOTE, TITLE, estrie_members_xlsx
from tests.imports_helpers import batch_id_from, commit, confirm_mapping, count, preselected, upload

language, manager = imports_helpers.language, imports_helpers.manager  # fixtures

TEXTS = {
    "fr": {
        "merged": "Lignes 4 à 6, colonne « Région » : la cellule fusionnée « Estrie » est recopiée sur chaque ligne.",
        "defaulted": "Région administrative : vide sur 1 ligne, qui prend la valeur par défaut « Montérégie ».",
        "default_mark": "valeur par défaut",
        "done": "Importation terminée : 4 entreprises créées, 0 mise à jour.",
        "created_label": "<th scope=\"row\">Créées</th>",
        "lead": "estrie.xlsx : 4 lignes sous les noms de colonnes",
        "last_name_warning": "La colonne « Nom » n’est pas importée, alors que les contacts ont un prénom",
        "saved": "Ces noms de colonnes sont déjà venus avec un fichier précédent",
        "problem": "Problème à corriger",
        "neq_problem": "Ligne 3 : No NEQ : Le NEQ doit compter exactement 10 chiffres.",
        "one_row": "mars.csv : 1 ligne, pour",
        "one_created": "Importation terminée : 1 entreprise créée, 0 mise à jour.",
    },
    "en": {
        "merged": "Lines 4 to 6, column « Région »: the merged cell « Estrie » is copied into each row.",
        "defaulted": "Administrative region was empty on 1 row: it takes the default value « Montérégie ».",
        "default_mark": "default value",
        "done": "Import finished: 4 enterprises created, 0 updated.",
        "created_label": "<th scope=\"row\">Created</th>",
        "lead": "estrie.xlsx: 4 rows under the column names",
        "last_name_warning": "The column « Nom » is not imported, while contacts have a first name",
        "saved": "These column names came with an earlier file",
        "problem": "Problem to fix",
        "neq_problem": "Line 3: No NEQ: The NEQ must have exactly 10 digits.",
        "one_row": "mars.csv: 1 row, for",
        "one_created": "Import finished: 1 enterprise created, 0 updated.",
    },
}


def test_title_rows_merged_region_and_defaults_are_said_in_the_preview(app, client, manager, language):
    texts = TEXTS[language]
    response = upload(client, estrie_members_xlsx(), "estrie.xlsx")
    assert response.status_code == 302
    batch_id = batch_id_from(response)

    # The header is found on line 3, under the merged title and the note; « Nom » beside « Prénom »
    # is the contact's last name.
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    chosen = preselected(page)
    assert (chosen["col_0"], chosen["col_2"], chosen["col_5"], chosen["col_6"]) == (
        "name", "region_code", "contact_first_name", "contact_last_name")
    assert '<option selected value="3">' in page and TITLE in page and NOTE[:30] in page
    assert texts["lead"] in page

    # A default region unlike the merged one: a row that takes it is marked, never silently.
    confirm_mapping(client, batch_id, region="16")
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert 'data-count="created-skip">4<' in preview and 'data-count="invalid-skip">0<' in preview
    assert texts["merged"] in preview and texts["defaulted"] in preview
    assert texts["created_label"] in preview and "Créée le" not in preview
    # The first rows as they will be written: lines 5 and 6 from the merged cell, 7 the default.
    for line in (5, 6):
        row = preview.split(f'data-line="{line}"')[1].split("</tr>")[0]
        assert 'data-filled="region_code"' in row and "Estrie" in row
    row = preview.split('data-line="7"')[1].split("</tr>")[0]
    assert 'data-defaulted="region_code"' in row and texts["default_mark"] in row and "Montérégie" in row
    assert "lea@cantons.example" in preview
    assert ("Coopérative de solidarité" if language == "fr" else "Solidarity co-operative") in preview

    response = commit(client, batch_id)
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert texts["done"] in detail and "Créée le" not in detail
    with app.app_context():
        regions = dict(db.session.execute(select(Enterprise.neq, Enterprise.region_code)).all())
        assert regions == {"1170000101": "05", "1170000102": "05", "1170000103": "05", "1170000104": "16"}
        roy = db.session.scalar(select(Contact).where(Contact.email == "lea@cantons.example"))
        assert (roy.first_name, roy.last_name) == ("Léa", "Roy")


def test_the_user_picks_another_header_row(app, client, manager, language):
    batch_id = batch_id_from(upload(client, estrie_members_xlsx(), "estrie.xlsx"))
    path = f"/imports/{batch_id}/header"

    def choose(line):
        return client.post(path, data={"header_line": line, "csrf_token": csrf_token(client, path[:-6] + "mapping")})

    response = choose("1")
    assert response.status_code == 302
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    assert list(preselected(page)) == ["col_0"] and '<option selected value="1">' in page
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).row_count == 6  # the note and the header are data now
    response = choose("3")
    assert preselected(client.get(response.headers["Location"]).get_data(as_text=True))["col_0"] == "name"
    refused = choose("99")
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).header_line == 3


def test_unmapping_nom_beside_prenom_warns_that_contacts_lose_their_last_name(client, manager, language):
    content = "Entreprise;Région;Forme juridique;Prénom;Nom;Courriel\r\nCoop A;05;OBNL;Léa;Roy;lea@a.example\r\n"
    batch_id = batch_id_from(upload(client, content.encode(), "contacts.csv"))
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    assert preselected(page)["col_4"] == "contact_last_name"
    assert TEXTS[language]["last_name_warning"] not in page
    confirm_mapping(client, batch_id, {"col_4": ""})
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert TEXTS[language]["last_name_warning"] in preview


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("cp1252")


MONTHLY_HEADER = ["Membre", "No NEQ", "Territoire", "Statut", "Municipalité", "Prénom resp.", "Nom resp."]
MONTHLY_MAPPING = {"col_0": "name", "col_1": "neq", "col_2": "region_code", "col_3": "legal_form",
                   "col_4": "city", "col_5": "contact_first_name", "col_6": "contact_last_name"}


def test_monthly_routine_saved_mapping_and_report_fixed_and_imported_again(app, client, manager, language):
    texts = TEXTS[language]
    # February: columns that Virage does not recognize; the manager chooses them once.
    february = _csv([MONTHLY_HEADER, ["Coop Février", "1170000201", "05", "OBNL", "Sherbrooke", "Ana", "Roy"]])
    batch_id = batch_id_from(upload(client, february, "fevrier.csv"))
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    assert texts["saved"] not in page and preselected(page)["col_0"] == ""
    confirm_mapping(client, batch_id, MONTHLY_MAPPING)
    commit(client, batch_id)
    assert count(app, ImportMapping) == 1

    # March: the same columns come back; they are proposed as chosen in February.
    march = _csv([MONTHLY_HEADER,
                  ["Coop Mars", "1170000202", "05", "OBNL", "Magog", "Béa", "Côté"],
                  ["Coop Erreur", "12345", "05", "OBNL", "Magog", "Cal", "Roy"],
                  ["Coop Ailleurs", "1170000204", "Ontario", "OBNL", "Ottawa", "Dan", "Roy"]])
    batch_id = batch_id_from(upload(client, march, "mars.csv"))
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    assert texts["saved"] in page and preselected(page) == MONTHLY_MAPPING
    confirm_mapping(client, batch_id)
    commit(client, batch_id)
    assert count(app, Enterprise) == 2

    # The report: the refused rows as they were, with a last column saying what to fix.
    report = client.get(f"/imports/{batch_id}/report.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(report), delimiter=";"))
    assert rows[0] == [*MONTHLY_HEADER, texts["problem"]]
    assert [r[:7] for r in rows[1:]] == [["Coop Erreur", "12345", "05", "OBNL", "Magog", "Cal", "Roy"],
                                         ["Coop Ailleurs", "1170000204", "Ontario", "OBNL", "Ottawa", "Dan", "Roy"]]
    assert rows[1][7] == texts["neq_problem"]

    # Fixed in Excel and saved as CSV, the report is imported again as it is: same columns.
    rows[1][1], rows[2][2] = "1170000203", "07"
    batch_id = batch_id_from(upload(client, _csv(rows), "mars-corrige.csv"))
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    assert texts["saved"] in page and preselected(page) == {**MONTHLY_MAPPING, "col_7": ""}
    confirm_mapping(client, batch_id)
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert 'data-count="created-skip">2<' in preview and 'data-count="invalid-skip">0<' in preview
    commit(client, batch_id)
    with app.app_context():
        assert sorted(db.session.scalars(select(Enterprise.name))) == [
            "Coop Ailleurs", "Coop Erreur", "Coop Février", "Coop Mars"]
        assert db.session.scalar(select(Enterprise.region_code).where(Enterprise.name == "Coop Ailleurs")) == "07"
    assert count(app, ImportMapping) == 1


def test_counts_are_plural_forms_with_numbers_formatted(client, manager, language):
    texts = TEXTS[language]
    batch_id = batch_id_from(upload(client, b"Nom;R\xc3\xa9gion;Forme juridique\r\nCoop Seule;05;OBNL\r\n", "mars.csv"))
    confirm_mapping(client, batch_id)
    assert texts["one_row"] in client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    response = commit(client, batch_id)
    assert texts["one_created"] in client.get(response.headers["Location"]).get_data(as_text=True)
