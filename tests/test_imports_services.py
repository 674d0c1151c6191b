"""Services, CLI and progress: the fast path writes what the enterprise services write."""
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.contacts import services as contact_services
from crm.contacts.models import Contact
from crm.enterprises import services as enterprise_services
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from crm.imports import services
from crm.imports.models import ImportBatch
from crm.imports.parsing import FileRefused, Limits, decode, detect_delimiter, read_table
from crm.imports.validation import Lookups, guess_mapping
from crm.organizations.models import Organization
from crm.text import fold, normalized_name, single_line, strip_bidi_controls
from tests.imports_helpers import (
    DATA,
    batch_id_from,
    commit,
    confirm_mapping,
    count,
    upload,
)


def _big_csv(path, rows: int):
    lines = ["Nom de l'entreprise;NEQ;Région administrative;Forme juridique;Ville;Prénom;Nom du contact;Courriel"]
    lines += [f"Entreprise numéro {i};{1_000_000_000 + i};{(i % 17) + 1:02d};OBNL;Ville {i % 50};"
              f"Prénom{i};Nom{i};p{i}@exemple.example" for i in range(rows)]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def test_fast_path_writes_what_create_enterprise_and_add_contact_write(app, make):
    org = make.organization()
    with app.app_context():
        organization = db.session.get(Organization, org.id)
        batch = services.start_import(
            "Nom;NEQ;Région;Forme juridique;Ville;Prénom;Nom du contact;Courriel;Consentement\r\n"
            "Coop Alpha inc.;1170000099;Estrie;Coopérative de travail;Sherbrooke;Léa;Roy;lea@alpha.example;oui\r\n"
            .encode("cp1252"), "a.csv", organization=organization, actor=None)
        services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults, actor=None)
        services.commit_import(batch, actor=None, update_empty=False)
        imported = db.session.scalar(select(Enterprise).where(Enterprise.neq == "1170000099"))
        reference = enterprise_services.create_enterprise(
            actor=None, name="Coop Alpha inc.", legal_form="coop_work", region_code="05", city="Sherbrooke",
            organization_id=org.id, neq=None, coach_id=None, preferred_language="fr",
            postal_code=None, sector=None, employees=None, website=None)
        contact_services.add_contact(reference, actor=None, first_name="Léa", last_name="Roy",
                                        email="lea@alpha.example", email_consent=True, title=None, phone=None,
                                        preferred_language="fr", consent_source=None)
        db.session.flush()
        for column in ("name_key", "city_key", "stage", "legal_form", "region_code", "preferred_language"):
            assert getattr(imported, column) == getattr(reference, column), column
        # The services flush twice (enterprise, then contact), so their record is at version 2.
        assert imported.version == 1
        assert imported.search_text == reference.search_text.replace("sherbrooke", "1170000099 sherbrooke")
        assert db.session.scalar(select(StageChange).where(StageChange.enterprise_id == imported.id)).to_stage \
            == "identified"
        audit = {(e.entity_type, e.enterprise_id): e
                 for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "create"))}
        assert set(audit[("enterprises", imported.id)].changes) == \
            set(audit[("enterprises", reference.id)].changes) | {"neq"}
        # The services record consent in a separate consent_granted entry; the fast path in the
        # contact's creation entry, and in the consent history (checked in the end-to-end test).
        assert set(audit[("contacts", imported.id)].changes) == set(audit[("contacts", reference.id)].changes) | \
            {"email_consent", "consent_source"}
        assert audit[("enterprises", imported.id)].context == {"import_id": batch.id}
        contact = db.session.scalar(select(Contact).where(Contact.enterprise_id == imported.id))
        assert contact.email_consent and contact.consent_at is not None and contact.version == 1


