"""Locale selection and translation helpers.

Order: the signed-in user's preference, then the language chosen in this session, then the
browser's Accept-Language, then French (Charte de la langue française: French by default). The API
(under /api/) has neither a signed-in person nor a session: its caller's Accept-Language, then French.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import flask_babel
from babel import numbers
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

__all__ = ["_", "_l", "ngettext", "pgettext", "lazy_pgettext", "force_locale", "select_locale", "LANGUAGE_NAMES"]

# Each language is named in itself, as language switches do.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    languages = supported_locales()
    if not has_request_context():  # CLI commands and background senders
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


class _Language(NamedTuple):
    code: str  # "fr", "en"
    translations: Translations | NullTranslations


# The language of the request, found once: Flask-Babel looks its context, domain and locale up again
# on every call, and a page makes hundreds of them (labels, options, numbers). A change of language
# within a request goes through force_locale() below, which changes it too.
def _language() -> _Language:
    try:
        return g.virage_language
    except AttributeError:
        g.virage_language = language = _Language(str(get_locale()), get_translations())
        return language


@contextmanager
def force_locale(locale: str) -> Iterator[None]:
    """Flask-Babel's force_locale(), for this module's translations and formatting too (an email in
    its recipient's language): the only way to change the language within a request."""
    with flask_babel.force_locale(locale):
        if not has_app_context():
            yield
            return
        outer = g.pop("virage_language", None)
        try:
            yield
        finally:
            g.pop("virage_language", None)
            if outer is not None:
                g.virage_language = outer


def current_translations() -> Translations | NullTranslations:
    try:
        return _language().translations
    except RuntimeError:  # outside an application context: no catalog
        return get_translations()


def current_locale() -> str:
    """The request's language code ("fr", "en"), honouring force_locale()."""
    return _language().code


def _(string, **variables):
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular, plural, num, **variables):
    """``%(num)s`` is the count, written as the language writes numbers (« 1 234 » in French)."""
    variables.setdefault("num", numbers.format_decimal(num, locale=current_locale()))
    return current_translations().ungettext(singular, plural, num) % variables


def pgettext(context, string, **variables):
    text = current_translations().upgettext(context, string)
    return text % variables if variables else text


def _l(string, **variables):
    return LazyString(_, string, **variables)


def lazy_pgettext(context, string, **variables):
    return LazyString(pgettext, context, string, **variables)


def install_template_gettext(app: Flask) -> None:
    """Templates' _(), gettext, ngettext, pgettext through the same per-request catalog."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
