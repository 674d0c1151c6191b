"""Hostile and broken spreadsheets (issue 15): each is refused early with a translated message,
or read for what it really holds; nothing is written, and no later page pays for it.

Their memory and time are measured in ``bench/import_bench.py --hostile``, not here.
"""
import pytest

from crm.extensions import db
from crm.imports import services
from crm.imports.models import ImportBatch
from crm.organizations.models import Organization
from tests import imports_helpers
from tests.imports_files import (
    copied_formulas_xlsx,
    far_cell_xlsx,
    huge_dimension_xlsx,
    lying_zip_bomb_xlsx,
    many_cells_csv,
    wide_csv,
    workbook_bytes,
    zip_bomb_xlsx,
)
from tests.imports_helpers import assert_refused, batch_id_from, upload

language, manager = imports_helpers.language, imports_helpers.manager  # fixtures

MESSAGES = {
    "fr": {
        "bomb": "Ce classeur occuperait plus de 50 Mo une fois décompressé",
        "small_bomb": "Ce classeur occuperait plus de 1 Mo une fois décompressé",
        "columns": "Le fichier compte plus de 200 colonnes : supprimez les colonnes que vous n’importez pas.",
        "cells": "Le fichier compte plus de 1\u202f000\u202f000 cellules (lignes × colonnes)",
        "few_cells": "Le fichier compte plus de 10\u202f000 cellules (lignes × colonnes)",
        "invalid": "Ce fichier n’est pas un classeur Excel (.xlsx) valide.",
        "formulas": "Le fichier compte plus de 100\u202f000 formules recopiées : enregistrez-en une copie avec "
                    "les valeurs seulement (Collage spécial, Valeurs) et importez cette copie.",
    },
    "en": {
        "bomb": "This workbook would take more than 50 MB once uncompressed",
        "small_bomb": "This workbook would take more than 1 MB once uncompressed",
        "columns": "The file has more than 200 columns: delete the columns you do not import.",
        "cells": "The file has more than 1,000,000 cells (rows × columns)",
        "few_cells": "The file has more than 10,000 cells (rows × columns)",
        "invalid": "This file is not a valid Excel (.xlsx) workbook.",
        "formulas": "The file has more than 100,000 formulas copied down: save a copy with values only (Paste "
                    "special, Values) and import that copy.",
    },
}


@pytest.mark.parametrize(("build", "name", "key"), [
    (lambda: zip_bomb_xlsx(5_000_000), "bombe.xlsx", "bomb"),  # inflates 250 times: refused unread
    (lambda: lying_zip_bomb_xlsx(20_000_000), "menteuse.xlsx", "invalid"),  # read up to its lie, then checked
    (lambda: wide_csv(300_000), "large.csv", "columns"),
    (lambda: wide_csv(250), "large.csv", "columns"),
    (far_cell_xlsx, "loin.xlsx", "cells"),  # a million empty rows before its last cell
    (huge_dimension_xlsx, "dimension.xlsx", "cells"),  # the same, with a dimension of the whole grid
    (copied_formulas_xlsx, "formules.xlsx", "formulas"),  # each formula copied down is translated to its cell
])
def test_hostile_files_are_refused_with_a_translated_message(app, client, manager, language, build, name, key):
    assert_refused(app, upload(client, build(), name), MESSAGES[language][key])


def test_a_declared_dimension_is_not_trusted(app, client, manager):
    data = huge_dimension_xlsx(far_row=False)
    assert len(data) < 2000
    batch_id = batch_id_from(upload(client, data, "dimension.xlsx"))
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.headers == ["Nom", "Ville"] and batch.row_count == 1
    assert "Coop Bombe" in client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)


def test_caps_are_settings(app, client, manager, language):
    app.config.update(IMPORT_MAX_CELLS=10_000, IMPORT_MAX_UNCOMPRESSED_BYTES=1_000_000)
    assert_refused(app, upload(client, many_cells_csv(rows=200, columns=60), "cellules.csv"),
                   MESSAGES[language]["few_cells"])
    # An honest workbook, compressed as spreadsheets are, but larger than allowed once uncompressed.
    rows = [["Nom", "Ville"]] + [[f"Coopérative numéro {i}", f"Ville {i}"] for i in range(8000)]
    assert_refused(app, upload(client, workbook_bytes(rows), "gros.xlsx"), MESSAGES[language]["small_bomb"])
    app.config.update(IMPORT_MAX_COLUMNS=2)
    assert_refused(app, upload(client, b"Nom;Ville;Secteur\r\nA;B;C\r\n", "trois.csv"),
             {"fr": "plus de 2 colonnes", "en": "more than 2 columns"}[language])


def test_an_import_too_wide_from_before_the_limit_is_not_shown_again(app, client, manager, language):
    with app.app_context():
        app.config["IMPORT_MAX_COLUMNS"] = 5000
        organization = db.session.get(Organization, manager.organization_id)
        header = ";".join(f"Colonne {i}" for i in range(3000))
        batch = services.start_import(f"Nom;{header}\r\nA;B\r\n".encode(), "ancien.csv",
                                      organization=organization, actor=None)
        db.session.commit()
        batch_id = batch.id
    app.config["IMPORT_MAX_COLUMNS"] = 200
    response = client.get(f"/imports/{batch_id}/mapping")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/imports/{batch_id}")
    assert MESSAGES[language]["columns"] in client.get(response.headers["Location"]).get_data(as_text=True)
