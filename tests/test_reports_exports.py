"""Enterprise list exports: only what the user may see, the list's filters, translated columns,
safe in a spreadsheet (formulas neutralized), UTF-8 with BOM for French Excel."""
import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from crm.extensions import db
from crm.reports.exports import csv_chunks, neutralize, text_cells
from tests.reports_helpers import add_enterprise, build_programme

DANGEROUS = ['=HYPERLINK("http://example.com/x","clic")', "+15145550000", "-2+3", "@SUM(A1:A9)",
             "\tTabulation", "\rRetour"]


@pytest.fixture
def programme(app, make):
    return build_programme(app, make)


def read_csv(response, delimiter=";"):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith("\ufeff".encode())  # the BOM: Excel then reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def names(rows) -> set[str]:
    return {row[0] for row in rows[1:]}


def test_csv_in_french_uses_semicolons_translated_columns_and_bom(client, auth, programme):
    auth.sign_in(programme.manager_a)
    response = client.get("/reports/enterprises.csv")
    assert 'filename="entreprises-' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:4] == ["Nom", "NEQ", "Forme juridique", "Région"]
    assert "Étape" in rows[0] and "Organisation" in rows[0]
    e1 = next(row for row in rows if row[0] == "Entreprise E1")
    assert "Parcours terminé" in e1 and "Organisme à but non lucratif (OBNL)" in e1 and "Estrie" in e1
    assert "2026-01-10" in e1  # created on, in Québec time


def test_csv_in_english_uses_commas(client, auth, make, programme):
    auth.sign_in(make.user(role="manager", organization=programme.org_a, locale="en"))
    rows = read_csv(client.get("/reports/enterprises.csv"), delimiter=",")
    assert rows[0][:4] == ["Name", "NEQ", "Legal form", "Region"]
    assert len(rows) == 5


@pytest.mark.parametrize("role, expected", [
    ("admin", {"E1", "E2", "E3", "E4", "E5", "E6"}),
    ("manager_a", {"E1", "E2", "E3", "E4"}),
    ("coach_a", {"E1", "E2", "E3", "E4"}),
    ("manager_b", {"E5", "E6"}),
    ("manager_c", set()),
])
def test_exports_hold_only_what_the_user_may_see(client, auth, programme, role, expected):
    auth.sign_in(getattr(programme, role))
    wanted = {f"Entreprise {key}" for key in expected}  # E7 is archived: never exported
    assert names(read_csv(client.get("/reports/enterprises.csv"))) == wanted
    workbook = load_workbook(io.BytesIO(client.get("/reports/enterprises.xlsx").data), read_only=True)
    rows = list(workbook["Entreprises"].iter_rows(values_only=True))
    assert rows[0][0] == "Nom" and {row[0] for row in rows[1:]} == wanted


def test_another_organizations_filter_gives_nothing_more_to_a_manager(client, auth, programme):
    # Managers have no organization filter (as on the list): the export stays their organization's.
    auth.sign_in(programme.manager_a)
    exported = names(read_csv(client.get(f"/reports/enterprises.csv?organization={programme.org_b.id}")))
    assert exported == {"Entreprise E1", "Entreprise E2", "Entreprise E3", "Entreprise E4"}


@pytest.mark.parametrize("query, expected", [
    ("?stage=training", {"Entreprise E3"}),
    ("?stage=training&stage=completed", {"Entreprise E1", "Entreprise E3"}),
    ("?region=03", {"Entreprise E3"}),
    ("?legal_form=coop_work", {"Entreprise E2"}),
    ("?q=ENTREPRISE+e4", {"Entreprise E4"}),
    ("?region=05&stage=identified", {"Entreprise E4"}),
    ("?stage=", {"Entreprise E1", "Entreprise E2", "Entreprise E3", "Entreprise E4"}),
])
def test_the_lists_filters_apply_to_the_export(client, auth, programme, query, expected):
    auth.sign_in(programme.manager_a)
    assert names(read_csv(client.get("/reports/enterprises.csv" + query))) == expected