def test_fast_path_stores_on_every_table_the_values_the_services_store(app, make):
    """Read back as stored (PostgreSQL takes the rows through COPY, SQLite through INSERT): the
    same values, column by column, as create_enterprise, add_contact and grant_consent store."""
    org = make.organization()
    user = make.user(role="manager", organization=org)
    with app.app_context():
        organization, actor = db.session.get(Organization, org.id), db.session.get(User, user.id)
        batch = services.start_import(
            "Nom;NEQ;Région;Forme juridique;Ville;Code postal;Secteur;Employés;Site web;Prénom;Nom du contact;"
            "Titre;Courriel;Téléphone;Langue;Consentement\r\n"
            "Coop Alpha inc.;1170000099;Estrie;Coopérative de travail;Sherbrooke;j1h 1a1;Culture;12;alpha.example;"
            "Léa;Roy;Directrice;Lea@Alpha.example;819 555-0101;anglais;oui\r\n".encode("cp1252"),
            "a.csv", organization=organization, actor=actor)
        services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults, actor=actor)
        services.commit_import(batch, actor=actor, update_empty=False)
        imported = db.session.scalar(select(Enterprise.id).where(Enterprise.neq == "1170000099"))
        enterprise = db.session.get(Enterprise, imported)
        contact = db.session.scalar(select(Contact).where(Contact.enterprise_id == imported))
        source, phone = contact.consent_source, contact.phone  # cleaned by the import as by the form
        reference = enterprise_services.create_enterprise(
            actor=actor, name="Coop Alpha inc.", legal_form="coop_work", region_code="05", city="Sherbrooke",
            organization_id=org.id, neq="1170000098", coach_id=None, preferred_language="fr",
            postal_code=enterprise.postal_code, sector_code="culture_communications", employees=12,
            website=enterprise.website,
            context={"import_id": batch.id})
        contact_services.add_contact(reference, actor=actor, first_name="Léa", last_name="Roy",
                                        title="Directrice", email="Lea@alpha.example", phone=phone,
                                        preferred_language="en", email_consent=True, consent_source=source,
                                        context={"import_id": batch.id})
        db.session.commit()
        pair = (imported, reference.id)

        def stored(name, column, values=pair, skip=()):
            table = db.metadata.tables[name]
            rows = db.session.execute(select(table).where(table.c[column].in_(values))
                                      .order_by(table.c[column])).mappings().all()
            assert len(rows) == 2, name
            return [{k: v for k, v in row.items() if k not in {"id", column, *skip}} for row in rows]

        moments = ("created_at", "updated_at")
        ours, theirs = stored("enterprises", "id", skip={"neq", "search_text", "version", *moments})
        assert ours == theirs
        ours, theirs = stored("stage_changes", "enterprise_id", skip={"changed_at"})
        assert ours == theirs
        ours, theirs = stored("contacts", "enterprise_id", skip={"version", "consent_at", *moments})
        assert ours == theirs and ours["email_consent"] and ours["consent_source"] == source
        contacts = db.session.scalars(select(Contact.id).where(Contact.enterprise_id.in_(pair))).all()
        ours, theirs = stored("consent_events", "contact_id", contacts, skip={"at"})
        assert ours == theirs == {"purpose": "email_reminders", "granted": True, "source": source,
                                  "recorded_by_id": user.id}
        entries = {(e.entity_type, e.enterprise_id): e for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "create", AuditEntry.enterprise_id.in_(pair)))}
        ours, theirs = entries[("enterprises", imported)], entries[("enterprises", reference.id)]
        assert {k: v for k, v in ours.changes.items() if k != "neq"} == \
            {k: v for k, v in theirs.changes.items() if k != "neq"}
        assert (ours.actor_id, ours.context) == (theirs.actor_id, theirs.context) == (user.id, {"import_id": batch.id})
        ours, theirs = entries[("contacts", imported)], entries[("contacts", reference.id)]
        # The services create the contact without consent, then record it in an entry of its own.
        consent = ("email_consent", "consent_source")
        assert {k: v for k, v in ours.changes.items() if k not in consent} == \
            {k: v for k, v in theirs.changes.items() if k not in consent}
        assert ours.changes["email_consent"] == [None, True]
        assert (ours.actor_id, ours.context) == (theirs.actor_id, theirs.context)


