"""Tests for kidsvoice.scoring — vectors from INSTRUMENT.md §3, §5, §6."""

from __future__ import annotations

import ast
import statistics
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kidsvoice.scoring import (
    DECLINED,
    DONT_KNOW,
    GoalProgress,
    IndexSpec,
    ItemScore,
    Who5Result,
    flag_raised,
    goal_change,
    goal_reliably_improved,
    index_score,
    item_percent,
    ladder_score,
    numeric_answer,
    score_indices,
    who5,
    who5_relevant_change,
)


def items(scores: list[int | None], k: int) -> list[ItemScore]:
    return [ItemScore(score, k) for score in scores]


# --------------------------------------------------------------------------- index rule (§5)


def test_index_vector_four_items_on_0_to_4() -> None:
    assert index_score(items([4, 3, None, 2], 5)) == 75.0


def test_index_vector_one_of_four_answered_is_none() -> None:
    assert index_score(items([None, None, None, 2], 5)) is None


def test_index_vector_three_items_on_0_to_2() -> None:
    result = index_score(items([2, 1, 2], 3))
    assert result is not None
    assert result == pytest.approx(250 / 3, abs=1e-9)
    assert round(result, 1) == 83.3


@pytest.mark.parametrize(
    ("scores", "expected_none"),
    [
        ([1, 1, None, None], False),  # exactly half of 4, and 2 answered
        ([1, None, None, None], True),  # 1 of 4
        ([1, 1, None], False),  # 2 of 3
        ([1, None, None], True),  # 1 of 3 (< half)
        ([1, None], True),  # half of 2, but fewer than 2 answered
        ([1, 1], False),
        ([1, 1, None, None, None], True),  # 2 of 5 < half
        ([1, 1, 1, None, None], False),
        ([], True),
    ],
)
def test_index_at_least_half_and_at_least_two(
    scores: list[int | None], expected_none: bool
) -> None:
    assert (index_score(items(scores, 3)) is None) is expected_none


def test_mood_6_to_9_rescales_l1_with_k5() -> None:
    # L1 F5-life "Good" = 3 of 0–4, L2 "Yes, often" = 2 of 0–2, L3 "Sometimes" = 1
    mood = index_score([ItemScore(3, 5), ItemScore(2, 3), ItemScore(1, 3)])
    assert mood == pytest.approx((3 / 4 + 2 / 2 + 1 / 2) / 3 * 100, abs=1e-9)
    assert mood == 75.0


def test_score_indices_treats_declined_and_dont_know_as_unanswered() -> None:
    heard = IndexSpec("heard", (("H1", 5), ("H2", 5), ("H3", 5), ("H4", 5)))
    school = IndexSpec("school", (("S1", 3), ("S2", 3), ("S3", 3), ("S4", 3)))
    answers: dict[str, int | str | None] = {
        "H1": 4,
        "H2": 3,
        "H3": DECLINED,
        "H4": 2,
        "S1": DONT_KNOW,
        "S2": None,
        "S3": 2,
    }
    assert score_indices([heard, school], answers) == {"heard": 75.0, "school": None}


def test_declined_is_never_zero() -> None:
    spec = IndexSpec("relations", (("R1", 3), ("R2", 3), ("R3", 3)))
    with_declined = score_indices([spec], {"R1": 2, "R2": 2, "R3": DECLINED})
    assert with_declined == {"relations": 100.0}
    with_zero = score_indices([spec], {"R1": 2, "R2": 2, "R3": 0})
    assert with_zero == {"relations": pytest.approx(200 / 3)}


