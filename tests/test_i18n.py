import ast
from pathlib import Path

from babel.messages.pofile import read_po
from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired

from crm.formatting import format_decimal
from crm.forms import Form
from crm.i18n import _, force_locale, ngettext, pgettext
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent


def test_accept_language_english_gives_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-CA,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in to Virage" in page


def test_unsupported_language_falls_back_to_french(client):
    page = client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="fr">' in page


def test_language_switch_is_remembered_in_the_session_and_stays_on_the_page(client):
    token = csrf_token(client, "/privacy")
    response = client.post("/language", data={"locale": "en", "next": "/privacy", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    page = client.get("/privacy", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Privacy policy" in page


def test_language_switch_refuses_unknown_locales(client):
    token = csrf_token(client, "/login")
    assert client.post("/language", data={"locale": "xx", "csrf_token": token}).status_code == 400


def test_user_preference_wins_and_the_switch_updates_it(client, auth, make):
    user = make.user(locale="en")
    auth.sign_in(user)
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Hello," in page
    client.post("/language", data={"locale": "fr", "next": "/", "csrf_token": csrf_token(client, "/")})
    auth.logout()
    auth.sign_in(user)
    assert "Bonjour," in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_error_pages_are_translated(client, auth, make):
    auth.sign_in(make.user(locale="fr"))
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Page introuvable" in response.get_data(as_text=True)
    english = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "Page introuvable" in english.get_data(as_text=True)  # the user's preference wins
    anonymous = client.application.test_client()
    page = anonymous.get("/nope", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Page not found" in page


def test_catalogs_are_complete():
    for locale in ("fr", "en"):
        with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = read_po(fh)
        problems = [m.id for m in catalog if m.id and (m.fuzzy or not m.string or
                                                       (isinstance(m.string, tuple) and not all(m.string)))]
        assert problems == [], f"{locale}: untranslated or fuzzy: {problems[:10]}"


def test_catalogs_cover_every_message_in_the_code(tmp_path):
    from babel.messages.frontend import CommandLineInterface

    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                                "-k", "lazy_pgettext:1c,2", "-k", "pgettext:1c,2", "-k", "ngettext:1,2",
                                "-o", str(pot), str(ROOT / "crm")])
    with pot.open("rb") as fh:
        wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fh) if m.id}
    for locale in ("fr", "en"):
        with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fh) if m.id}
        assert wanted - have == set(), f"{locale} lacks: {sorted(wanted - have)[:10]}"


def test_wtforms_own_messages_follow_each_request_language(client):
    """WTForms' built-in messages come from its catalog, read once per language and process."""
    for language, message in [("fr", "Ce champ est requis."), ("en", "This field is required."),
                              ("fr", "Ce champ est requis.")]:
        token = csrf_token(client, "/login")
        page = client.post("/login", data={"email": "", "password": "", "csrf_token": token},
                           headers={"Accept-Language": language}).get_data(as_text=True)
        assert message in page, language


class _NameForm(Form):
    class Meta:
        csrf = False

    name = StringField(validators=[DataRequired()])


def _spoken() -> tuple:
    form = _NameForm(formdata=MultiDict())
    form.validate()
    return (_("Enterprises"), pgettext("funnel stage", "Training"),
            ngettext("%(num)s enterprise updated.", "%(num)s enterprises updated.", 1234), format_decimal(0.5),
            render_template_string("{{ _('Enterprises') }}"), form.name.errors[0])


def test_a_forced_language_holds_for_all_that_is_said_inside_it_then_the_requests_comes_back(app):
    """An email in its recipient's language, in a request that already spoke French: texts, counts,
    numbers, templates and WTForms' own messages, nested languages too."""
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        french = _spoken()
        assert french == ("Entreprises", "Formation", "1\u202f234 entreprises mises à jour.", "0,5", "Entreprises",
                          "Ce champ est requis.")
        with force_locale("en"):
            english = _spoken()
            assert english == ("Enterprises", "Training", "1,234 enterprises updated.", "0.5", "Enterprises",
                               "This field is required.")
            with force_locale("fr"):
                assert _spoken() == french
            assert _spoken() == english
        assert _spoken() == french


def test_the_language_changes_within_a_request_only_through_crm_i18n():
    """crm.i18n keeps the request's language: Flask-Babel's own force_locale() or refresh() would
    leave it speaking the language it had."""
    offenders = []
    for path in [*(ROOT / "crm").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]:
        if path == ROOT / "crm" / "i18n.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = (isinstance(node, ast.ImportFrom) and node.module == "flask_babel"
                        and {alias.name for alias in node.names} & {"force_locale", "refresh"})
            called = (isinstance(node, ast.Attribute) and node.attr in ("force_locale", "refresh")
                      and isinstance(node.value, ast.Name) and node.value.id == "flask_babel")
            if imported or called:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
