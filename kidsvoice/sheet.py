"""The answer sheet of one child: what the meeting sees, built from a questionnaire and answers.

PURE module: no Flask, no SQLAlchemy.  The meeting blueprint loads a child's completed rounds
into :class:`RoundInput` values and its goals into :class:`GoalInfo` values; this module turns
them into sections, scores, bands, change since the previous round and goal series.  Every text
it returns is an English msgid (questionnaire texts: gettext domain ``questionnaire``); the
templates translate.

Decisions worth knowing:

- **Kept from the meeting.**  An answer the child kept from the meeting (``hidden``) is left out
  of the sheet entirely: not shown, not counted as skipped, and *not used in any score on the
  sheet* (a score would give part of it away).  Only the number of such answers is shown.  The
  coordinator's safeguarding page lists them (:func:`kept_from_meeting`).
- **Which questions were asked** is rebuilt with :meth:`Questionnaire.steps` from the round's
  kind and variant; the goal questions from the ``goal-<id>`` answers themselves (a goal may have
  been closed since), and an optional module (WHO-5) counts as switched on when the round has an
  answer to one of its questions.  A question asked but without an answer row is ``skipped``.
- **Change** is this round minus the previous completed round *in the same age variant* (the
  variant is pinned per child, INSTRUMENT §2), for every index, the ladder and WHO-5.  It is a
  plain difference: the sheet makes no claim of reliable change for indexes (that needs the
  programme's reliability parameters, INSTRUMENT §7); WHO-5 marks a change of ≥ 10 points as
  relevant and goals a rise of ≥ 3 as reliable (INSTRUMENT §5).
- **Goal series** start with the rating given at the meeting (``start_rating``, on
  ``agreed_on``) and continue with the child's rating in each later round that asked about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from . import scoring
from .questionnaire import (
    DONT_KNOW,
    GOAL_KEY_PREFIX,
    INDEXES,
    GoalRef,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
)

__all__ = [
    "SECTION_ORDER",
    "ChartGeometry",
    "GoalInfo",
    "GoalPoint",
    "GoalSeries",
    "History",
    "ItemState",
    "Measure",
    "RoundInput",
    "Sheet",
    "SheetItem",
    "SheetSection",
    "StoredAnswer",
    "build_history",
    "build_sheet",
    "goal_chart",
    "kept_from_meeting",
]

#: The order of sections on the sheet: the child's wishes first (DESIGN: "wishes in the child's
#: own words ... first"), goals last.  Sections a future questionnaire adds follow in file order.
SECTION_ORDER: tuple[str, ...] = ("wishes", "heard", "how_i_am", "school", "relations", "goals")

#: Measures in the order they are shown (indexes, then the ladder and WHO-5).
MEASURE_ORDER: tuple[str, ...] = ("heard", "mood", "ladder", "who5", "school", "relations")


class ItemState(StrEnum):
    ANSWERED = "answered"
    DECLINED = "declined"  # "I'd rather not say": the child chose to skip
    DONT_KNOW = "dont_know"
    SKIPPED = "skipped"  # asked, but no answer was stored


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class StoredAnswer:
    """One stored answer, as plain values (the ``Answer`` row without the database)."""

    key: str
    status: str  # "answered" | "declined" | "dont_know"
    score: int | None = None
    choices: tuple[str, ...] = ()
    text: str | None = None
    goal_id: int | None = None
    hidden: bool = False


@dataclass(frozen=True)
class RoundInput:
    """One completed round of one child: its questionnaire and answers."""

    round_id: int
    position: int
    kind: str  # "baseline" | "follow_up" | "check_in"
    label: str
    variant: str  # "6-9" | "10-16"
    questionnaire: Questionnaire
    answers: Mapping[str, StoredAnswer]
    completed_on: date | None = None
    #: Optional modules available for this questionnaire (e.g. WHO-5); the ones this round's
    #: answers show were switched on are applied.
    modules: tuple[Questionnaire, ...] = ()


@dataclass(frozen=True)
class GoalInfo:
    """A goal agreed at a meeting, in the child's words."""

    id: int
    text: str
    start_rating: int
    agreed_on: date
    status: str = "open"  # "open" | "achieved" | "dropped"
    #: Position of the round whose meeting agreed the goal (None: not tied to a round).
    round_position: int | None = None


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class SheetItem:
    """One question as the sheet shows it.

    ``option`` is the English label of the chosen answer (faces, scale, choice); ``value`` the
    number behind it (the option's score, or 0–10 for ladder and goal questions); ``cards`` the
    chosen picture cards (options with an English label and an icon name, without "Something
    else…"); ``other`` whether
    "Something else…" was chosen and ``other_text`` the words the child wrote for it;
    ``text`` a free-text answer.  ``flag`` is set for flag items (L4, R5) that were answered:
    True when the answer is something to talk about (:func:`kidsvoice.scoring.flag_raised`).
    """

    question: Question
    state: ItemState
    value: int | None = None
    option: str | None = None
    cards: tuple[Option, ...] = ()
    other: bool = False
    other_text: str | None = None
    text: str | None = None
    flag: bool | None = None

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def answered(self) -> bool:
        return self.state is ItemState.ANSWERED


