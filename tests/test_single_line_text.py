"""One-line text stays on one line, and never carries bidirectional controls (issue 16, points 4 and 7).

Every form of the code base is walked: each one-line text field (names, titles, cities, searches…)
refuses line breaks and control characters with a translated message and drops U+202E and its kin;
text areas (notes, descriptions) keep their line breaks. What does not come through a form (a
service called by the CLI, an import's cells, rows stored before) is cleaned as well.
"""
import importlib
import pkgutil

from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

import crm
from crm.cohorts.models import ProgrammeSession
from crm.contacts import services as contact_services
from crm.contacts.models import Contact
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.forms import Form
from crm.i18n import force_locale
from crm.imports.validation import RowValidator
from tests.conftest import post_form
from tests.enterprises_helpers import world  # noqa: F401 - fixture
from tests.reminders_helpers import build_world

REFUSED = ["Atelier\nBcc: x@evil.example", "a\rb", "a\r\nb", "a\u2028b", "a\u2029b", "a\x0bb", "a\x0cb",
           "a\x85b", "a\x1b[31mb", "a\tb", "a\x7fb"]
MESSAGES = {"fr": "Écrivez ceci sur une seule ligne, sans saut de ligne ni caractère de contrôle.",
            "en": "Write this on one line, without line breaks or control characters."}
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
        "\u200f", "\u061c"]


def _form_classes() -> list[type]:
    for module in pkgutil.walk_packages(crm.__path__, "crm."):
        importlib.import_module(module.name)
    found, todo = [], [Form]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("crm.") and "<locals>" not in cls.__qualname__:
            found.append(cls)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def _text_fields(app):
    """(form class, field name, one-line?) for every text field of every form."""
    fields = []
    with app.test_request_context():
        for cls in _form_classes():
            form = cls(formdata=MultiDict(), meta={"csrf": False})
            for field in form:
                if isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField)):
                    fields.append((cls, field.name, not isinstance(field, TextAreaField)))
    return fields


def _bound(cls, name, value):
    form = cls(formdata=MultiDict([(name, value)]), meta={"csrf": False})
    return form, form[name]


def test_every_one_line_field_of_every_form_refuses_line_breaks_in_french_and_english(app):
    fields = _text_fields(app)
    one_line = {f"{cls.__name__}.{name}" for cls, name, single in fields if single}
    assert {"SessionForm.title", "SessionDetailsForm.title", "EnterpriseForm.name", "EnterpriseForm.city",
            "ContactForm.first_name", "CohortForm.name", "UserForm.full_name", "OrganizationForm.name",
            "TaskForm.title", "ConsentForm.source", "FilterForm.q"} <= one_line
    assert len(one_line) > 30
    for language, message in MESSAGES.items():
        with app.test_request_context(), force_locale(language):
            for cls, name, single in fields:
                if not single:
                    continue
                for value in REFUSED:
                    form, field = _bound(cls, name, value)
                    field.validate(form)
                    assert message in field.errors, (cls.__name__, name, repr(value), field.errors)


def test_text_areas_keep_their_line_breaks(app):
    multi_line = [(cls, name) for cls, name, single in _text_fields(app) if not single]
    assert {f"{cls.__name__}.{name}" for cls, name in multi_line} >= {
        "CohortForm.description", "SessionForm.agenda", "ActivityForm.body", "DiagnosticForm.notes",
        "IncidentForm.nature"}
    with app.test_request_context(), force_locale("fr"):
        for cls, name in multi_line:
            form, field = _bound(cls, name, "Première ligne\r\nDeuxième ligne\n\n- un point")
            field.validate(form)
            assert MESSAGES["fr"] not in field.errors and "\n" in field.data, (cls.__name__, name)


def test_every_one_line_field_drops_bidirectional_controls_and_keeps_every_script(app):
    with app.test_request_context():
        for cls, name, single in _text_fields(app):
            if single:
                for control in BIDI:
                    _form, field = _bound(cls, name, f"Coop{control}evil شركة")
                    assert field.data == "Coopevil شركة", (cls.__name__, name, repr(control))