def test_admin_filters_by_organization_and_coach(app, client, auth, make, programme):
    coach = make.user(role="coach", organization=programme.org_b)
    with app.app_context():
        add_enterprise(programme.org_b.id, "06", "obnl", [("identified", "03-01")], name="Suivie",
                       coach_id=coach.id)
        db.session.commit()
    auth.sign_in(programme.admin)
    rows = read_csv(client.get(f"/reports/enterprises.csv?organization={programme.org_b.id}"))
    assert names(rows) == {"Entreprise E5", "Entreprise E6", "Suivie"}
    assert names(read_csv(client.get(f"/reports/enterprises.csv?coach={coach.id}"))) == {"Suivie"}


@pytest.mark.parametrize("query", [
    "?stage=nowhere", "?region=42", "?legal_form=corp", "?organization=abc", "?coach=-1", "?q=" + "x" * 201,
])
def test_bad_filter_values_are_refused_with_a_message(client, auth, programme, query):
    message = "pas été compris : rien n&#39;a été exporté."
    auth.sign_in(programme.admin if "organization" in query else programme.manager_a)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/reports/enterprises.{fmt}{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_formulas_are_neutralized_in_csv_and_stay_text_in_xlsx(app, client, auth, programme):
    with app.app_context():
        for name in DANGEROUS:
            add_enterprise(programme.org_a.id, "05", "obnl", [("identified", "03-01")], name=name,
                           sector="=1+1")
        db.session.commit()
    auth.sign_in(programme.manager_a)
    rows = read_csv(client.get("/reports/enterprises.csv"))
    exported = {row[0] for row in rows[1:]}
    for name in DANGEROUS:
        one_line = name.replace("\t", " ").replace("\r", " ")  # names are stored on one line, without controls
        assert ("'" + name if one_line == name else one_line) in exported
    sector = rows[0].index("Précisions sur l'activité")
    assert {row[sector] for row in rows[1:] if row[sector]} == {"'=1+1"}
    workbook = load_workbook(io.BytesIO(client.get("/reports/enterprises.xlsx").data))
    cells = [row[0] for row in workbook["Entreprises"].iter_rows(min_row=2)]
    formula = next(cell for cell in cells if cell.value.startswith("=HYPERLINK"))
    assert formula.data_type == "s"  # text, never run as a formula
    assert not any(cell.data_type == "f" for row in workbook["Entreprises"].iter_rows() for cell in row)


@pytest.mark.database_independent
def test_neutralize_leaves_ordinary_values_alone():
    assert neutralize("Coop de l'Estrie") == "Coop de l'Estrie"
    assert neutralize(-3) == -3 and neutralize(None) is None
    assert neutralize("-3") == "'-3" and neutralize("@x") == "'@x"


@pytest.mark.database_independent
def test_csv_chunks_write_the_bom_once_then_one_chunk_per_batch():
    batch = [text_cells(["Café; «Élan»", "=1"]), text_cells(["Québec", None])]
    chunks = csv_chunks(["Nom", "Ville"], iter([batch]), delimiter=";")
    assert next(chunks) == "\ufeffNom;Ville\r\n"
    assert "".join(chunks) == '"Café; «Élan»";Québec\r\n\'=1;\r\n'

    batches = ([text_cells([f"Entreprise {n}" for n in range(start, start + 1000)]), ["Sherbrooke"] * 1000]
               for start in range(0, 20_000, 1000))
    chunks = list(csv_chunks(["Nom", "Ville"], batches, delimiter=";"))[1:]
    assert len(chunks) == 20  # streamed, yet not one write per row
    assert "".join(chunks).count("\r\n") == 20_000 and "\ufeff" not in "".join(chunks)


# Text that needs quoting or neutralizing, mixed with ordinary text.
cell_text = st.one_of(st.none(), st.text(), st.text(alphabet=';,"\r\n=+-@\t \'aé«', max_size=6))


@pytest.mark.database_independent
@given(rows=st.lists(st.lists(cell_text, min_size=3, max_size=3), min_size=1, max_size=8),
       delimiter=st.sampled_from([";", ","]))
def test_cells_are_written_exactly_as_csv_writer_writes_them(rows, delimiter):
    expected = io.StringIO()
    writer = csv.writer(expected, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["a", "b", "c"])
    writer.writerows([["" if value is None else neutralize(value) for value in row] for row in rows])
    columns = [text_cells(list(column)) for column in zip(*rows, strict=True)]
    assert "".join(csv_chunks(["a", "b", "c"], [columns], delimiter=delimiter)) == "\ufeff" + expected.getvalue()
