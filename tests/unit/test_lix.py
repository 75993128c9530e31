"""Plain Danish: the LIX readability index of every Danish question text (INSTRUMENT.md §2).

LIX = words / sentences + 100 × long words / words, where a long word has more than 6 letters,
a word is a run of letters (æ, ø, å included) or digits, and a sentence ends at . ! ? : or at the
end of the text (a stretch without any word, e.g. after the final "?", is no sentence).
Limits: below 25 for texts shown to 6–9-year-olds (ages "all" included), below 30 for 10–16.
The child reads the question text and its help line, so both are checked; answer words are
single words or short phrases and are checked by reading, not by LIX.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet
from babel.messages.pofile import read_po

from kidsvoice.questionnaire import load_registry

ROOT = Path(__file__).resolve().parents[2]
QDIR = ROOT / "kidsvoice" / "questionnaires"
DANISH = ROOT / "translations" / "da" / "LC_MESSAGES" / "questionnaire.po"
LIMITS = {"6-9": 25.0, "10-16": 30.0}

#: Questionnaires whose texts are not checked, and why.
EXEMPT = {
    "who5": (
        "WHO-5 items, instruction and answers are licensed (WHO/UCN/MSD/MHE/2024.01, "
        "CC BY-NC-SA 3.0 IGO) and must not be altered: a LIX failure could not be fixed by "
        "rewording, so checking them would only produce an unactionable failure"
    ),
}

_WORD = re.compile(r"[^\W_]+")  # letters of any alphabet (æøå included) and digits
_SENTENCE_END = re.compile(r"[.!?:]")
_PLACEHOLDER = re.compile(r"%\(\w+\)s")


def lix(text: str) -> float:
    """The LIX readability index of a Danish text."""
    words = _WORD.findall(text)
    if not words:
        raise ValueError(f"no words in {text!r}")
    sentences = sum(1 for part in _SENTENCE_END.split(text) if _WORD.search(part))
    long_words = sum(1 for word in words if len(word) > 6)
    return len(words) / sentences + 100 * long_words / len(words)


def test_lix_of_a_hand_computed_text() -> None:
    # words: Børnene(7) løb hjem | Skolebørnene(12) var glade -> 6 words, 2 sentences, 2 long
    assert lix("Børnene løb hjem. Skolebørnene var glade!") == pytest.approx(6 / 2 + 100 * 2 / 6)
    assert lix("Børnene løb hjem. Skolebørnene var glade!") == pytest.approx(36.333, abs=1e-3)


def test_lix_counts_colons_digits_and_a_trailing_stop() -> None:
    # "Nu" | "10 trin" -> 3 words (the digits "10" are a word), 2 sentences, no long word
    assert lix("Nu: 10 trin.") == pytest.approx(1.5)
    # no terminator at all: the end of the text ends the one sentence; "øverste" has 7 letters
    assert lix("det øverste trin") == pytest.approx(3 + 100 / 3)


def test_lix_of_an_instrument_text() -> None:
    # 10 words, 1 sentence, long: bekymret (8) -> 10 + 10
    assert lix("Har du været bekymret eller ked af det for tiden?") == pytest.approx(20.0)


@functools.cache
def _danish() -> dict[str, str]:
    with DANISH.open("rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f, locale="da") if m.id}


def _texts() -> list[ParameterSet]:
    """(variant, English text) of every question text and help line a child reads.

    Every question of a variant is included: follow-up questions and the goal template too.
    """
    params = []
    for q in load_registry(QDIR):
        if q.id in EXEMPT:
            continue
        for variant in ("6-9", "10-16"):
            for question in q.questions:
                if question.ages not in ("all", variant):
                    continue
                for part, text in (("text", question.text), ("help", question.help)):
                    if text:
                        name = f"{q.id}:{variant}:{question.key}:{part}"
                        params.append(pytest.param(variant, text, id=name))
    return params


def test_exemptions_are_only_licensed_modules() -> None:
    registry = {q.id: q for q in load_registry(QDIR)}
    assert set(EXEMPT) <= set(registry)
    for qid in EXEMPT:
        assert registry[qid].translation_notice, f"{qid} is exempt but carries no licence notice"
    assert "kidsvoice-standard" not in EXEMPT


@pytest.mark.parametrize(("variant", "english"), _texts())
def test_danish_question_text_is_plain(variant: str, english: str) -> None:
    danish = _danish()[english]
    value = lix(_PLACEHOLDER.sub("", danish))  # the goal itself is the child's own words
    assert value < LIMITS[variant], f"LIX {value:.1f} for {danish!r}"