def _import(app, org_id, data: bytes, edit_checked_rows=None) -> ImportBatch:
    with app.app_context():
        organization = db.session.get(Organization, org_id)
        batch = services.start_import(data, "a.csv", organization=organization, actor=None)
        services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults, actor=None)
        if edit_checked_rows:
            batch.checked_rows = edit_checked_rows(batch.checked_rows)
        db.session.commit()
        services.commit_import(batch, actor=None, update_empty=False)
        db.session.commit()
        return batch.id


def _assert_keys_as_refresh_keys_computes_them(enterprise) -> None:
    stored = (enterprise.name_key, enterprise.city_key, enterprise.search_text)
    enterprise_services.refresh_keys(enterprise)
    assert (enterprise.name_key, enterprise.city_key, enterprise.search_text) == stored
    db.session.rollback()


_THREE_ROWS = ("Nom;NEQ;Région;Forme juridique;Ville;Prénom;Nom du contact;Courriel\r\n" + "\r\n".join(
    f"Atelier {word} inc.;{neq};Estrie;OBNL;Saint-Élie {word};Zoé;{word};{word.lower()}@coop.example"
    for word, neq in (("Érable", "1170000001"), ("Bouleau", ""), ("Cèdre", "1170000003")))).encode()


def test_each_imported_contact_and_audit_entry_belongs_to_its_own_enterprise(app, make):
    """The new rows' ids are drawn after the rows already stored (PostgreSQL's sequence, SQLite's
    next ids), and each contact, stage change and audit entry points to its own enterprise."""
    org = make.organization()
    make.enterprise(org, contacts=2)
    make.enterprise(org, contacts=1)
    _import(app, org.id, _THREE_ROWS)
    with app.app_context():
        imported = db.session.scalars(select(Enterprise).where(Enterprise.name.like("Atelier %"))).all()
        assert len(imported) == 3
        for enterprise in imported:
            word = enterprise.name.split()[1]
            [contact] = enterprise.contacts
            assert (contact.last_name, contact.email) == (word, f"{word.lower()}@coop.example")
            assert enterprise.city == f"Saint-Élie {word}"
            entries = db.session.scalars(select(AuditEntry).where(AuditEntry.enterprise_id == enterprise.id)).all()
            assert {(e.entity_type, e.entity_id) for e in entries} == {("enterprises", enterprise.id),
                                                                       ("contacts", contact.id)}
            assert {e.entity_type: e.changes["name" if e.entity_type == "enterprises" else "last_name"]
                    for e in entries} == {"enterprises": [None, enterprise.name], "contacts": [None, word]}
            assert db.session.scalar(select(StageChange.to_stage).where(StageChange.enterprise_id == enterprise.id)) \
                == "identified"
            _assert_keys_as_refresh_keys_computes_them(enterprise)


def test_rows_checked_before_their_keys_were_kept_are_imported_with_them(app, make):
    def without_keys(packed):
        width = packed["enterprise"].index("name_key")
        return {"enterprise": packed["enterprise"][:width], "contact": packed["contact"],
                "rows": [[line, values[:width], contact] for line, values, contact in packed["rows"]]}

    org = make.organization()
    _import(app, org.id, _THREE_ROWS, edit_checked_rows=without_keys)
    with app.app_context():
        imported = db.session.scalars(select(Enterprise).where(Enterprise.name.like("Atelier %"))).all()
        assert len(imported) == 3 and all(e.name_key and e.search_text for e in imported)
        for enterprise in imported:
            _assert_keys_as_refresh_keys_computes_them(enterprise)


