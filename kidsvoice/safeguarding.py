"""Safeguarding: does a child's free text contain a worry word or phrase?  Pure: no Flask.

The list lives in ``kidsvoice/data/worry_words.txt`` (Danish and English, one entry a line; the
file's header explains the format and how to maintain it).  A match flags the answer for the
child's coordinator and shows the child where to get help now.  **The list helps but never
replaces reading**: every free-text answer is read by the child's coordinator, flagged or not.

Matching is done on a normalised form of both the answer and the entries (:func:`normalise`):

* Unicode compatibility forms folded (NFKC: full-width letters, ligatures), invisible format
  characters removed (zero-width spaces and joiners, soft hyphens, direction marks and
  overrides), case folded;
* accents removed (``é`` → ``e``) — **but æ, ø and å stay letters of their own**, as in Danish:
  "får" (gets) is not "far" (father), "dø" (die) is not "do".  ``ö`` and ``ä``, what a Swedish or
  German keyboard offers, count as ``ø`` and ``æ``;
* apostrophes removed ("don't" = "dont"); any other run of punctuation, symbols or spaces is one
  space.

An entry then matches whole words only ("dø" is found in "jeg vil dø", not in "døde"), with two
allowances for how children write: a letter written several times still matches ("hiiits me"),
and Danish entries with æ, ø or å also match the spellings a keyboard without them gives
(``ae``, ``oe``, ``aa``: "slaar mig" matches "slår mig").  A single vowel for å ("slar") is
*not* assumed — such misspellings are listed explicitly.  An entry ending in ``*`` matches any
word ending ("selvmord*" finds "selvmordstanker").  A word spelled out letter by letter
("s e l v m o r d", "s.e.l.v.m.o.r.d": two or more single letters in a row) is also read as
that word; the text is matched both ways, so a list entry with a one-letter word ("i want to
die") still matches as written.  A whole phrase spelled out ("s l å r m i g", "j e g v i l d ø")
does not say where its words end, so the list's phrases (entries of two or more words) are also
looked for, with their spaces left out, *anywhere* inside such a run of letters: "h j æ l p j e
g v i l d ø" holds "jeg vil dø".  One-word entries are not: "d ø" in "b a d ø r" is not "dø".

Nothing here logs, stores or returns a child's words: callers get a yes/no, or the list entries
that matched (for tests and for the person maintaining the list).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

DEFAULT_PATH = Path(__file__).parent / "data" / "worry_words.txt"
LANGUAGES = frozenset({"da", "en"})

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘‛ʼʻ`´′"), None)
_KEYBOARD_EQUIVALENTS = str.maketrans({"ö": "ø", "ä": "æ"})
_RING_ABOVE = "\u030a"
#: The spelling a keyboard without the Danish letters gives.
_DIGRAPHS = {"æ": "ae", "ø": "oe", "å": "aa"}
_MAX_VARIANTS = 64


class WorryListError(ValueError):
    """A line of the list cannot be read; the message names the line."""


def normalise(text: str) -> str:
    """The form answers and list entries are compared in (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.casefold().translate(_KEYBOARD_EQUIVALENTS)
    kept: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            # å is a + ring above once decomposed: keep that ring, drop every other mark.
            if ch == _RING_ABOVE and kept and kept[-1] == "a":
                kept.append(ch)
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept)).translate(_APOSTROPHES)
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def spelling_variants(normalised: str) -> tuple[str, ...]:
    """The entry as written plus every æ/ø/å → ae/oe/aa spelling of it."""
    positions = [i for i, ch in enumerate(normalised) if ch in _DIGRAPHS]
    variants = []
    for choice in itertools.product((False, True), repeat=len(positions)):
        chars = list(normalised)
        for position, digraph in zip(positions, choice, strict=True):
            if digraph:
                chars[position] = _DIGRAPHS[chars[position]]
        variants.append("".join(chars))
        if len(variants) >= _MAX_VARIANTS:
            break
    return tuple(variants)


@dataclass(frozen=True)
class Entry:
    """One line of the list."""

    language: str
    phrase: str  # as written in the file
    line: int
    prefix: bool  # ends in "*": any word ending matches
    forms: tuple[str, ...]  # normalised spellings

    def pattern(self) -> str:
        return rf"(?<!\S){self._word_pattern()}"

    def _word_pattern(self) -> str:
        """The entry from a word's start on (the caller checks that it is one)."""
        alternatives = "|".join(_form_pattern(form) for form in self.forms)
        ending = r"\S*" if self.prefix else ""
        return rf"(?:{alternatives}){ending}(?!\S)"

    @property
    def is_phrase(self) -> bool:
        return " " in self.forms[0]

    def spelled_out_pattern(self) -> str:
        """The phrase without its spaces, anywhere in a spelled-out run (see the module)."""
        return "|".join(_form_pattern(form.replace(" ", "")) for form in self.forms)


