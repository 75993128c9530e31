"""Scoring of one child's answers (INSTRUMENT.md §2, §3, §5, §6).

Pure module: no Flask, no SQLAlchemy, and no dependency on the questionnaire
loader. Callers pass plain values:

* an item answer is an ``int`` option score (0 … k−1, §3), the string
  ``"declined"`` ("I'd rather not say"), the string ``"dont_know"``, or ``None``
  (not asked / not answered). ``declined`` and ``dont_know`` are never numeric
  and never 0 (§2);
* an index is described by an :class:`IndexSpec` listing (question key, k),
  where k is the item's number of scored options.

Invalid data (an out-of-range score, an unknown answer code, a bool) raises
``ValueError``: it means a bug or corrupted storage, not a child's choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal

DECLINED: Final = "declined"
DONT_KNOW: Final = "dont_know"
NON_NUMERIC_CODES: Final = frozenset({DECLINED, DONT_KNOW})

Answer = int | str | None
"""An item answer: option score, ``"declined"``, ``"dont_know"`` or ``None``."""

INDEX_MIN_ANSWERED: Final = 2
"""§5: an index needs at least half of its items **and** at least 2 answered."""

LADDER_MIN: Final = 0
LADDER_MAX: Final = 10
GOAL_MIN: Final = 0
GOAL_MAX: Final = 10
GOAL_RELIABLE_CHANGE: Final = 3
"""§5: a goal change of ≥ 3 points is reliable (GBO RCI 2.45, Edbrooke-Childs et al. 2015)."""

WHO5_ITEMS: Final = 5
WHO5_ITEM_MAX: Final = 5
WHO5_RELEVANT_CHANGE: Final = 10
"""§5: a WHO-5 change of ≥ 10 percentage points counts as relevant."""

Who5Band = Literal["very_low", "low"]


def _is_int(value: object) -> bool:
    """True for a real ``int`` (``bool`` is rejected: ``True`` is not a score)."""
    return isinstance(value, int) and not isinstance(value, bool)


def numeric_answer(answer: Answer, k: int) -> int | None:
    """Return the option score of ``answer`` for an item with ``k`` options, or None.

    ``"declined"``, ``"dont_know"`` and ``None`` give None (never a number, §2).
    An int outside 0 … k−1, any other string, or any other type raises ValueError.
    """
    if k < 2:
        raise ValueError(f"an item needs at least 2 options, got k={k}")
    if answer is None:
        return None
    if isinstance(answer, str):
        if answer in NON_NUMERIC_CODES:
            return None
        raise ValueError(f"unknown answer code {answer!r}")
    if not _is_int(answer):
        raise ValueError(f"answer must be int, 'declined', 'dont_know' or None, got {answer!r}")
    if not 0 <= answer <= k - 1:
        raise ValueError(f"score {answer} outside 0…{k - 1}")
    return answer


# --------------------------------------------------------------------------- indices


@dataclass(frozen=True, slots=True)
class ItemScore:
    """One index item: its option score (None when not answered) and k options."""

    score: int | None
    k: int

    def __post_init__(self) -> None:
        if not _is_int(self.k) or self.k < 2:
            raise ValueError(f"k must be an int ≥ 2, got {self.k!r}")
        if self.score is not None and not _is_int(self.score):
            raise ValueError(f"an item score is an int or None, got {self.score!r}")
        if self.score is not None:
            numeric_answer(self.score, self.k)


def item_percent(score: Answer, k: int) -> float | None:
    """One item on the 0–100 index scale: score / (k − 1) × 100 (None if not numeric).

    This is each item's contribution to :func:`index_score`; a matrix of these
    values is what :func:`kidsvoice.outcomes.pooled_params` expects.
    """
    value = numeric_answer(score, k)
    if value is None:
        return None
    return float(Fraction(value, k - 1) * 100)


def index_score(items: Sequence[ItemScore]) -> float | None:
    """Index 0–100 by the national survey's at-least-half rule (INSTRUMENT.md §5).

    ``mean(score_i / (k_i − 1) for answered items) × 100``, computed only when
    at least half of the index's items **and** at least 2 are answered; else
    None ("not enough answers"). Items may have different k: e.g. the 6–9
    Mood index has L1 (F5-life, k = 5) next to L2–L3 (F3, k = 3); L1 is simply
    a member with k = 5 and is rescaled by the same formula.

    Computed with exact fractions, so the result is the correctly rounded float
    (e.g. [4, 3, —, 2] on 0–4 → 75.0; [2, 1, 2] on 0–2 → 83.333…).
    """
    total = len(items)
    parts = [Fraction(item.score, item.k - 1) for item in items if item.score is not None]
    if len(parts) < INDEX_MIN_ANSWERED or 2 * len(parts) < total:
        return None
    return float(sum(parts, Fraction(0)) / len(parts) * 100)


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """An index (Heard, Mood, School, Relations) for one age variant.

    ``items`` lists ``(question key, k)``; list only the items asked in that
    variant (e.g. H3 is 10–16 only). Flag items L4 and R5 never belong in an
    index (§5); for 10–16 with the WHO-5 module, WHO-5 items (k = 6) replace
    L2–L3 in Mood (§4) — that choice is the caller's, expressed in the spec.
    """

    name: str
    items: tuple[tuple[str, int], ...]

    def __post_init__(self) -> None:
        keys = [key for key, _ in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError(f"index {self.name!r} lists a question twice")
        for key, k in self.items:
            if not _is_int(k) or k < 2:
                raise ValueError(f"index {self.name!r}: item {key!r} needs k ≥ 2, got {k!r}")


def score_indices(
    specs: Sequence[IndexSpec], answers: Mapping[str, Answer]
) -> dict[str, float | None]:
    """Score every index in ``specs`` from one round's ``answers`` (question key → answer).

    A key missing from ``answers`` counts as not answered. Returns
    ``{index name: score 0–100 or None}``.
    """
    result: dict[str, float | None] = {}
    for spec in specs:
        if spec.name in result:
            raise ValueError(f"index {spec.name!r} specified twice")
        items = [ItemScore(numeric_answer(answers.get(key), k), k) for key, k in spec.items]
        result[spec.name] = index_score(items)
    return result


# --------------------------------------------------------------------------- ladder


def ladder_score(value: Answer) -> int | None:
    """Cantril ladder (10–16, L1): 0–10 as given (§5); None if declined/not answered."""
    return numeric_answer(value, LADDER_MAX - LADDER_MIN + 1)


# --------------------------------------------------------------------------- WHO-5


@dataclass(frozen=True, slots=True)
class Who5Result:
    """WHO-5 raw score (0–25) and percentage (raw × 4, 0–100), §5–§6.

    The band is a *wording key* for the meeting sheet; the UI translates it:

    * ``"very_low"`` (percentage ≤ 28): "very low well-being — consider whether
      more help is needed";
    * ``"low"`` (≤ 50): "lower well-being — talk with the child about how they are";
    * ``None`` above 50.

    Note: the sheet must never use the word "depression" (§5). WHO-5 is a
    well-being index, not a diagnosis; the bands are conversation prompts.
    """

    raw: int
    percentage: int

    @property
    def band(self) -> Who5Band | None:
        """Wording key for the sheet: "very_low" (≤ 28), "low" (≤ 50) or None."""
        if self.percentage <= 28:
            return "very_low"
        if self.percentage <= 50:
            return "low"
        return None


def who5(scores: Sequence[Answer]) -> Who5Result | None:
    """Score the optional WHO-5 module (§5, §6): all 5 items 0–5 answered, else None.

    Items are scored 5 ("All of the time") … 0 ("At no time"); one declined or
    missing item means no score (WHO-5 has no missing-item rule).
    """
    if len(scores) != WHO5_ITEMS:
        raise ValueError(f"WHO-5 has {WHO5_ITEMS} items, got {len(scores)}")
    values = [numeric_answer(score, WHO5_ITEM_MAX + 1) for score in scores]
    if any(value is None for value in values):
        return None
    raw = sum(value for value in values if value is not None)
    return Who5Result(raw=raw, percentage=raw * 4)


def who5_relevant_change(pre_pct: float, post_pct: float) -> bool:
    """True when the WHO-5 percentage moved by ≥ 10 points, up or down (§5).

    The sign of ``post_pct − pre_pct`` tells improvement from deterioration.
    """
    return abs(post_pct - pre_pct) >= WHO5_RELEVANT_CHANGE


# --------------------------------------------------------------------------- flag items

_FLAG_THRESHOLD: Final[Mapping[int, int]] = {3: 2, 5: 3}


def flag_raised(score: Answer, k: int) -> bool | None:
    """Worry/teasing flag for the flag items L4 ("worried or sad") and R5 ("teased").

    L4 and R5 use the ordinary frequency scales of §3 (F3-freq "No, hardly
    ever · Sometimes · Yes, often" = 0–2; V5-freq "Never … Always" = 0–4). The
    options keep the usual reading order (§2), so for these two items a *higher*
    score means *more* worry or teasing — the concern. The flag is raised when
    the answer is in the top part of the scale:

    * k = 3 (6–9): score 2 ("Yes, often");
    * k = 5 (10–16): score ≥ 3 ("Often", "Always").

    Returns None when not answered / declined / don't know. Flag items are
    shown as answered on the sheet and are never reversed into an index (§5).
    """
    threshold = _FLAG_THRESHOLD.get(k)
    if threshold is None:
        raise ValueError(f"flag items use k = 3 or k = 5, got k={k}")
    value = numeric_answer(score, k)
    if value is None:
        return None
    return value >= threshold


# --------------------------------------------------------------------------- goals


def _goal_rating(value: int) -> int:
    if not _is_int(value) or not GOAL_MIN <= value <= GOAL_MAX:
        raise ValueError(f"a goal rating is an int {GOAL_MIN}–{GOAL_MAX}, got {value!r}")
    return value


def goal_change(start: int, latest: int) -> int:
    """Goal change = latest rating − starting rating (§5), both 0–10."""
    return _goal_rating(latest) - _goal_rating(start)


def goal_reliably_improved(change: int) -> bool:
    """True when a goal rating rose by ≥ 3 points (§5, GBO reliable change)."""
    return change >= GOAL_RELIABLE_CHANGE


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """A goal's ratings in round order; the first is the start (set at the meeting)."""

    ratings: tuple[int, ...]

    def __post_init__(self) -> None:
        for rating in self.ratings:
            _goal_rating(rating)

    @classmethod
    def from_answers(cls, answers: Sequence[Answer]) -> GoalProgress:
        """Build from round answers, skipping declined / don't know / unanswered rounds."""
        ratings = tuple(
            value
            for value in (numeric_answer(answer, GOAL_MAX + 1) for answer in answers)
            if value is not None
        )
        return cls(ratings)

    @property
    def start(self) -> int | None:
        return self.ratings[0] if self.ratings else None

    @property
    def latest(self) -> int | None:
        return self.ratings[-1] if self.ratings else None

    @property
    def change(self) -> int | None:
        """latest − start, or None with fewer than two ratings."""
        if len(self.ratings) < 2:
            return None
        return goal_change(self.ratings[0], self.ratings[-1])

    @property
    def reliably_improved(self) -> bool | None:
        change = self.change
        return None if change is None else goal_reliably_improved(change)