def test_file_is_read_at_upload_only_and_the_commit_writes_the_rows_the_preview_checked(app, make, monkeypatch):
    org = make.organization()
    data = ("Nom;NEQ;Région;Forme juridique;Ville\r\n"
            "Coop Alpha;1170000099;Estrie;OBNL;Sherbrooke\r\n"
            "Coop Beta;117;Estrie;OBNL;Magog\r\n"
            "Coop Gamma;1170000097;Estrie;OBNL;Orford\r\n").encode("cp1252")
    with app.app_context():
        organization = db.session.get(Organization, org.id)
        batch = services.start_import(data, "a.csv", organization=organization, actor=None)
        db.session.commit()
        monkeypatch.setattr(services, "read_sheet", lambda *args: pytest.fail("the file was read again"))
        services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults, actor=None)
        db.session.commit()
        monkeypatch.setattr(services, "analyse", lambda *args, **kwargs: pytest.fail("the rows were checked again"))
        # Enterprises may change between the preview and the commit: what to do is decided again.
        enterprise_services.create_enterprise(actor=None, name="Coop Gamma", legal_form="obnl", region_code="05",
                                              city="Orford", organization_id=org.id)
        counts = services.commit_import(batch, actor=None, update_empty=False)
        db.session.commit()
        assert (counts["created"], counts["skipped"], counts["invalid"]) == (1, 1, 1)
        assert [i["line"] for i in batch.issues] == [3, 4] and batch.issues[1]["code"] == "existing_skipped"
        assert [line for line, _cells in batch.rejected_rows] == [3]
        assert batch.sheet is None and batch.checked_rows is None and batch.file_data is None


def test_a_batch_previewed_before_batches_kept_their_rows_reads_its_file(app, make):
    org = make.organization()
    with app.app_context():
        organization = db.session.get(Organization, org.id)
        batch = services.start_import(b"Nom;Forme juridique;Region\r\nCoop Alpha;OBNL;05\r\n", "a.csv",
                                      organization=organization, actor=None)
        services.preview_import(batch, mapping=batch.mapping, defaults=batch.defaults, actor=None)
        batch.sheet = batch.checked_rows = None
        db.session.commit()
        assert services.commit_import(batch, actor=None, update_empty=False)["created"] == 1


