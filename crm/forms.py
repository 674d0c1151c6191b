"""The base of every form: Flask-WTF's, with WTForms' own messages translated from a cached catalog,
and submitted text cleaned of NUL characters.

Flask-WTF reads WTForms' catalog (« Ce champ est requis. »…) from disk on every request that builds
a form; it is the same file for every request in a language, so it is read once per language.
"""
from functools import lru_cache

from babel import support
from flask import current_app
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.i18n import messages_path

from crm.i18n import current_locale


@lru_cache(maxsize=8)
def _catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    def gettext(self, string):
        return _catalog(current_locale()).ugettext(string)

    def ngettext(self, singular, plural, n):
        return _catalog(current_locale()).ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()


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

        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _MESSAGES