@pytest.mark.parametrize("bad", [3, -1, True, 1.0, "yes", "0"])
def test_invalid_answers_raise(bad: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        numeric_answer(bad, 3)  # type: ignore[arg-type]


def test_item_score_validates() -> None:
    with pytest.raises(ValueError, match="outside"):
        ItemScore(5, 5)
    with pytest.raises(ValueError, match="k must be"):
        ItemScore(0, 1)
    with pytest.raises(ValueError, match="int or None"):
        ItemScore(DECLINED, 3)  # type: ignore[arg-type]


def test_index_spec_rejects_duplicates() -> None:
    with pytest.raises(ValueError, match="twice"):
        IndexSpec("x", (("A", 3), ("A", 3)))


def test_item_percent() -> None:
    assert item_percent(1, 3) == 50.0
    assert item_percent(3, 5) == 75.0
    assert item_percent(DECLINED, 5) is None


@given(
    st.lists(
        st.tuples(st.integers(2, 11), st.integers(0, 10), st.booleans()),
        min_size=0,
        max_size=8,
    )
)
def test_index_property_matches_formula(raw: list[tuple[int, int, bool]]) -> None:
    its = [ItemScore(score % k if answered else None, k) for k, score, answered in raw]
    answered = [(item.score, item.k) for item in its if item.score is not None]
    result = index_score(its)
    if len(answered) >= 2 and 2 * len(answered) >= len(its):
        assert result is not None
        expected = statistics.fmean(score / (k - 1) for score, k in answered) * 100
        assert result == pytest.approx(expected, abs=1e-9)
        assert 0.0 <= result <= 100.0
    else:
        assert result is None


# --------------------------------------------------------------------------- ladder


def test_ladder() -> None:
    assert ladder_score(0) == 0
    assert ladder_score(10) == 10
    assert ladder_score(DECLINED) is None
    assert ladder_score(None) is None
    with pytest.raises(ValueError, match="outside"):
        ladder_score(11)


# --------------------------------------------------------------------------- WHO-5 (§5, §6)


@pytest.mark.parametrize(
    ("scores", "raw", "pct", "band"),
    [
        ((5, 5, 5, 5, 5), 25, 100, None),
        ((3, 3, 3, 2, 2), 13, 52, None),
        ((3, 3, 2, 2, 2), 12, 48, "low"),
        ((2, 1, 1, 1, 2), 7, 28, "very_low"),
        ((0, 0, 0, 0, 0), 0, 0, "very_low"),
        ((2, 2, 2, 1, 1), 8, 32, "low"),
    ],
)
def test_who5_vectors(scores: tuple[int, ...], raw: int, pct: int, band: str | None) -> None:
    result = who5(scores)
    assert result == Who5Result(raw=raw, percentage=pct)
    assert result is not None
    assert result.band == band


@pytest.mark.parametrize("missing", [None, DECLINED, DONT_KNOW])
def test_who5_needs_all_five(missing: str | None) -> None:
    assert who5((5, 5, missing, 5, 5)) is None


def test_who5_validates() -> None:
    with pytest.raises(ValueError, match="5 items"):
        who5((5, 5, 5, 5))
    with pytest.raises(ValueError, match="outside"):
        who5((6, 5, 5, 5, 5))


def test_who5_band_wording_never_says_depression() -> None:
    bands = {Who5Result(raw=raw, percentage=raw * 4).band for raw in range(26)}
    assert bands == {"very_low", "low", None}
    assert not any("depress" in band for band in bands if band is not None)
    assert Who5Result.__doc__ is not None
    assert "never use the word" in Who5Result.__doc__


def test_who5_relevant_change() -> None:
    assert who5_relevant_change(48, 58)
    assert who5_relevant_change(58, 48)
    assert not who5_relevant_change(48, 56)


# --------------------------------------------------------------------------- flag items


@pytest.mark.parametrize(
    ("score", "k", "expected"),
    [(0, 3, False), (1, 3, False), (2, 3, True)]
    + [(0, 5, False), (1, 5, False), (2, 5, False), (3, 5, True), (4, 5, True)]
    + [(DECLINED, 3, None), (DONT_KNOW, 5, None), (None, 5, None)],
)
def test_flag_raised(score: int | str | None, k: int, expected: bool | None) -> None:
    assert flag_raised(score, k) is expected


def test_flag_rejects_other_scales() -> None:
    with pytest.raises(ValueError, match="k = 3 or k = 5"):
        flag_raised(1, 11)
    with pytest.raises(ValueError, match="outside"):
        flag_raised(3, 3)


# --------------------------------------------------------------------------- goals


def test_goal_change_and_reliability() -> None:
    assert goal_change(2, 5) == 3
    assert goal_reliably_improved(3)
    assert not goal_reliably_improved(2)
    assert goal_change(7, 4) == -3
    assert not goal_reliably_improved(-3)
    with pytest.raises(ValueError, match="goal rating"):
        goal_change(0, 11)


def test_goal_progress_series() -> None:
    progress = GoalProgress.from_answers([2, DECLINED, 4, None, 6])
    assert progress.ratings == (2, 4, 6)
    assert (progress.start, progress.latest, progress.change) == (2, 6, 4)
    assert progress.reliably_improved is True
    single = GoalProgress((5,))
    assert single.change is None
    assert single.reliably_improved is None
    assert GoalProgress(()).start is None
    with pytest.raises(ValueError, match="goal rating"):
        GoalProgress((12,))


# --------------------------------------------------------------------------- purity


@pytest.mark.parametrize(
    ("module", "allowed"),
    [("scoring.py", set()), ("outcomes.py", {"numpy", "scipy"})],
)
def test_modules_are_pure(module: str, allowed: set[str]) -> None:
    path = Path(__file__).resolve().parents[2] / "kidsvoice" / module
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    stdlib = {"__future__", "collections", "dataclasses", "fractions", "typing", "math",
              "statistics"}  # fmt: skip
    assert roots - stdlib <= allowed
