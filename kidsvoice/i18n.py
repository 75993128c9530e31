"""Locales: which language a page is shown in, and the helpers templates need.

Precedence (as SecureDrop's ``i18n.py``): the person's own choice (``?lang=`` link, kept in
the session) → the browser's ``Accept-Language`` → Danish.  Message ids are English; Danish
is the default locale and both catalogs must be complete (``tests/unit/test_catalogs.py``).

Questionnaire texts live in their own gettext domain, ``questionnaire``, so the instrument can
be translated and versioned apart from the interface.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale
from flask import current_app, request, session
from flask_babel import Domain

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
#: Native names shown in the language switcher, whatever the page's language.
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}

questionnaire_domain = Domain(
    translation_directories=[str(TRANSLATIONS_DIR)], domain="questionnaire"
)


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["KIDSVOICE_LOCALES"])


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    locales = supported_locales()
    chosen = session.get("locale")
    if chosen in locales:
        return str(chosen)
    best = request.accept_languages.best_match(locales)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_locale_choice() -> None:
    """``before_request``: a ``?lang=xx`` link sets the person's choice for the session."""
    wanted = request.args.get("lang")
    if wanted and wanted in supported_locales():
        session["locale"] = wanted


def text_direction(locale: str) -> str:
    return Locale.parse(locale).text_direction.split("-")[0]


def qgettext(text: str, **params: str) -> str:
    """Translate a questionnaire text; ``params`` fill ``%(name)s`` placeholders."""
    translated = questionnaire_domain.gettext(text)
    return translated % params if params else translated
