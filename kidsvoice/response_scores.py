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

**Stored form.**  :func:`encode` turns one response's scores and goal ratings into the compact
JSON kept in ``response_scores.data`` (:mod:`kidsvoice.stored_scores`), :func:`decode` back into
equal objects (floats round-trip exactly through JSON).  ``SCORING_VERSION`` names the rules
here, in :mod:`kidsvoice.scoring` and in the sheet's answer conversion: **raise it whenever a
change to them could change a stored score** — rows of an older version are then ignored and
the responses scored again from their answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from . import scoring
from .questionnaire import GOAL_KEY_PREFIX, INDEXES, Question, QuestionKind, Questionnaire
from .sheet import RoundInput, StoredAnswer, asked_questions
from .sheet import _scoring_answer as sheet_scoring_answer  # the sheet's own conversion

__all__ = [
    "MEASURES",
    "SCORING_VERSION",
    "IndexItems",
    "ResponseScores",
    "Decoder",
    "available_modules",
    "decode",
    "encode",
    "goal_ratings",
    "score_response",
]

#: The version of the scoring rules that stored scores were computed with (see above).
SCORING_VERSION: Final = 1

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


def available_modules(questionnaires: Iterable[Questionnaire]) -> tuple[Questionnaire, ...]:
    """The newest version of every optional module: what a round may have switched on."""
    newest: dict[str, Questionnaire] = {}
    for q in questionnaires:
        if q.module and (q.id not in newest or q.version > newest[q.id].version):
            newest[q.id] = q
    return tuple(newest[key] for key in sorted(newest))


def goal_ratings(answers: Mapping[str, StoredAnswer]) -> dict[int, int]:
    """goal id → the child's rating, for goal questions answered and not kept back."""
    ratings = {}
    for key, answer in answers.items():
        rest = key.removeprefix(GOAL_KEY_PREFIX)
        if key == rest or not rest.isdigit() or answer.hidden:
            continue
        if answer.status == "answered" and answer.score is not None:
            if not scoring.GOAL_MIN <= answer.score <= scoring.GOAL_MAX:
                raise ValueError(f"goal rating {answer.score} outside 0–10")
            ratings[int(rest)] = answer.score
    return ratings


# --------------------------------------------------------------------------- stored form
#
# One line per measure, in the order score_response made them, then the goal ratings:
#
#     heard [75.0,"6-9",["H1","H2","H4"],[50.0,100.0,null]]
#     ladder [7.0,"10-16"]
#     goals 12:7,15:4
#
# A programme has few distinct lines per measure (children give the same answers again and
# again), so a Decoder parses each distinct line once.

_GOALS: Final = "goals"


def encode(scores: ResponseScores, ratings: Mapping[int, int]) -> str:
    """The text stored for one response (see above); floats round-trip exactly."""
    lines = []
    for name, value in scores.scores.items():
        item = scores.items.get(name)
        entry = ([value, scores.forms[name]] if item is None
                 else [value, scores.forms[name], list(item.keys), list(item.percents)])
        lines.append(f"{name} {json.dumps(entry, separators=(',', ':'), allow_nan=False)}")
    if ratings:
        lines.append(f"{_GOALS} " + ",".join(
            f"{int(goal_id)}:{int(rating)}" for goal_id, rating in sorted(ratings.items())))
    return "\n".join(lines)


_Line = tuple[str, float | None, str, IndexItems | None]


class Decoder:
    """Turns stored text back into :func:`score_response`'s scores and the goal ratings.

    One decoder per load: it remembers the lines it has parsed (and nothing across loads).
    """

    def __init__(self) -> None:
        self._lines: dict[str, _Line] = {}
        self._keys: dict[tuple[str, ...], tuple[str, ...]] = {}

    def _parse(self, line: str) -> _Line:
        name, _, raw = line.partition(" ")
        entry = json.loads(raw)
        value = None if entry[0] is None else float(entry[0])
        items = None
        if len(entry) > 2:
            keys = tuple(entry[2])
            keys = self._keys.setdefault(keys, keys)
            items = IndexItems(keys, tuple(None if v is None else float(v) for v in entry[3]))
        parsed = self._lines[line] = (name, value, entry[1], items)
        return parsed

    def __call__(self, text: str) -> tuple[ResponseScores, dict[int, int]]:
        scores: dict[str, float | None] = {}
        forms: dict[str, str] = {}
        items: dict[str, IndexItems] = {}
        ratings: dict[int, int] = {}
        lines = self._lines
        for line in text.split("\n"):
            if not line:
                continue
            if line.startswith(_GOALS):
                for part in line[len(_GOALS) + 1:].split(","):
                    goal_id, _, rating = part.partition(":")
                    ratings[int(goal_id)] = int(rating)
                continue
            parsed = lines.get(line) or self._parse(line)
            name = parsed[0]
            scores[name] = parsed[1]
            forms[name] = parsed[2]
            if parsed[3] is not None:
                items[name] = parsed[3]
        return ResponseScores(
            MappingProxyType(scores), MappingProxyType(forms), MappingProxyType(items)
        ), ratings


def decode(text: str) -> tuple[ResponseScores, dict[int, int]]:
    """What :func:`encode` stored: the scores (equal to :func:`score_response`'s) and ratings."""
    return Decoder()(text)
