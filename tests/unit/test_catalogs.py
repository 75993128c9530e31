"""Every text a person reads is translated: the catalogs are complete and not stale.

Fails when a message lacks a Danish or English translation (fuzzy counts as missing), when a
string in the code or templates was never extracted into the committed ``.pot``, or when a
placeholder (``%(name)s``) differs between a message and its translation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kidsvoice.i18n_tools import check, missing_translations

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_there_are_danish_and_english_catalogs_for_each_domain() -> None:
    names = {(p.parent.parent.name, p.stem) for p in CATALOGS}
    for domain in ("messages", "questionnaire"):
        assert ("da", domain) in names
        assert ("en", domain) in names


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_catalog_is_complete(po: Path) -> None:
    assert missing_translations(po) == []


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_placeholders_survive_translation(po: Path) -> None:
    with po.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= wanted | set(PLACEHOLDER.findall(ids[0])), (
                message.id, string)


def test_templates_are_not_stale() -> None:
    assert check(TRANSLATIONS) == []
