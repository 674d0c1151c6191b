"""Locale selection and translation helpers.

Order: the signed-in user's preference, then the language chosen in this session, then the
browser's Accept-Language, then French (Charte de la langue française: French by default).
"""
from flask import current_app, has_request_context, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext, pgettext
from flask_login import current_user

__all__ = ["_", "_l", "ngettext", "pgettext", "lazy_pgettext", "select_locale", "LANGUAGE_NAMES"]

# Each language is named in itself, as language switches do.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    languages = supported_locales()
    if not has_request_context():  # CLI commands and background senders
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]