@dataclass(frozen=True)
class Measure:
    """A score of one round, with the previous round's for comparison.

    ``key`` is an index name (``heard``, ``mood``, ``school``, ``relations``), ``ladder``
    (0–10) or ``who5`` (percentage 0–100, with ``raw`` 0–25 and a ``band`` wording key).
    ``value`` None means "not enough answers".
    """

    key: str
    value: float | None
    maximum: int
    previous: float | None = None
    raw: int | None = None
    band: str | None = None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def relevant_change(self) -> bool | None:
        """WHO-5 only: a change of ≥ 10 percentage points (INSTRUMENT §5)."""
        if self.key != "who5" or self.change is None:
            return None
        return scoring.who5_relevant_change(self.previous or 0.0, self.value or 0.0)

    @property
    def direction(self) -> str | None:
        """``up``, ``down`` or ``same`` (higher is better for every measure), or None."""
        change = self.change
        if change is None:
            return None
        if abs(change) < 1e-9:
            return "same"
        return "up" if change > 0 else "down"


@dataclass(frozen=True)
class SheetSection:
    key: str
    title: str  # msgid, domain "questionnaire"
    measures: tuple[Measure, ...]
    items: tuple[SheetItem, ...]


@dataclass(frozen=True)
class GoalPoint:
    """One rating of a goal: the start (``round_id`` None) or a later round's answer."""

    label: str | None  # the round's label; None for the start at the meeting
    rating: int | None  # None: the child skipped or did not know in that round
    state: ItemState
    round_id: int | None = None
    on: date | None = None


@dataclass(frozen=True)
class GoalSeries:
    goal: GoalInfo
    points: tuple[GoalPoint, ...]

    @property
    def progress(self) -> scoring.GoalProgress:
        return scoring.GoalProgress(tuple(p.rating for p in self.points if p.rating is not None))

    @property
    def start(self) -> int:
        return self.goal.start_rating

    @property
    def latest(self) -> int | None:
        return self.progress.latest

    @property
    def change(self) -> int | None:
        return self.progress.change

    @property
    def reliably_improved(self) -> bool | None:
        return self.progress.reliably_improved

    @property
    def rated_rounds(self) -> int:
        """Later rounds in which the child rated the goal."""
        return sum(1 for p in self.points[1:] if p.rating is not None)


@dataclass(frozen=True)
class RoundRef:
    round_id: int
    label: str
    kind: str
    completed_on: date | None


@dataclass(frozen=True)
class Sheet:
    """The answer sheet of one round."""

    round: RoundRef
    variant: str
    previous: RoundRef | None
    sections: tuple[SheetSection, ...]
    goals: tuple[GoalSeries, ...]
    #: How many answers the child kept from the meeting (left out of everything above).
    kept_count: int
    #: Questions the child skipped or said "I'd rather not say" to.
    skipped_count: int
    #: Notices that must be shown with questions of a licensed module (WHO-5).
    notices: tuple[str, ...] = ()

    def section(self, key: str) -> SheetSection | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def measures(self) -> dict[str, Measure]:
        return {m.key: m for s in self.sections for m in s.measures}

    @property
    def flagged(self) -> tuple[SheetItem, ...]:
        """Flag items whose answer is something to talk about."""
        return tuple(i for s in self.sections for i in s.items if i.flag)


@dataclass(frozen=True)
class History:
    """Every completed round of one child side by side (the all-rounds view)."""

    rounds: tuple[RoundRef, ...]
    #: measure key → one Measure (or None when not asked) per round, in round order.
    rows: tuple[tuple[str, tuple[Measure | None, ...]], ...]
    goals: tuple[GoalSeries, ...]
    kept_counts: tuple[int, ...]
    variant_changed: bool = False


