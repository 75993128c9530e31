"""The scores of one completed response, for outcomes and the export.  PURE: no Flask, no SQL.

The answer sheet (:mod:`kidsvoice.sheet`) is the one place that decides which questions a round
asked and how a stored answer becomes something :mod:`kidsvoice.scoring` takes; this module asks
it the same two things (:func:`kidsvoice.sheet.asked_questions` and the sheet's answer
conversion) and scores with :mod:`kidsvoice.scoring` exactly as the sheet's measures do:

* an index (``heard``, ``mood``, ``school``, ``relations``) from the asked questions carrying
  that index — so with the WHO-5 module the 10–16 Mood index is built from WHO-5's items;
* ``ladder`` from the ladder question (10–16), 0–10 as given;
* ``who5`` as the WHO-5 percentage (0–100) when the five WHO-5 items were asked.

What it adds to the sheet: memoisation (a programme of 10,000 children has only a few thousand
distinct answer patterns per index, so a programme is scored in a fraction of a second), the
index's items on the 0–100 scale (for pooled reliability, :func:`kidsvoice.outcomes.pooled_params`)
and a *form* label per measure: the age variant, plus ``+<module id>`` for each optional module
whose questions the measure was built from (``"10-16+who5"`` for Mood with WHO-5).  A reliable
change needs reliability parameters of the very same form.

``tests/unit/test_response_scores.py`` checks, for random answers, that every measure here
equals the sheet's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from . import scoring
from .questionnaire import INDEXES, Question, QuestionKind, Questionnaire
from .sheet import RoundInput, StoredAnswer, asked_questions
from .sheet import _scoring_answer as sheet_scoring_answer  # the sheet's own conversion

__all__ = ["MEASURES", "IndexItems", "ResponseScores", "score_response"]

#: Every measure outcomes and the export report, in this order (also the JSON and CSV names).
MEASURES: Final = ("heard", "mood", "school", "relations", "ladder", "who5")

MeasureKind = Literal["index", "ladder", "who5"]
WHO5_PREFIX: Final = "WHO5-"


@dataclass(frozen=True, slots=True)
class IndexItems:
    """The items of one multi-item measure in one response, each on the 0–100 scale.

    ``percents[i]`` is :func:`kidsvoice.scoring.item_percent` of item ``keys[i]``: None when the
    child did not answer it numerically (declined, don't know, not answered).
    """

    keys: tuple[str, ...]
    percents: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class ResponseScores:
    """One response's measures: only the measures its round asked are present.

    ``scores[m]`` is None for "not enough answers".  ``forms[m]`` names the form the measure
    was built from (see the module docstring); ``items[m]`` the items of the indices and WHO-5.
    """

    scores: Mapping[str, float | None]
    forms: Mapping[str, str]
    items: Mapping[str, IndexItems]


@dataclass(frozen=True, slots=True)
class _Measure:
    name: str
    kind: MeasureKind
    questions: tuple[Question, ...]
    form: str
    spec: scoring.IndexSpec | None = None
    #: (stored answers of the questions) → (value, item percents): a child's measure depends
    #: only on these, and a programme has few distinct patterns
    results: dict[tuple[StoredAnswer | None, ...], tuple[float | None, IndexItems | None]] = (
        field(default_factory=dict, compare=False, hash=False, repr=False)
    )

    def score(
        self, answers: tuple[StoredAnswer | None, ...]
    ) -> tuple[float | None, IndexItems | None]:
        cached = self.results.get(answers)
        if cached is not None:
            return cached
        values = tuple(
            sheet_scoring_answer(q, a) for q, a in zip(self.questions, answers, strict=True)
        )
        value: float | None
        if self.kind == "index" and self.spec is not None:
            keys = [key for key, _ in self.spec.items]
            value = scoring.score_indices([self.spec], dict(zip(keys, values, strict=True)))[
                self.name
            ]
        elif self.kind == "ladder":
            ladder = scoring.ladder_score(values[0])
            value = None if ladder is None else float(ladder)
        else:
            who5 = scoring.who5(values)
            value = None if who5 is None else float(who5.percentage)
        items = None
        if self.kind != "ladder":
            items = IndexItems(
                tuple(q.key for q in self.questions),
                tuple(scoring.item_percent(v, q.k) for v, q in zip(values, self.questions,
                                                                    strict=True)),
            )
        if len(self.results) >= _RESULTS_CACHE_MAX:
            self.results.clear()
        self.results[answers] = (value, items)
        return value, items


_RESULTS_CACHE_MAX: Final = 200_000
_layouts: dict[tuple[object, ...], tuple[_Measure, ...]] = {}
_asked: dict[tuple[object, ...], tuple[Question, ...]] = {}
_CACHE_MAX: Final = 1024


def _form(variant: str, members: Sequence[Question], modules: Sequence[Questionnaire]) -> str:
    used = [
        module.id
        for module in modules
        if any(q.key in {m.key for m in module.questions} for q in members)
    ]
    return "+".join([variant, *sorted(set(used))])


def _asked_questions(rnd: RoundInput) -> tuple[Question, ...]:
    """The sheet's :func:`asked_questions` without goals (in no measure), cached per form.

    Without goals, what the sheet asks depends only on the questionnaire, the variant, the kind
    of round and which optional modules have an answer (the sheet's own rule for "switched
    on"), so that is the cache key.
    """
    key = (
        rnd.questionnaire.id, rnd.questionnaire.version, rnd.questionnaire.digest, rnd.variant,
        rnd.kind,
        tuple(
            (m.id, m.version, any(q.key in rnd.answers for q in m.questions))
            for m in rnd.modules
        ),
    )
    questions = _asked.get(key)
    if questions is None:
        if len(_asked) >= _CACHE_MAX:
            _asked.clear()
        questions = _asked[key] = asked_questions(rnd)
    return questions


def _layout(rnd: RoundInput, questions: tuple[Question, ...]) -> tuple[_Measure, ...]:
    """Which questions make up which measure in this round (cached per questionnaire form)."""
    keys = tuple(q.key for q in questions)
    cache_key = (
        rnd.questionnaire.id, rnd.questionnaire.version, rnd.questionnaire.digest, rnd.variant,
        tuple((m.id, m.version) for m in rnd.modules), keys,
    )
    cached = _layouts.get(cache_key)
    if cached is not None:
        return cached
    measures: list[_Measure] = []
    for name in INDEXES:
        members = tuple(q for q in questions if q.index == name)
        if members:
            spec = scoring.IndexSpec(name, tuple((q.key, q.k) for q in members))
            measures.append(
                _Measure(name, "index", members, _form(rnd.variant, members, rnd.modules), spec)
            )
    ladder = next((q for q in questions if q.kind is QuestionKind.LADDER), None)
    if ladder is not None:
        measures.append(
            _Measure("ladder", "ladder", (ladder,), _form(rnd.variant, (ladder,), rnd.modules))
        )
    who5_items = tuple(q for q in questions if q.key.startswith(WHO5_PREFIX))
    if len(who5_items) == scoring.WHO5_ITEMS:
        measures.append(
            _Measure("who5", "who5", who5_items, _form(rnd.variant, who5_items, rnd.modules))
        )
    layout = tuple(measures)
    if len(_layouts) >= _CACHE_MAX:
        _layouts.clear()
    _layouts[cache_key] = layout
    return layout


def score_response(rnd: RoundInput) -> ResponseScores:
    """Score one completed round of one child (the sheet's measures, without comparison).

    Kept answers (``hidden``) count as not given, as on the sheet; only wishes can be kept, and
    they are in no measure.  Goal questions are in no measure and are ignored here.
    """
    scores: dict[str, float | None] = {}
    forms: dict[str, str] = {}
    items: dict[str, IndexItems] = {}
    answers = rnd.answers
    for measure in _layout(rnd, _asked_questions(rnd)):
        value, measure_items = measure.score(tuple(answers.get(q.key) for q in measure.questions))
        scores[measure.name] = value
        forms[measure.name] = measure.form
        if measure_items is not None:
            items[measure.name] = measure_items
    return ResponseScores(
        MappingProxyType(scores), MappingProxyType(forms), MappingProxyType(items)
    )
