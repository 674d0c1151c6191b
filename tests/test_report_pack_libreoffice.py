"""The report pack's workbook opens in LibreOffice: converted to PDF (headless), its text (pdftotext)
shows the figures with French number formats (« 1 244 567 $ », « 2,0 », « 50,0 % ») and the
definitions, when LibreOffice reads it in a French locale."""
import os
import shutil
import subprocess

import pytest

from tests.report_pack_helpers import build_pack_world

FY_2026 = {"period": "custom", "date_from": "2026-04-01", "date_to": "2027-03-31"}


def _tools() -> tuple[str, str]:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice and pdftotext:
        return soffice, pdftotext
    # Missing tools fail the test, as a missing Chromium fails the browser tests: `make test` installs them.
    pytest.fail("soffice or pdftotext is missing: apt-get install libreoffice-calc-nogui poppler-utils "
                "(tools/run_tests.sh installs them when run as root)")


def _as_text(workbook: bytes, tmp_path) -> str:
    soffice, pdftotext = _tools()
    source = tmp_path / "pack.xlsx"
    source.write_bytes(workbook)
    # A profile of its own: another LibreOffice running on the machine does not take the conversion.
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    env = {**os.environ, "LANG": "fr_CA.UTF-8", "LC_ALL": "fr_CA.UTF-8", "HOME": str(tmp_path)}
    subprocess.run([soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, env=env, capture_output=True, timeout=180)
    pdf = tmp_path / "pack.pdf"
    assert pdf.exists(), "LibreOffice made no PDF of the workbook"
    return subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=60).stdout


def test_libreoffice_renders_the_workbook_with_french_number_formats(app, client, auth, make, tmp_path):
    world = build_pack_world(app, make)
    auth.sign_in(world.admin)
    response = client.get("/reports/pack.xlsx", query_string=FY_2026)
    assert response.status_code == 200
    text = " ".join(_as_text(response.data, tmp_path).replace("\u00a0", " ").replace("\u202f", " ").split())
    assert "Investissement déclenché 1 244 567 $" in text
    assert "Financement public obtenu 500 000 $" in text
    assert "Heures d'accompagnement 2,0" in text
    assert "Conversion du plan au projet réalisé 50,0 %" in text
    assert "Gain moyen : Stratégie +1,50" in text
    assert "Entreprises sensibilisées 2" in text
    assert "Contacts distincts marqués présents" in text  # the definitions, beside the figures and in their sheet
    assert "Suivies par un partenaire national" in text  # the breakdown by regional hub