# --------------------------------------------------------------------------- asking & scoring


def _goal_id(key: str) -> int | None:
    if not key.startswith(GOAL_KEY_PREFIX):
        return None
    rest = key.removeprefix(GOAL_KEY_PREFIX)
    return int(rest) if rest.isdigit() else None


def asked_questions(
    rnd: RoundInput, goals: Mapping[int, GoalInfo] | None = None
) -> tuple[Question, ...]:
    """The questions the child was asked in this round, in the order asked."""
    goals = goals or {}
    refs: list[GoalRef] = []
    for key in rnd.answers:
        goal_id = _goal_id(key)
        if goal_id is not None and goal_id in goals:
            refs.append(GoalRef(goal_id, goals[goal_id].text))
    refs.sort(key=lambda ref: ref.id)
    modules = [
        module
        for module in rnd.modules
        if any(q.key in rnd.answers for q in module.questions)
    ]
    return rnd.questionnaire.steps(
        rnd.variant,  # type: ignore[arg-type]
        rnd.kind,  # type: ignore[arg-type]
        refs,
        modules,
    )


def _numeric(question: Question, answer: StoredAnswer) -> int | None:
    """The number behind an answer: its stored score, else the chosen option's score."""
    if answer.score is not None:
        return answer.score
    for code in answer.choices:
        try:
            return question.option(code).score
        except KeyError:
            continue
    return None


def _scoring_answer(question: Question, answer: StoredAnswer | None) -> scoring.Answer:
    """The answer as :mod:`kidsvoice.scoring` takes it; kept answers count as not given."""
    if answer is None or answer.hidden:
        return None
    if answer.status == scoring.DECLINED:
        return scoring.DECLINED
    if answer.status == scoring.DONT_KNOW:
        return scoring.DONT_KNOW
    if not question.is_scored:
        return None
    value = _numeric(question, answer)
    if value is None and DONT_KNOW in answer.choices:
        return scoring.DONT_KNOW
    return value


def _measures(
    rnd: RoundInput, questions: Sequence[Question]
) -> dict[str, tuple[Measure, str]]:
    """This round's measures (without comparison), each with the section it belongs to."""
    answers = {q.key: _scoring_answer(q, rnd.answers.get(q.key)) for q in questions}
    result: dict[str, tuple[Measure, str]] = {}
    for name in INDEXES:
        members = [q for q in questions if q.index == name]
        if not members:
            continue
        spec = scoring.IndexSpec(name, tuple((q.key, q.k) for q in members))
        value = scoring.score_indices([spec], answers)[name]
        result[name] = (Measure(name, value, 100), members[0].section)
    ladder = next((q for q in questions if q.kind is QuestionKind.LADDER), None)
    if ladder is not None:
        value = scoring.ladder_score(answers[ladder.key])
        result["ladder"] = (
            Measure("ladder", None if value is None else float(value), 10),
            ladder.section,
        )
    who5_items = [q for q in questions if q.key.startswith("WHO5-")]
    if len(who5_items) == scoring.WHO5_ITEMS:
        who = scoring.who5([answers[q.key] for q in who5_items])
        result["who5"] = (
            Measure(
                "who5",
                None if who is None else float(who.percentage),
                100,
                raw=None if who is None else who.raw,
                band=None if who is None else who.band,
            ),
            who5_items[0].section,
        )
    return result


def _with_previous(measure: Measure, previous: Measure | None) -> Measure:
    if previous is None or previous.value is None:
        return measure
    return Measure(
        measure.key, measure.value, measure.maximum, previous.value, measure.raw, measure.band
    )


