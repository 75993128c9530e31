"""response_scores agrees with the answer sheet: one scorer, whatever the answers."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kidsvoice.instruments import load_instruments
from kidsvoice.questionnaire import QuestionKind
from kidsvoice.response_scores import MEASURES, score_response
from kidsvoice.sheet import RoundInput, StoredAnswer, build_history
from tests.meeting_data import BASELINE_6_9, BASELINE_10_16, WHO5_LOW, stored


@cache
def registry():  # type: ignore[no-untyped-def]
    return load_instruments()


def _round(
    variant: str, kind: str, answers: dict[str, StoredAnswer], who5: bool = True
) -> RoundInput:
    reg = registry()
    modules = tuple(q for q in reg if q.module) if who5 else ()
    return RoundInput(1, 1, kind, "R", variant, reg.get("kidsvoice-standard", 1), answers,
                      modules=modules)


def _sheet_values(rnd: RoundInput) -> dict[str, float | None]:
    history = build_history([rnd])
    return {name: measures[0].value for name, measures in history.rows if measures[0]}


def test_the_sheets_worked_examples() -> None:
    rnd = _round("6-9", "baseline", stored(BASELINE_6_9))
    scores = score_response(rnd)
    assert scores.scores == pytest.approx(
        {"heard": 75.0, "mood": 75.0, "school": 50.0, "relations": 250 / 3})
    assert scores.forms == {"heard": "6-9", "mood": "6-9", "school": "6-9", "relations": "6-9"}
    assert scores.items["heard"].keys == ("H1", "H2", "H4")
    assert scores.items["heard"].percents == (50.0, 100.0, None)


def test_who5_replaces_mood_items_and_names_the_form() -> None:
    answers = {k: v for k, v in BASELINE_10_16.items() if k not in ("L2", "L3")} | WHO5_LOW
    scores = score_response(_round("10-16", "baseline", stored(answers)))
    assert scores.scores["who5"] == 48.0
    assert scores.scores["ladder"] == 6.0
    assert scores.forms["mood"] == "10-16+who5"
    assert scores.forms["who5"] == "10-16+who5"
    assert scores.forms["heard"] == "10-16"
    assert scores.items["mood"].keys == tuple(f"WHO5-{i}" for i in range(1, 6))
    assert scores.scores == _sheet_values(_round("10-16", "baseline", stored(answers)))


def _answer_strategy(question):  # type: ignore[no-untyped-def]
    key = question.key
    options = [o for o in question.options if o.score is not None]
    choices = [st.none(), st.just(StoredAnswer(key, "declined")),
               st.just(StoredAnswer(key, "dont_know"))]
    if options:
        choices.append(st.sampled_from(options).map(
            lambda o: StoredAnswer(key, "answered", score=o.score)))
        # an answer stored by its option code only (no score) scores the same
        choices.append(st.sampled_from([o for o in options if o.code]).map(
            lambda o: StoredAnswer(key, "answered", choices=(o.code,))))
    return st.one_of(choices)


@st.composite
def rounds(draw):  # type: ignore[no-untyped-def]
    variant = draw(st.sampled_from(["6-9", "10-16"]))
    kind = draw(st.sampled_from(["baseline", "follow_up"]))
    who5 = variant == "10-16" and draw(st.booleans())
    reg = registry()
    questionnaire = reg.get("kidsvoice-standard", 1)
    modules = [reg.latest("who5")] if who5 else []
    answers = {}
    for question in questionnaire.steps(variant, kind, [], modules):
        if question.kind in (QuestionKind.TEXT, QuestionKind.CARDS):
            continue
        answer = draw(_answer_strategy(question))
        if answer is not None:
            answers[question.key] = answer
    return _round(variant, kind, answers)


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_every_measure_equals_the_sheets(rnd: RoundInput) -> None:
    scores = score_response(rnd)
    assert dict(scores.scores) == _sheet_values(rnd)
    assert set(scores.scores) <= set(MEASURES)
    # and once more from the cache
    assert dict(score_response(rnd).scores) == _sheet_values(rnd)
