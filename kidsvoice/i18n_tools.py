"""Catalog maintenance: ``python -m kidsvoice.i18n_tools extract|fill-english|check DIR``.

* ``extract`` writes ``messages.pot`` (interface) and ``questionnaire.pot`` (instrument texts);
* ``fill-english`` makes the English catalogs complete: English is the source language, so an
  English message reads as its msgid unless a translator rewords it;
* ``check`` fails when a committed ``.pot`` is stale (a string was added but not extracted —
  the gate SecureDrop's ``check-strings`` keeps) or a catalog lacks a translation.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = {
    "messages": ("babel.cfg", ["-k", "lazy_gettext", "-k", "_l", "-k", "N_", "--sort-output"]),
    "questionnaire": ("babel-questionnaire.cfg", []),
}


def extract(domain: str, output: Path) -> None:
    config, extra = DOMAINS[domain]
    CommandLineInterface().run(
        [
            "pybabel", "-q", "extract", "-F", str(ROOT / config), "--no-wrap",
            "--add-location=never", "--add-comments=Translators:", "--omit-header",
            "--project=KidsVoice", *extra, "-o", str(output), str(ROOT),
        ]
    )


def _ids(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {str(m.id) if isinstance(m.id, str) else str(m.id[0]) for m in read_po(f) if m.id}


def fill_english(directory: Path) -> None:
    for path in sorted(directory.glob("en/LC_MESSAGES/*.po")):
        with path.open("rb") as f:
            catalog = read_po(f, locale="en")
        for message in catalog:
            if not message.id:
                continue
            # A fuzzy guess (another message's English) is never right: use the msgid.
            guessed = message.fuzzy
            if isinstance(message.id, tuple | list):
                if guessed or not all(message.string):
                    message.string = tuple(message.id)
            elif guessed or not message.string:
                message.string = message.id
            message.flags.discard("fuzzy")
        with path.open("wb") as f:
            write_po(f, catalog, width=0, omit_header=False, ignore_obsolete=True)


def missing_translations(po_path: Path) -> list[str]:
    locale = po_path.parent.parent.name
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(strings):
            missing.append(str(message.id))
    return missing


def check(directory: Path) -> list[str]:
    problems = []
    for domain in DOMAINS:
        committed = directory / f"{domain}.pot"
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / f"{domain}.pot"
            extract(domain, fresh)
            new_ids = _ids(fresh)
        old_ids = _ids(committed) if committed.exists() else set()
        if new_ids != old_ids:
            added = sorted(new_ids - old_ids)[:5]
            removed = sorted(old_ids - new_ids)[:5]
            problems.append(
                f"translations/{domain}.pot is stale (run `make i18n-update`): "
                f"new {added}, gone {removed}"
            )
        for po in sorted(directory.glob(f"*/LC_MESSAGES/{domain}.po")):
            po_ids = _ids(po)
            absent = sorted(new_ids - po_ids)[:5]
            if absent:
                problems.append(f"{po} lacks {absent} (run `make i18n-update`)")
            untranslated = missing_translations(po)
            if untranslated:
                problems.append(f"{po}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"extract", "fill-english", "check"}:
        print(__doc__)
        return 2
    directory = Path(argv[1])
    if argv[0] == "extract":
        for domain in DOMAINS:
            extract(domain, directory / f"{domain}.pot")
        return 0
    if argv[0] == "fill-english":
        fill_english(directory)
        return 0
    problems = check(directory)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
