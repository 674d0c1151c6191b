"""The base of every form: Flask-WTF's, with WTForms' own messages translated from a cached catalog,
submitted text cleaned of NUL characters, and one-line text fields kept on one line.

Flask-WTF reads WTForms' catalog (« Ce champ est requis. »…) from disk on every request that builds
a form; it is the same file for every request in a language, so it is read once per language.
"""
from functools import lru_cache

from babel import support
from flask import current_app
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.i18n import messages_path

from crm.i18n import current_locale
from crm.text import strip_bidi_controls
from crm.validators import SingleLine


@lru_cache(maxsize=8)
def _catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    def gettext(self, string):
        return _catalog(current_locale()).ugettext(string)

    def ngettext(self, singular, plural, n):
        return _catalog(current_locale()).ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()
_SINGLE_LINE = SingleLine()


def is_single_line(field) -> bool:
    """A text field typed on one line: every StringField (email, search…) but text areas (notes,
    descriptions keep their line breaks), passwords (kept exactly as typed) and hidden fields."""
    return isinstance(field, StringField) and not isinstance(field, (TextAreaField, PasswordField, HiddenField))


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            """The submitted text without NUL characters: nobody types them, PostgreSQL refuses them
            in text (the request would end in a 500), SQLite would store them."""
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None or not any(isinstance(v, str) and "\x00" in v for _, v in formdata.items(multi=True)):
                return formdata
            cleaned = MultiDict()
            for key, value in formdata.items(multi=True):
                cleaned.add(key, value.replace("\x00", "") if isinstance(value, str) else value)
            return cleaned

        def bind_field(self, form, unbound_field, options):
            """Every one-line text field of every form drops bidirectional controls (U+202E would
            reverse what is shown after the value) and refuses line breaks and control characters:
            no form can forget it, whoever writes it."""
            field = super().bind_field(form, unbound_field, options)
            if is_single_line(field):
                field.filters = (*field.filters, strip_bidi_controls)
                field.validators = [*field.validators, _SINGLE_LINE]
            return field

        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _MESSAGES
