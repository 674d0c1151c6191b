"""The "Done when" scenario of issue 7, through the real routes, as a manager would do it."""
import csv
import io

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.contacts.models import ConsentEvent, Contact
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from crm.imports.models import ImportBatch
from tests.imports_helpers import (
    DATA,
    batch_id_from,
    commit,
    confirm_mapping,
    count,
    preselected,
    upload,
)


def test_manager_imports_the_windows_1252_semicolon_file_with_preview_duplicates_commit_and_report(
        app, client, auth, make):
    hub = make.organization(name="Pôle de la Capitale-Nationale", kind="regional", region_code="03")
    other = make.organization(name="Chantier de l'économie sociale")
    manager = make.user(role="manager", organization=hub)
    ours = make.enterprise(hub, name="Centre d'entraide Les Écureuils", neq="1170000002", city="Lévis",
                           region_code="03", postal_code=None, sector=None)
    theirs = make.enterprise(other, name="Café L'Îlot", neq="1170000003", city="Québec", postal_code=None)
    auth.sign_in(manager)

    # 1. Upload: the file is read, and the browser goes to the column mapping.
    response = upload(client, DATA / "pole-capitale-nationale-cp1252.csv")
    assert response.status_code == 302
    batch_id = batch_id_from(response)

    # 2. Mapping: French headers recognized and pre-selected; accented values shown decoded.
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    chosen = preselected(page)
    assert chosen["col_0"] == "name" and chosen["col_1"] == "neq" and chosen["col_3"] == "region_code"
    assert chosen["col_9"] == "contact_email" and chosen["col_12"] == "contact_consent"
    assert "Coopérative de solidarité Le Grenier" in page and "Hélène" in page
    assert count(app, Enterprise) == 2  # nothing written yet

    # 3. Preview: counts, invalid rows with line, column and a translated reason; duplicates.
    response = confirm_mapping(client, batch_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/imports/{batch_id}/preview")
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert 'data-count="created-skip">2<' in preview          # Grenier and the formula row
    assert 'data-count="updated-update">1<' in preview        # Écureuils: empty postal code, sector
    assert 'data-count="invalid-skip">3<' in preview
    assert 'data-count="skipped-skip">3<' in preview          # in-file repeat, other org, ours skipped
    assert "Le NEQ doit compter exactement 10 chiffres." in preview
    assert "Région administrative inconnue" in preview and "Entrez un code postal canadien" in preview
    assert "Même entreprise que la ligne 2 de ce fichier" in preview
    assert "Chantier de l&#39;économie sociale" in preview  # the owner is named, never modified
    assert count(app, Enterprise) == 2

    # 4. Commit with "fill empty fields".
    response = commit(client, batch_id, duplicates="update_empty")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/imports/{batch_id}")
    detail = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert 'data-count="created">2<' in detail and 'data-count="updated">1<' in detail
    assert 'data-count="invalid">3<' in detail and "pole-capitale-nationale-cp1252.csv" in detail
    assert manager.full_name in detail

    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status == "done" and batch.file_data is None and batch.created_by_id == manager.id
        created = db.session.scalars(select(Enterprise).where(Enterprise.organization_id == hub.id,
                                                               Enterprise.id != ours.id)).all()
        assert sorted(e.name for e in created) == ['=HYPERLINK("http://evil.example")',
                                                   "Coopérative de solidarité Le Grenier"]
        grenier = next(e for e in created if e.neq == "1170000001")
        assert (grenier.region_code, grenier.legal_form, grenier.stage) == ("03", "coop_solidarity", "identified")
        helene = db.session.scalar(select(Contact).where(Contact.enterprise_id == grenier.id))
        assert helene.email_consent and helene.consent_source.startswith(f"import #{batch_id}")
        assert helene.phone == "+1 418-555-0101" and helene.consent_recorded_by_id == manager.id
        consent = db.session.scalars(select(ConsentEvent).where(ConsentEvent.contact_id == helene.id)).one()
        assert consent.granted and consent.purpose == "email_reminders" and consent.recorded_by_id == manager.id
        assert db.session.scalar(select(StageChange).where(StageChange.enterprise_id == grenier.id))
        updated = db.session.get(Enterprise, ours.id)
        assert updated.postal_code == "G6V 4Z2" and updated.sector_code == "personal_services"
        assert updated.name == "Centre d'entraide Les Écureuils"
        untouched = db.session.get(Enterprise, theirs.id)
        assert untouched.postal_code is None and untouched.organization_id == other.id
        entries = db.session.scalars(select(AuditEntry)).all()
        tagged = [e for e in entries if (e.context or {}).get("import_id") == batch_id]
        assert {(e.action, e.entity_type) for e in tagged} == {
            ("create", "enterprises"), ("create", "contacts"), ("update", "enterprises")}
        assert sum(e.entity_type == "enterprises" and e.action == "create" for e in tagged) == 2
        update = next(e for e in tagged if e.action == "update")
        assert update.entity_id == ours.id and update.changes["postal_code"] == [None, "G6V 4Z2"]
        assert all(e.actor_id == manager.id for e in tagged)

    # 5. The report: UTF-8 with BOM, formulas neutralized, the refused rows with the file's own
    # columns and a last one that says what to fix.
    response = client.get(f"/imports/{batch_id}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Nom de l'entreprise", "NEQ"] and rows[0][-1] == "Problème à corriger"
    assert [r[0] for r in rows[1:]] == ["Friperie Bon Débarras", "Atelier Vélo-Cité", "Ressourcerie Saint-Roch"]
    assert rows[1][1] == "12345" and rows[1][-1].startswith("Ligne 5 : NEQ : Le NEQ doit compter exactement 10")
    assert "Entrez un code postal canadien" in rows[3][-1]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    # The list of imports shows it, and a second commit is refused (already done).
    assert "pole-capitale-nationale-cp1252.csv" in client.get("/imports/").get_data(as_text=True)
    again = commit(client, batch_id)
    assert again.status_code == 302 and count(app, Enterprise) == 4


def test_utf8_bom_comma_file_with_english_headers(app, client, auth, make):
    hub = make.organization(name="CÉSÎM", region_code="06", kind="regional")
    auth.sign_in(make.user(role="manager", organization=hub))
    batch_id = batch_id_from(upload(client, DATA / "cesim-utf8-bom.csv"))
    page = client.get(f"/imports/{batch_id}/mapping").get_data(as_text=True)
    assert preselected(page)["col_0"] == "name" and "Montréal Solidarity Co-op" in page
    confirm_mapping(client, batch_id)
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert 'data-count="created-skip">3<' in preview and 'data-count="invalid-skip">0<' in preview
    commit(client, batch_id)
    with app.app_context():
        enterprises = {e.neq: e for e in db.session.scalars(select(Enterprise))}
        assert enterprises["1160000001"].legal_form == "coop_solidarity"
        assert enterprises["1160000002"].region_code == "06" and enterprises["1160000003"].legal_form == "mutual"
        assert enterprises["1160000001"].website == "https://solidarite.example"
        amelie = db.session.scalar(select(Contact).where(Contact.email == "amelie@solidarite.example"))
        assert amelie.preferred_language == "en" and amelie.phone == "+1 514-555-0111 x12"


def test_xlsx_file_formulas_are_data_and_admin_chooses_the_organization(app, client, auth, make):
    office = make.organization(name="Bureau du programme")
    tresca = make.organization(name="TRESCA", region_code="12", kind="regional")
    auth.sign_in(make.user(role="admin", organization=office))
    response = upload(client, DATA / "tresca.xlsx", organization=str(tresca.id))
    batch_id = batch_id_from(response)
    confirm_mapping(client, batch_id)
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert 'data-count="created-skip">2<' in preview and 'data-count="invalid-skip">2<' in preview
    assert "=2+3" in preview  # the formula is shown as typed, never computed
    commit(client, batch_id)
    with app.app_context():
        enterprises = db.session.scalars(select(Enterprise).order_by(Enterprise.neq)).all()
        assert [e.neq for e in enterprises] == ["1180000001", "1180000002"]
        assert all(e.organization_id == tresca.id for e in enterprises)
        assert enterprises[1].employees == 3 and enterprises[0].region_code == "12"