def _form_pattern(form: str) -> str:
    # Each letter may be repeated by the child ("hiiits"); words are one space apart.
    return "".join(" " if ch == " " else re.escape(ch) + "+" for ch in form)


class WorryList:
    """The parsed list, compiled once into one pattern."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        if not self.entries:
            raise WorryListError("the worry list has no entries")
        # One word-start check for all entries, not one per entry at every character.
        self._any = re.compile(
            r"(?<!\S)(?:" + "|".join(e._word_pattern() for e in self.entries) + ")")
        self._any_spelled = re.compile(
            "|".join(f"(?:{e.spelled_out_pattern()})" for e in self._phrases) or "(?!)")

    @property
    def _phrases(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.is_phrase]

    @cached_property
    def _patterns(self) -> list[tuple[Entry, re.Pattern[str]]]:
        """One pattern per entry, for :meth:`find` only: compiled when first needed, not when
        a worker starts."""
        return [(entry, re.compile(entry.pattern())) for entry in self.entries]

    @cached_property
    def _spelled_patterns(self) -> list[tuple[Entry, re.Pattern[str]]]:
        return [(entry, re.compile(entry.spelled_out_pattern())) for entry in self._phrases]

    def __len__(self) -> int:
        return len(self.entries)

    def matches(self, text: str | None) -> bool:
        """True if ``text`` contains any entry."""
        if not text:
            return False
        normalised = normalise(text)
        return any(self._any.search(form) for form in _readings(normalised)) or any(
            self._any_spelled.search(run) for run in _spelled_out(normalised))

    def find(self, text: str | None) -> tuple[Entry, ...]:
        """The entries ``text`` contains, in list order (for tests and list maintenance)."""
        if not text:
            return ()
        normalised = normalise(text)
        forms = _readings(normalised)
        runs = _spelled_out(normalised)
        found = {entry for entry, rx in self._patterns if any(rx.search(f) for f in forms)}
        found.update(entry for entry, rx in self._spelled_patterns
                     if any(rx.search(run) for run in runs))
        return tuple(entry for entry in self.entries if entry in found)


#: Two or more one-letter words in a row: a word spelled out ("s e l v m o r d").
_SPELLED_OUT = re.compile(r"(?<!\S)\w(?: \w)+(?!\S)")


def _readings(normalised: str) -> tuple[str, ...]:
    """The normalised text, and the same with every spelled-out word joined up (if any)."""
    joined = _SPELLED_OUT.sub(lambda found: found.group().replace(" ", ""), normalised)
    return (normalised,) if joined == normalised else (normalised, joined)


def _spelled_out(normalised: str) -> list[str]:
    """Each run of letters spelled out in the normalised text, joined up."""
    return [found.group().replace(" ", "") for found in _SPELLED_OUT.finditer(normalised)]


def parse(lines: Iterable[str]) -> WorryList:
    """Read the list's lines (``"<language> | <phrase>"``, ``#`` comments)."""
    entries = []
    for number, raw in enumerate(lines, 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        language, bar, phrase = (part.strip() for part in line.partition("|"))
        if not bar or not phrase:
            raise WorryListError(f"line {number}: expected '<language> | <phrase>'")
        if language not in LANGUAGES:
            raise WorryListError(
                f"line {number}: unknown language {language!r} (use {', '.join(sorted(LANGUAGES))})"
            )
        prefix = phrase.endswith("*")
        body = phrase.removesuffix("*") if prefix else phrase
        if "*" in body:
            raise WorryListError(f"line {number}: '*' is allowed only at the end")
        normalised = normalise(body)
        if not normalised:
            raise WorryListError(f"line {number}: the phrase has no letters")
        if prefix and len(normalised.replace(" ", "")) < 4:
            raise WorryListError(f"line {number}: a '*' stem needs at least 4 letters")
        entries.append(Entry(language, phrase, number, prefix, spelling_variants(normalised)))
    return WorryList(entries)


def load(path: Path = DEFAULT_PATH) -> WorryList:
    return parse(path.read_text(encoding="utf-8").splitlines())


@cache
def default_list() -> WorryList:
    """The shipped list, read once per process."""
    return load()


def is_worrying(text: str | None) -> bool:
    """Does a child's free text match the shipped list?"""
    return default_list().matches(text)