def test_a_session_title_with_a_line_break_is_refused_with_a_translated_message(app, client, make, auth):
    reminders_world = build_world(app, make, contacts=1)
    auth.login(reminders_world.manager)
    path = f"/sessions/{reminders_world.session_id}/edit"
    data = {"title": "Atelier\nBcc: tous@evil.example", "mode": "in_person", "place": "Salle 2", "meeting_url": "",
            "facilitator_id": reminders_world.coach.id, "agenda": "Ligne 1\nLigne 2"}
    response = post_form(client, path, data)
    assert response.status_code == 400
    assert MESSAGES["fr"].replace("'", "&#39;") in response.get_data(as_text=True)
    response = post_form(client, path, data, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and MESSAGES["en"] in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ProgrammeSession, reminders_world.session_id).title == "Atelier commerce en ligne"
    response = post_form(client, path, {**data, "title": "Atelier sur une ligne"})
    assert response.status_code == 302
    with app.app_context():
        session = db.session.get(ProgrammeSession, reminders_world.session_id)
        assert (session.title, session.agenda) == ("Atelier sur une ligne", "Ligne 1\nLigne 2")


def test_a_name_typed_with_u202e_is_stored_and_shown_without_it(app, client, auth, world):  # noqa: F811
    auth.login(world.manager)
    response = post_form(client, "/enterprises/new", {
        "name": "Coop \u202eevil.exe", "legal_form": "obnl", "region_code": "06",
        "city": "Mont\u2067réal\u2069", "preferred_language": "fr"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        enterprise = db.session.scalars(select(Enterprise).where(Enterprise.organization_id == world.org.id)).one()
        assert (enterprise.name, enterprise.city) == ("Coop evil.exe", "Montréal")
        assert enterprise.name_key == "evil exe"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Coop evil.exe" in page and "Montréal" in page
    assert not any(control in page for control in BIDI)
    listing = client.get("/enterprises").get_data(as_text=True)
    assert "Coop evil.exe" in listing and "\u202e" not in listing


def test_values_written_without_a_form_are_cleaned_too(app, make, world):  # noqa: F811
    """A service called by the CLI, the demo or an import stores one line without bidi controls."""
    enterprise = make.enterprise(world.org, name="Coop\u202e du\nMarais", city="Sher\u200fbrooke\r\n")
    with app.app_context():
        stored = db.session.get(Enterprise, enterprise.id)
        assert (stored.name, stored.city) == ("Coop du Marais", "Sherbrooke ")
        contact = contact_services.add_contact(stored, actor=None, first_name="Ana\u202e", last_name="Li\u2028Wu",
                                                  email=None, email_consent=False)
        db.session.commit()
        db.session.expire_all()
        contact = db.session.get(Contact, contact.id)
        assert (contact.first_name, contact.last_name) == ("Ana", "Li Wu")


def test_an_imported_cell_on_several_lines_becomes_one_line_without_bidi_controls(app):
    validator = RowValidator(["Nom", "Ville", "Région", "Forme"], {"0": "name", "1": "city", "2": "region_code",
                                                                   "3": "legal_form"})
    with app.test_request_context():
        row = validator.validate(2, ["Coopérative\ndu \u202eMarais", "Sherbrooke\r\n", "05", "OBNL"])
    assert row.is_valid and row.enterprise["name"] == "Coopérative du Marais"
    assert row.enterprise["city"] == "Sherbrooke"


def test_rows_stored_before_are_cleaned_by_the_migration(request, tmp_path):
    from flask_migrate import upgrade

    from crm import create_app
    from tests.conftest import BASE_CONFIG
    from tests.test_migrations import fresh_database_uri, insert_organization

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database_uri(request, tmp_path)})
    with app.app_context():
        upgrade(revision="0014")
        with db.engine.begin() as conn:
            insert_organization(conn)
            conn.execute(text(
                "INSERT INTO enterprises (id, name, name_key, legal_form, region_code, city, city_key, "
                "organization_id, stage, preferred_language, search_text, version, created_at, updated_at) VALUES "
                "(1, :name, 'coop evil', 'obnl', '05', :city, 'sher brooke', 1, 'identified', 'fr', '', 1, "
                "'2026-01-01', '2026-01-01'), (2, 'Intacte', 'intacte', 'obnl', '05', NULL, '', 1, 'identified', "
                "'fr', '', 1, '2026-01-01', '2026-01-01')"),
                {"name": "Coop\u202eevil", "city": "Sher\u200fbrooke\nQC"})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name, name_key, city, city_key FROM enterprises ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "Coopevil", "coopevil", "Sherbrooke QC", "sherbrooke qc"),
                                            (2, "Intacte", "intacte", None, "")]
        db.engine.dispose()