def _item(question: Question, answer: StoredAnswer | None) -> SheetItem:
    if answer is None:
        return SheetItem(question, ItemState.SKIPPED)
    if answer.status == scoring.DECLINED:
        return SheetItem(question, ItemState.DECLINED)
    if answer.status == scoring.DONT_KNOW:
        return SheetItem(question, ItemState.DONT_KNOW)
    kind = question.kind
    if kind is QuestionKind.TEXT:
        text = (answer.text or "").strip()
        state = ItemState.ANSWERED if text else ItemState.SKIPPED
        return SheetItem(question, state, text=text or None)
    if kind is QuestionKind.CARDS:
        labels = []
        for option in question.options:  # screen order
            if option.code in answer.choices and option.code != question.other_option:
                labels.append(option)
        other = question.other_option is not None and question.other_option in answer.choices
        if not labels and not other:
            return SheetItem(question, ItemState.SKIPPED)
        other_text = ((answer.text or "").strip() or None) if other else None
        return SheetItem(
            question, ItemState.ANSWERED, cards=tuple(labels), other=other, other_text=other_text
        )
    value = _numeric(question, answer)
    if value is None and DONT_KNOW in answer.choices:
        return SheetItem(question, ItemState.DONT_KNOW)
    option_label = None
    if kind in (QuestionKind.FACES, QuestionKind.SCALE, QuestionKind.CHOICE):
        chosen = None
        if value is not None:
            chosen = next((o for o in question.options if o.score == value), None)
        elif answer.choices:
            chosen = next((o for o in question.options if o.code in answer.choices), None)
        if chosen is None:
            return SheetItem(question, ItemState.SKIPPED)
        option_label = chosen.label
    elif value is None:
        return SheetItem(question, ItemState.SKIPPED)
    flag = None
    if question.flag and value is not None:
        flag = scoring.flag_raised(value, question.k)
    return SheetItem(question, ItemState.ANSWERED, value=value, option=option_label, flag=flag)


# --------------------------------------------------------------------------- goal series


def _goal_series(
    goal: GoalInfo, rounds: Sequence[RoundInput], *, include_hidden: bool = False
) -> GoalSeries:
    key = f"{GOAL_KEY_PREFIX}{goal.id}"
    points = [GoalPoint(None, goal.start_rating, ItemState.ANSWERED, None, goal.agreed_on)]
    for rnd in rounds:
        answer = rnd.answers.get(key)
        if answer is None or (answer.hidden and not include_hidden):
            continue
        if goal.round_position is not None and rnd.position <= goal.round_position:
            continue  # a rating from before the goal was agreed cannot be
        value = answer.score if answer.status == "answered" else None
        if value is not None and not scoring.GOAL_MIN <= value <= scoring.GOAL_MAX:
            raise ValueError(f"goal rating {value} outside 0–10")
        state = ItemState.ANSWERED if value is not None else (
            ItemState.DONT_KNOW if answer.status == scoring.DONT_KNOW else ItemState.DECLINED
        )
        points.append(GoalPoint(rnd.label, value, state, rnd.round_id, rnd.completed_on))
    return GoalSeries(goal, tuple(points))


_STATUS_ORDER = {"open": 0, "achieved": 1, "dropped": 2}


def _ordered_goals(goals: Iterable[GoalInfo]) -> list[GoalInfo]:
    return sorted(goals, key=lambda g: (_STATUS_ORDER.get(g.status, 3), g.agreed_on, g.id))


# --------------------------------------------------------------------------- building


def _ref(rnd: RoundInput) -> RoundRef:
    return RoundRef(rnd.round_id, rnd.label, rnd.kind, rnd.completed_on)


def _previous(rounds: Sequence[RoundInput], current: RoundInput) -> RoundInput | None:
    earlier = [
        r for r in rounds if r.position < current.position and r.variant == current.variant
    ]
    return max(earlier, key=lambda r: r.position) if earlier else None


def _section_order(questionnaire: Questionnaire) -> list[str]:
    keys = [s.key for s in questionnaire.sections]
    return [k for k in SECTION_ORDER if k in keys] + [k for k in keys if k not in SECTION_ORDER]


