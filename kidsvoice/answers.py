"""Turning what a child submitted for one question into an answer to store.  Pure: no Flask.

The form a question screen posts:

* ``action`` — ``answer`` or ``skip`` ("I'd rather not say", stored as ``declined``);
* ``answer`` — an option code (faces, scale, choice, ladder, goal), or several (cards);
* ``other_text`` — the words of a "Something else…" card;
* ``text`` — a free-text answer.

Anything else is refused with an :class:`AnswerError` whose message is an English msgid the
page translates; nothing is stored from a refused submission.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .msgid import N_
from .questionnaire import DONT_KNOW, Question, QuestionKind

ANSWERED, DECLINED = "answered", "declined"
OTHER_TEXT_MAX = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FormData(Protocol):
    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


class AnswerError(ValueError):
    """The submission cannot be stored; ``message`` is a msgid, ``params`` fill it."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class ParsedAnswer:
    status: str  # "answered" | "declined" | "dont_know"
    score: int | None = None
    choices: tuple[str, ...] | None = None
    text: str | None = None


def clean_text(value: str) -> str:
    """Normalise a child's words for storage: NFC, one newline style, no control characters.

    The words themselves are kept as written (emoji, accents, any script); display escapes
    them and isolates their direction (``dir="auto"``), so nothing typed can change the page.
    """
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", value).strip()


def parse_answer(question: Question, form: FormData) -> ParsedAnswer:
    action = form.get("action") or "answer"
    if action == "skip":
        return ParsedAnswer(DECLINED)
    if action != "answer":
        raise AnswerError(N_("That did not work. Please try again."))
    if question.kind is QuestionKind.TEXT:
        return _text(question, form.get("text") or "")
    if question.kind is QuestionKind.CARDS:
        return _cards(question, form.getlist("answer"), form.get("other_text") or "")
    return _single(question, form.get("answer"))


def _single(question: Question, code: str | None) -> ParsedAnswer:
    if not code:
        raise AnswerError(N_("Choose an answer, or skip the question."))
    try:
        option = question.option(code)
    except KeyError:
        raise AnswerError(N_("Choose one of the answers on the screen.")) from None
    if option.code == DONT_KNOW:
        return ParsedAnswer(DONT_KNOW)
    if option.score is None:  # an unscored choice: keep its code
        return ParsedAnswer(ANSWERED, choices=(option.code,))
    return ParsedAnswer(ANSWERED, score=option.score)


def _cards(question: Question, codes: Sequence[str], other_text: str) -> ParsedAnswer:
    known = {option.code for option in question.options}
    chosen: list[str] = []
    for code in codes:
        if code not in known:
            raise AnswerError(N_("Choose one of the answers on the screen."))
        if code not in chosen:
            chosen.append(code)
    if not chosen:
        raise AnswerError(N_("Choose at least one card, or skip the question."))
    if question.max_choices is not None and len(chosen) > question.max_choices:
        raise AnswerError(N_("Choose at most %(n)s cards."), n=question.max_choices)
    other = clean_text(other_text)
    if len(other) > OTHER_TEXT_MAX:
        raise AnswerError(N_("Please write at most %(n)s characters."), n=OTHER_TEXT_MAX)
    if question.other_option is None or question.other_option not in chosen:
        other = ""
    # Keep the order of the screen, not the order of the form.
    ordered = tuple(option.code for option in question.options if option.code in chosen)
    return ParsedAnswer(ANSWERED, choices=ordered, text=other or None)


def _text(question: Question, value: str) -> ParsedAnswer:
    text = clean_text(value)
    if not text:
        raise AnswerError(N_("Write something, or skip the question."))
    if len(text) > question.max_length:
        raise AnswerError(N_("Please write at most %(n)s characters."), n=question.max_length)
    return ParsedAnswer(ANSWERED, text=text)
