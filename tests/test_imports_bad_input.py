"""Bad files: each gets a clear, translated message, writes nothing, and never ends in a 500."""
import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch
from tests.conftest import csrf_token
from tests.imports_helpers import DATA, batch_id_from, commit, confirm_mapping, count, upload

HEADER = "Nom de l'entreprise;NEQ;Région administrative;Forme juridique;Ville\r\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
       b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def manager(make, auth):
    user = make.user(role="manager", organization=make.organization(region_code="03"))
    auth.sign_in(user)
    return user


def _broken_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types>not really</Types>")
    return buffer.getvalue()


def _rows(n: int) -> bytes:
    lines = [HEADER] + [f"Entreprise {i};;03;OBNL;Québec\r\n" for i in range(n)]
    return "".join(lines).encode("utf-8")


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "vide.csv", "Le fichier est vide."),
    (b"\r\n ;;; \r\n", "blancs.csv", "Le fichier est vide."),
    (HEADER.encode("cp1252"), "entetes.csv", "une ligne d’en-tête, mais aucune ligne de données"),
    (PNG, "photo.csv", "n’est pas un fichier texte CSV"),
    (b"GIF89a" + bytes(range(256)) * 4, "image.csv", "n’est pas un fichier texte CSV"),
    (_broken_xlsx(), "classeur.xlsx", "n’est pas un classeur Excel (.xlsx) valide"),
    (b"ceci n'est pas un zip", "faux.xlsx", "n’est pas un classeur Excel (.xlsx) valide"),
    (b"Nom\r\nA\x81\x8d\x8f\x90\x9d\r\n", "encodage.csv", "L’encodage du fichier n’a pas été reconnu"),
    (b"Nom\nA", "liste.xls", "enregistrez-le en .xlsx ou en CSV"),
    (b"Nom\nA", "liste.pdf", "Choisissez un fichier .csv ou .xlsx"),
])
def test_refused_files_get_a_clear_message_and_write_nothing(app, client, manager, content, name, message):
    response = upload(client, content, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert count(app, ImportBatch) == 0 and count(app, Enterprise) == 0


def test_a_file_of_50000_rows_is_refused_with_the_limit(app, client, manager):
    response = upload(client, _rows(50_000), "enorme.csv")
    assert response.status_code == 400
    assert "Le fichier compte plus de 20\u202f000 lignes" in response.get_data(as_text=True)
    assert count(app, ImportBatch) == 0


def test_row_limit_is_configurable(app, client, manager):
    app.config["IMPORT_MAX_ROWS"] = 5
    assert upload(client, _rows(5), "cinq.csv").status_code == 302
    response = upload(client, _rows(6), "six.csv")
    assert response.status_code == 400 and "plus de 5 lignes" in response.get_data(as_text=True)


def test_file_over_the_import_size_limit_gets_a_message(app, client, manager):
    app.config["IMPORT_MAX_BYTES"] = 1000
    response = upload(client, _rows(100), "gros.csv")
    assert response.status_code == 400
    assert "Le fichier est trop volumineux : au plus 0" in response.get_data(as_text=True)
    assert count(app, ImportBatch) == 0


def test_request_over_flask_max_content_length_gets_the_upload_page_not_a_bare_413(app, client, manager):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = upload(client, _rows(200), "gros.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Le fichier est trop volumineux" in page and 'type="file"' in page
    assert count(app, ImportBatch) == 0


def test_missing_file_is_a_field_error(client, manager):
    response = client.post("/imports/new", data={"csrf_token": csrf_token(client, "/imports/new")})
    assert response.status_code == 400 and "Choisissez un fichier." in response.get_data(as_text=True)


def test_mixed_line_endings_and_tab_delimiter_are_read(app, client, manager):
    content = ("Nom\tNEQ\tRégion\tForme juridique\r\n"
               "Alpha\t1170000011\t03\tOBNL\n"
               "Bêta\t1170000012\t03\tOBNL\r"
               "Gamma\t\t03\tOBNL\r\n").encode()
    batch_id = batch_id_from(upload(client, content, "fins.csv"))
    confirm_mapping(client, batch_id)
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert 'data-count="created-skip">3<' in preview and 'data-count="invalid-skip">0<' in preview


def test_formulas_html_and_long_values_are_text_escaped_and_refused_by_field(app, client, manager):
    long_name = "Coopérative " + "très " * 60
    content = (HEADER
               + "=1+2;;03;OBNL;Québec\r\n"
               + "Atelier <i>HTML</i>;;<script>alert('x')</script>;OBNL;<img src=x onerror=alert(1)>\r\n"
               + f"{long_name};;03;OBNL;Québec\r\n"
               + "Normal;;@SUM(A1);OBNL;" + "V" * 130 + "\r\n").encode("cp1252")
    batch_id = batch_id_from(upload(client, content, "piegee.csv"))
    mapping_page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    assert "&lt;script&gt;" in mapping_page and "<img src=x" not in mapping_page
    confirm_mapping(client, batch_id)
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in preview and "<script>alert" not in preview
    assert "Trop long : 311 caractères, au plus 200." in preview  # trailing space trimmed
    assert "Trop long : 130 caractères, au plus 120." in preview
    assert 'data-count="created-skip">1<' in preview and 'data-count="invalid-skip">3<' in preview
    commit(client, batch_id)
    with app.app_context():
        assert db.session.scalars(select(Enterprise.name)).all() == ["=1+2"]  # stored as typed
    detail = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "&lt;script&gt;" in detail and "<script>alert" not in detail
    report = client.get(f"/imports/{batch_id}/report.csv").data.decode("utf-8-sig")
    assert "'@SUM(A1)" in report and "\n@" not in report and ";=" not in report


def test_nothing_is_written_when_the_commit_fails_midway(app, client, manager, monkeypatch):
    from crm.imports import services

    batch_id = batch_id_from(upload(client, DATA / "cesim-utf8-bom.csv"))
    confirm_mapping(client, batch_id)

    def explode(self, pairs, now):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services._Writer, "_contacts", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = commit(client, batch_id)
    assert response.status_code == 500 or response.status_code == 302
    assert count(app, Enterprise) == 0
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "previewed"  # may be tried again
    monkeypatch.undo()
    commit(client, batch_id)
    assert count(app, Enterprise) == 3


def test_mapping_without_the_name_column_is_refused(app, client, manager):
    batch_id = batch_id_from(upload(client, DATA / "cesim-utf8-bom.csv"))
    response = confirm_mapping(client, batch_id, {"col_0": ""})
    assert response.status_code == 400
    assert "Choisissez la colonne qui contient le nom de l’entreprise." in response.get_data(as_text=True)
    response = confirm_mapping(client, batch_id, {"col_4": "name"})
    assert "Chaque champ ne peut venir que d’une seule colonne" in response.get_data(as_text=True)
    response = confirm_mapping(client, batch_id, {"col_3": "nonsense"})
    assert response.status_code == 400


def test_xlsx_with_only_a_header_row(app, client, manager):
    workbook = Workbook()
    workbook.active.append(["Nom", "NEQ"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, buffer.getvalue(), "entetes.xlsx")
    assert response.status_code == 400 and "aucune ligne de données" in response.get_data(as_text=True)