def build_sheet(
    rounds: Sequence[RoundInput],
    round_id: int,
    goals: Sequence[GoalInfo] = (),
) -> Sheet:
    """The sheet of the round ``round_id`` among a child's completed ``rounds``.

    Goals: every goal of the child agreed before or at this round, with its ratings up to and
    including this round.  KeyError when ``round_id`` is not among ``rounds``.
    """
    ordered = sorted(rounds, key=lambda r: r.position)
    current = next((r for r in ordered if r.round_id == round_id), None)
    if current is None:
        raise KeyError(f"round {round_id} is not a completed round of this child")
    by_id = {g.id: g for g in goals}
    questions = asked_questions(current, by_id)
    measures = _measures(current, questions)
    previous = _previous(ordered, current)
    previous_measures: dict[str, tuple[Measure, str]] = {}
    if previous is not None:
        previous_measures = _measures(previous, asked_questions(previous, by_id))

    sections = []
    skipped = 0
    for key in _section_order(current.questionnaire):
        items = []
        for question in questions:
            if question.section != key or question.kind is QuestionKind.GOAL:
                continue
            answer = current.answers.get(question.key)
            if answer is not None and answer.hidden:
                continue
            item = _item(question, answer)
            if item.state in (ItemState.SKIPPED, ItemState.DECLINED):
                skipped += 1
            items.append(item)
        section_measures = tuple(
            _with_previous(
                measures[name][0],
                previous_measures[name][0] if name in previous_measures else None,
            )
            for name in MEASURE_ORDER
            if name in measures and measures[name][1] == key
        )
        has_goals = key == "goals" and any(q.kind is QuestionKind.GOAL for q in questions)
        if items or section_measures or has_goals:
            title = current.questionnaire.section(key).title
            sections.append(SheetSection(key, title, section_measures, tuple(items)))

    upto = [r for r in ordered if r.position <= current.position]
    shown_goals = [
        g for g in _ordered_goals(goals)
        if g.round_position is None or g.round_position <= current.position
    ]
    series = tuple(_goal_series(g, upto) for g in shown_goals)
    kept = sum(1 for a in current.answers.values() if a.hidden)
    notices = tuple(
        text
        for module in current.modules
        if any(q.key in current.answers for q in module.questions)
        for text in (module.notice, module.translation_notice)
        if text
    )
    return Sheet(
        round=_ref(current),
        variant=current.variant,
        previous=None if previous is None else _ref(previous),
        sections=tuple(sections),
        goals=series,
        kept_count=kept,
        skipped_count=skipped,
        notices=notices,
    )


def build_history(rounds: Sequence[RoundInput], goals: Sequence[GoalInfo] = ()) -> History:
    """Every completed round side by side: each measure per round, and every goal's series."""
    ordered = sorted(rounds, key=lambda r: r.position)
    by_id = {g.id: g for g in goals}
    per_round = [_measures(r, asked_questions(r, by_id)) for r in ordered]
    rows = []
    for name in MEASURE_ORDER:
        if not any(name in m for m in per_round):
            continue
        rows.append((name, tuple(m[name][0] if name in m else None for m in per_round)))
    return History(
        rounds=tuple(_ref(r) for r in ordered),
        rows=tuple(rows),
        goals=tuple(_goal_series(g, ordered) for g in _ordered_goals(goals)),
        kept_counts=tuple(sum(1 for a in r.answers.values() if a.hidden) for r in ordered),
        variant_changed=len({r.variant for r in ordered}) > 1,
    )


def kept_from_meeting(
    rnd: RoundInput, goals: Sequence[GoalInfo] = ()
) -> tuple[SheetItem, ...]:
    """The answers the child kept from the meeting in this round (the safeguarding page)."""
    by_id = {g.id: g for g in goals}
    result = []
    for question in asked_questions(rnd, by_id):
        answer = rnd.answers.get(question.key)
        if answer is not None and answer.hidden:
            result.append(_item(question, answer))
    return tuple(result)


# --------------------------------------------------------------------------- goal chart


@dataclass(frozen=True)
class ChartGeometry:
    """A small line chart of one goal's ratings (0–10), in SVG user units.

    ``points`` are (x, y, rating, label) of the rated points; ``ticks`` the y of 0, 5 and 10;
    ``polyline`` the ``points`` attribute of the line.
    """

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: tuple[tuple[float, float, int, str | None], ...]
    ticks: tuple[tuple[int, float], ...] = field(default=())

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.points)


def goal_chart(
    series: GoalSeries, *, width: int = 280, height: int = 120, left: int = 28,
    right: int = 12, top: int = 10, bottom: int = 22,
) -> ChartGeometry:
    """Geometry of a goal's chart: one point per rating, evenly spaced, 0 at the bottom."""
    rated = [p for p in series.points if p.rating is not None]
    plot_w = width - left - right
    plot_h = height - top - bottom

    def y_of(rating: int) -> float:
        return top + plot_h * (1 - rating / scoring.GOAL_MAX)

    n = len(rated)
    points = []
    for i, point in enumerate(rated):
        x = left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))
        rating = point.rating or 0  # rated points only
        points.append((x, y_of(rating), rating, point.label))
    ticks = tuple((value, y_of(value)) for value in (0, 5, 10))
    return ChartGeometry(width, height, left, right, top, bottom, tuple(points), ticks)