def test_cli_dry_run_writes_nothing_and_real_run_imports(app, runner, make):
    """In French unless asked otherwise, counts in plural forms."""
    make.organization(code="pole-cn", region_code="03")
    path = str(DATA / "pole-capitale-nationale-cp1252.csv")
    result = runner.invoke(args=["crm", "import", path, "--org", "pole-cn", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert ("Essai à blanc, rien n’a été écrit. L’importation donnerait : 4 entreprises créées, "
            "0 entreprise mise à jour, 1 ligne ignorée, 3 lignes invalides.") in result.output
    assert "Colonnes : " in result.output
    assert count(app, Enterprise) == 0 and count(app, ImportBatch) == 0
    result = runner.invoke(args=["crm", "import", path, "--org", "pole-cn"])
    assert result.exit_code == 0, result.output
    assert ": 4 entreprises créées, 0 entreprise mise à jour, 1 ligne ignorée, 3 lignes invalides." in result.output
    assert "Ligne 5, NEQ : " in result.output and "Enregistrement" in result.output  # progress bar label
    assert count(app, Enterprise) == 4 and count(app, ImportBatch, ImportBatch.status == "done") == 1
    again = runner.invoke(args=["crm", "import", path, "--org", "pole-cn", "--update-empty", "--language", "en"])
    assert again.exit_code == 0, again.output
    assert "Columns: " in again.output and "Saving" in again.output and "Line 5, NEQ: " in again.output
    assert ": 0 enterprises created, 0 enterprises updated, 5 rows skipped, 3 invalid rows." in again.output
    assert count(app, Enterprise) == 4


def test_cli_refuses_unknown_organization_and_bad_files(app, runner, make, tmp_path):
    make.organization(code="org-x")
    result = runner.invoke(args=["crm", "import", str(DATA / "tresca.xlsx"), "--org", "nope"])
    assert result.exit_code != 0 and "Code d’organisation inconnu : nope" in result.output
    result = runner.invoke(args=["crm", "import", str(DATA / "tresca.xlsx"), "--org", "nope", "--language", "en"])
    assert result.exit_code != 0 and "Unknown organization code: nope" in result.output
    result = runner.invoke(args=["crm", "import", str(DATA / "tresca.xlsx"), "--org", "org-x", "--user", "x@y.example"])
    assert result.exit_code != 0 and "Utilisateur inconnu : x@y.example" in result.output
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["crm", "import", str(empty), "--org", "org-x"])
    assert result.exit_code != 0 and "Le fichier est vide." in result.output
    result = runner.invoke(args=["crm", "import", str(empty), "--org", "org-x", "--language", "en"])
    assert result.exit_code != 0 and "The file is empty." in result.output
    assert count(app, ImportBatch) == 0


def test_10000_rows_through_the_browser_with_progress_stored_for_other_workers(app, client, auth, make,
                                                                                tmp_path, monkeypatch):
    auth.sign_in(make.user(role="manager", organization=make.organization()))
    batch_id = batch_id_from(upload(client, _big_csv(tmp_path / "gros.csv", 10_000)))
    seen = []
    original = services.DatabaseProgress.__call__

    def spy(self, phase, done, total):
        original(self, phase, done, total)
        # What another worker answers the browser's polling, read on a connection of its own.
        with app.app_context():
            row = db.session.execute(select(ImportBatch.status, ImportBatch.phase, ImportBatch.progress_done)
                                     .where(ImportBatch.id == batch_id)).one()
            seen.append(tuple(row))
            db.session.remove()

    monkeypatch.setattr(services.DatabaseProgress, "__call__", spy)
    monkeypatch.setattr(services.DatabaseProgress, "__init__",
                        lambda self, batch_id: (setattr(self, "batch_id", batch_id), setattr(self, "interval", 0),
                                                setattr(self, "last_at", 0.0), setattr(self, "last_phase", None),
                                                setattr(self, "sqlite", db.engine.dialect.name == "sqlite"))[0])
    confirm_mapping(client, batch_id)
    assert ("validating", "checking", 5000) in seen and ("validating", "checking", 10000) in seen
    seen.clear()
    response = commit(client, batch_id)
    assert response.status_code == 302
    assert ("committing", "saving", 0) in seen
    assert count(app, Enterprise) == 10_000 and count(app, Contact) == 10_000
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Importation terminée : 10\u202f000 entreprises créées, 0 mise à jour." in detail
    progress = client.get(f"/imports/{batch_id}/progress").get_json()
    assert progress["status"] == "done"


def test_a_second_commit_is_refused_while_one_runs(app, client, auth, make):
    auth.sign_in(make.user(role="manager", organization=make.organization()))
    batch_id = batch_id_from(upload(client, DATA / "cesim-utf8-bom.csv"))
    confirm_mapping(client, batch_id)
    with app.app_context():
        assert services.claim(batch_id, "committing", ("previewed",))  # another worker got it
        assert not services.claim(batch_id, "committing", ("previewed",))
    response = commit(client, batch_id)
    assert response.status_code == 302 and count(app, Enterprise) == 0


@pytest.mark.database_independent
@pytest.mark.parametrize(("data", "encoding"), [
    ("Nom;Ville\r\nÉcole;Québec\r\n".encode("cp1252"), "cp1252"),
    ("Nom;Ville\r\nÉcole;Québec\r\n".encode(), "utf-8"),
    (b"\xef\xbb\xbf" + "Nom;Ville\r\nÉcole;Québec\r\n".encode(), "utf-8-sig"),
    ("Nom\tVille\r\nÉcole\tQuébec\r\n".encode("utf-16"), "utf-16"),
])
def test_encodings_are_detected(data, encoding):
    text, found = decode(data)
    assert found == encoding and "École" in text and "Québec" in text


@pytest.mark.database_independent
@pytest.mark.parametrize(("text", "delimiter"), [
    ("Nom;NEQ;Ville\nA, inc.;1;B\n", ";"), ("Nom,NEQ,Ville\n\"A; B\",1,C\n", ","), ("Nom\tNEQ\tVille\nA\t1\tB\n", "\t"),
])
def test_delimiters_are_detected(text, delimiter):
    assert detect_delimiter(text) == delimiter


def test_headers_and_codes_are_recognized_in_french_and_english(app):
    headers = ["Nom de l’entreprise", "NEQ", "Région administrative", "Courriel", "Company name", "Legal form",
               "CODE POSTAL", "Téléphone", "Inconnu"]
    assert guess_mapping(headers) == {"0": "name", "1": "neq", "2": "region_code", "3": "contact_email",
                                      "5": "legal_form", "6": "postal_code", "7": "contact_phone"}
    with app.app_context():
        lookups = Lookups.build()
    for value in ("06", "6", "Montréal", "MONTREAL", "06 - Montréal", "Montréal (06)"):
        assert lookups.region(value) == "06", value
    for value in ("Saguenay-Lac-St-Jean", "saguenay–lac-saint-jean", "2"):
        assert lookups.region(value) == "02", value
    for value in ("18", "@SUM(A1)", "Ontario", "06 - Laval"):
        assert lookups.region(value) is None, value
    assert lookups.legal_form("Coopérative de solidarité") == "coop_solidarity"
    assert lookups.legal_form("Solidarity co-operative") == "coop_solidarity"
    assert lookups.legal_form("OBNL") == lookups.legal_form("Non-profit organization") == "obnl"
    assert lookups.legal_form("coop_work") == "coop_work" and lookups.legal_form("SARL") is None


def test_read_table_reports_spreadsheet_line_numbers_and_skips_blank_rows(app):
    with app.app_context():
        table = read_table(b"Nom;NEQ\r\nA;1\r\n;\r\nB;2\r\n", "x.csv", Limits(rows=10))
        assert [line for line, _cells in table.rows] == [2, 4]
        with pytest.raises(FileRefused):
            read_table(b"Nom;NEQ\r\nA;1\r\nB;2\r\n", "x.csv", Limits(rows=1))


@pytest.mark.database_independent
@settings(max_examples=2000, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
       | st.text(alphabet="aeiouEÉÈéèàçÇôŒœß\u0301\u0327\u034f\u202e ﬁǅİ-.'", max_size=20))
def test_fold_keeps_its_definition(value):
    """Duplicates and search keys of every stored row depend on fold: its fast paths change nothing."""
    decomposed = unicodedata.normalize("NFKD", strip_bidi_controls(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    assert fold(value) == " ".join(re.sub(r"[^a-z0-9@._+-]+", " ", stripped.casefold()).split())


_WORDS = st.lists(st.sampled_from(["Coop", "coop", "inc.", "Ltée", "la", "École", "Saint-Élie", "O'Neil", "", " ",
                                   "\u202e", "x.y", "1170000001", "Zoé"]), max_size=4).map(" ".join)
_VALUES = st.none() | _WORDS | st.text(max_size=8)


@settings(max_examples=1000, deadline=None, database=None)
@given(_VALUES, st.sampled_from([None, "", "1170000001"]), _VALUES, st.lists(st.tuples(_VALUES, _VALUES, _VALUES),
                                                                            max_size=2))
def test_enterprise_keys_keep_their_definition(name, neq, city, people):
    """Each value is folded once; the keys are what they were, one fold per use."""
    name_key, city_key, search_text = enterprise_services.enterprise_keys(name, neq, city, people)
    assert name_key == (normalized_name(name) or fold(name)) and city_key == fold(city)
    parts = [name, neq, city] + [value for person in people for value in person]
    assert search_text == " ".join(fold(p) for p in parts if p)


@settings(max_examples=2000, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
       | st.text(alphabet=" aé\u00a0\u202e\u2066\u200f\u061c\u2028\u2029\x85\x1b\x7f\t\r\n", max_size=20))
def test_single_line_keeps_its_definition(value):
    """Its shortcut for printable text changes nothing."""
    breaks = "\x00-\x1f\x7f-\x9f\u2028\u2029"
    without_bidi = re.sub("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", "", value)
    assert single_line(value) == re.sub(f"[ {breaks}]*[{breaks}][ {breaks}]*", " ", without_bidi)
