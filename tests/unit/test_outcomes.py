"""Tests for kidsvoice.outcomes — vectors from INSTRUMENT.md §7 plus independent checks."""

from __future__ import annotations

import itertools
import json
import math
import statistics
from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kidsvoice.outcomes import (
    MIN_GROUP,
    GoalSummary,
    IndexSummary,
    Pair,
    ReliabilityParams,
    classify,
    cronbach_alpha,
    hedges_j_average,
    hedges_j_paired,
    pair_scores,
    pooled_params,
    rci,
    reliability_for,
    summarise,
    summarise_goals,
    wilcoxon_signed_rank,
)

INDEX_KEYS = [
    "n", "suppressed", "mean_pre", "mean_post", "mean_change", "sd_change", "ci95",
    "d_z", "g_z", "d_av", "g_av", "wilcoxon_statistic", "wilcoxon_p",
    "wilcoxon_method", "reliably_improved", "reliably_deteriorated",
]  # fmt: skip

# Lakens (2013), movie ratings; Lakens defines change = pre − post.
LAKENS_PRE = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
LAKENS_POST = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
SCIPY_DIFFS = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]


def make_pairs(pre: Sequence[float], post: Sequence[float]) -> list[Pair]:
    return [
        Pair(f"c{i:03d}", float(a), float(b))
        for i, (a, b) in enumerate(zip(pre, post, strict=True))
    ]


def exact_signed_rank_p(differences: Sequence[float]) -> tuple[float, float]:
    """(min rank sum, two-sided p) by enumerating all 2^n sign patterns, midranks for ties."""
    nonzero = [d for d in differences if d != 0]
    magnitudes = sorted(abs(d) for d in nonzero)
    rank = {m: Fraction(sum(i + 1 for i, x in enumerate(magnitudes) if x == m),
                        magnitudes.count(m)) for m in magnitudes}  # fmt: skip
    ranks = [rank[abs(d)] for d in nonzero]
    total = sum(ranks)
    w_plus = sum(r for r, d in zip(ranks, nonzero, strict=True) if d > 0)
    observed = min(w_plus, total - w_plus)
    extreme = 0
    for signs in itertools.product((0, 1), repeat=len(ranks)):
        w = sum(r for r, s in zip(ranks, signs, strict=True) if s)
        if min(w, total - w) <= observed:
            extreme += 1
    return float(observed), extreme / 2 ** len(ranks)


def normal_approx_p(differences: Sequence[float]) -> float:
    """Two-sided normal approximation with tie correction, no continuity correction."""
    nonzero = [d for d in differences if d != 0]
    n = len(nonzero)
    magnitudes = sorted(abs(d) for d in nonzero)
    ranks = {m: statistics.fmean(i + 1 for i, x in enumerate(magnitudes) if x == m)
             for m in magnitudes}  # fmt: skip
    w_plus = sum(ranks[abs(d)] for d in nonzero if d > 0)
    ties = [magnitudes.count(m) for m in set(magnitudes)]
    var = n * (n + 1) * (2 * n + 1) / 24 - sum(t**3 - t for t in ties) / 48
    z = (w_plus - n * (n + 1) / 4) / math.sqrt(var)
    return math.erfc(abs(z) / math.sqrt(2))


# --------------------------------------------------------------------------- pairing


def test_pair_scores_drops_missing_and_variant_mismatch() -> None:
    baseline = {
        "a": ("6-9", 50.0),
        "b": ("6-9", None),
        "c": ("6-9", 40.0),
        "d": ("10-16", 30.0),
        "e": ("10-16", 20.0),
    }
    follow_up = {
        "a": ("6-9", 60.0),
        "b": ("6-9", 70.0),
        "c": ("10-16", 50.0),  # aged into 10–16: variant mismatch, not a pair
        "d": ("10-16", 35.0),
        "f": ("10-16", 90.0),
    }
    assert pair_scores(baseline, follow_up) == [Pair("a", 50.0, 60.0), Pair("d", 30.0, 35.0)]
    assert pair_scores({"e": ("10-16", 20.0)}, {"e": ("10-16", None)}) == []


def test_pair_change_is_post_minus_pre() -> None:
    assert Pair("x", 20.0, 14.0).change == -6.0
    with pytest.raises(ValueError, match="non-finite"):
        Pair("x", math.nan, 1.0)


# --------------------------------------------------------------------------- reliable change


def test_rci_worked_example() -> None:
    params = ReliabilityParams(s1=7.6, r=0.95)
    assert params.source == "configured"
    assert params.se == pytest.approx(7.6 * math.sqrt(0.05), abs=1e-12)
    assert params.se == pytest.approx(1.6994, abs=5e-5)
    assert params.sdiff == pytest.approx(math.sqrt(2) * 7.6 * math.sqrt(0.05), abs=1e-12)
    assert params.sdiff == pytest.approx(2.4033, abs=5e-5)
    assert round(params.min_reliable_change, 2) == 4.71
    rc = rci(14 - 20, params)
    assert round(rc, 2) == -2.50
    assert classify(rc) == "deteriorated"
    assert classify(rci(4.70, params)) == "no_reliable_change"
    assert classify(rci(4.72, params)) == "improved"


def test_classify_threshold_is_strict() -> None:
    assert classify(1.96) == "no_reliable_change"
    assert classify(-1.96) == "no_reliable_change"
    assert classify(1.9600001) == "improved"
    assert classify(-1.9600001) == "deteriorated"


@pytest.mark.parametrize(
    ("s1", "r"), [(0.0, 0.5), (-1.0, 0.5), (5.0, 1.0), (5.0, -0.1), (math.nan, 0.5)]
)
def test_reliability_params_validate(s1: float, r: float) -> None:
    with pytest.raises(ValueError, match=r"."):
        ReliabilityParams(s1=s1, r=r)


# Hand-computed: items var 5/3, 4.75/3, 5/3 (Σ 14.75/3); totals 5, 8, 10, 14 var 42.75/3;
# α = 3/2 · (1 − 14.75/42.75) = 56/57.
ALPHA_MATRIX = [[1.0, 2.0, 2.0], [2.0, 3.0, 3.0], [3.0, 3.0, 4.0], [4.0, 5.0, 5.0]]


def test_cronbach_alpha_hand_example() -> None:
    assert cronbach_alpha(ALPHA_MATRIX) == pytest.approx(56 / 57, abs=1e-12)
    # listwise deletion of incomplete rows
    assert cronbach_alpha([*ALPHA_MATRIX, [1.0, None, 5.0]]) == pytest.approx(56 / 57, abs=1e-12)


def test_cronbach_alpha_undefined() -> None:
    assert cronbach_alpha([[1.0, 2.0]]) is None  # one respondent
    assert cronbach_alpha([[1.0], [2.0], [3.0]]) is None  # one item
    assert cronbach_alpha([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]) is None  # no variance
    assert cronbach_alpha([]) is None


def test_pooled_params_needs_30_complete_baselines() -> None:
    rows_32 = ALPHA_MATRIX * 8
    params = pooled_params(rows_32)
    assert params is not None
    assert params.source == "pooled"
    assert params.r == pytest.approx(56 / 57, abs=1e-12)  # replication keeps α
    assert params.s1 == pytest.approx(statistics.stdev(statistics.fmean(r) for r in rows_32))
    assert pooled_params(rows_32[:29]) is None
    assert pooled_params([*rows_32[:29], [1.0, None, 2.0]]) is None
    assert pooled_params(rows_32[:30]) is not None


def test_reliability_for_prefers_configured_then_pooled() -> None:
    configured = ReliabilityParams(s1=7.6, r=0.95)
    assert reliability_for(configured, ALPHA_MATRIX * 8) is configured
    pooled = reliability_for(None, ALPHA_MATRIX * 8)
    assert pooled is not None
    assert pooled.source == "pooled"
    assert reliability_for(None, ALPHA_MATRIX) is None  # too few answers to judge


def test_summary_counts_reliable_change() -> None:
    changes = [5.0, 10.0, -5.0, 4.7, -4.7, 0.0]
    pairs = make_pairs([50.0] * 6, [50.0 + c for c in changes])
    summary = summarise(pairs, ReliabilityParams(s1=7.6, r=0.95))
    assert (summary.reliably_improved, summary.reliably_deteriorated) == (2, 1)
    assert summary.share_reliably_improved == pytest.approx(2 / 6)
    assert summary.share_reliably_deteriorated == pytest.approx(1 / 6)
    assert summary.reliability_source == "configured"
    unjudged = summarise(pairs, None)
    assert unjudged.reliably_improved is None
    assert unjudged.reliably_deteriorated is None
    assert unjudged.share_reliably_improved is None


# --------------------------------------------------------------------------- Lakens (2013)


def test_lakens_vector_in_lakens_orientation() -> None:
    # Our change is post − pre; Lakens' is pre − post, so pass his post as our pre.
    summary = summarise(make_pairs(LAKENS_POST, LAKENS_PRE), None)
    assert summary.n == 10
    assert summary.mean_change == pytest.approx(1.0, abs=1e-12)
    assert summary.sd_change is not None
    assert summary.sd_change == pytest.approx(2 / 3, abs=1e-12)
    assert round(summary.sd_change, 4) == 0.6667
    assert summary.d_z == pytest.approx(1.5, abs=1e-12)
    assert summary.d_av is not None
    assert summary.g_av is not None
    assert round(summary.d_av, 4) == 1.1287
    assert round(summary.g_av, 4) == 1.0810
    assert summary.mean_pre == pytest.approx(7.7, abs=1e-12)
    assert summary.mean_post == pytest.approx(8.7, abs=1e-12)
    # Wilcoxon: 2 zeros dropped, n = 8, all differences the same sign → statistic 0.
    assert summary.wilcoxon_statistic == 0.0
    # |differences| tie (six 1s, two 2s), so §7 requires the tie-corrected normal approximation.
    assert summary.wilcoxon_method == "approx"
    diffs = [a - b for a, b in zip(LAKENS_PRE, LAKENS_POST, strict=True)]
    assert summary.wilcoxon_p == pytest.approx(normal_approx_p(diffs), abs=1e-12)
    assert summary.wilcoxon_p == pytest.approx(math.erfc(18 / math.sqrt(46.5) / math.sqrt(2)))


def test_lakens_vector_in_our_orientation_has_negative_signs() -> None:
    summary = summarise(make_pairs(LAKENS_PRE, LAKENS_POST), None)
    assert summary.mean_change == pytest.approx(-1.0, abs=1e-12)
    assert summary.sd_change == pytest.approx(2 / 3, abs=1e-12)
    assert summary.d_z == pytest.approx(-1.5, abs=1e-12)
    assert summary.g_z == pytest.approx(-1.5 * (1 - 3 / 35), abs=1e-12)
    assert summary.d_av is not None
    assert summary.g_av is not None
    assert round(summary.d_av, 4) == -1.1287
    assert round(summary.g_av, 4) == -1.0810
    assert summary.wilcoxon_statistic == 0.0


def test_lakens_r_and_t_transcription() -> None:
    assert round(statistics.correlation(LAKENS_PRE, LAKENS_POST), 4) == 0.7255
    t = stats.ttest_rel(LAKENS_PRE, LAKENS_POST)
    assert round(float(t.statistic), 4) == 4.7434
    assert t.df == 9


def test_lakens_wilcoxon_exact_p_vector() -> None:
    diffs = [a - b for a, b in zip(LAKENS_PRE, LAKENS_POST, strict=True)]
    forced = wilcoxon_signed_rank(diffs, method="exact")
    assert forced is not None
    assert (forced.statistic, forced.n, forced.method) == (0.0, 8, "exact")
    assert forced.p == 0.0078125
    # all 2^8 sign patterns with midranks: only the two one-signed patterns are as extreme
    assert exact_signed_rank_p(diffs) == (0.0, 0.0078125)
    chosen = wilcoxon_signed_rank(diffs)
    assert chosen is not None
    assert chosen.method == "approx"


def test_lakens_ci_against_t_distribution() -> None:
    summary = summarise(make_pairs(LAKENS_POST, LAKENS_PRE), None)
    assert summary.ci95 is not None
    ref = stats.ttest_rel(LAKENS_PRE, LAKENS_POST).confidence_interval(0.95)
    assert summary.ci95[0] == pytest.approx(float(ref.low), abs=1e-9)
    assert summary.ci95[1] == pytest.approx(float(ref.high), abs=1e-9)
    half = 2.2621571627409915 * (2 / 3) / math.sqrt(10)  # t(0.975, 9)
    assert summary.ci95 == pytest.approx((1 - half, 1 + half), abs=1e-9)


# ------------------------------------------------------------------ scipy's Wilcoxon example


def test_scipy_wilcoxon_example() -> None:
    result = wilcoxon_signed_rank([float(d) for d in SCIPY_DIFFS])
    assert result is not None
    assert result.method == "exact"
    assert result.statistic == 24.0
    assert result.p == 0.041259765625
    assert result.n == 15
    assert exact_signed_rank_p(SCIPY_DIFFS) == (24.0, 0.041259765625)


def test_scipy_example_through_summary_and_sign_flip() -> None:
    pre = [100.0] * len(SCIPY_DIFFS)
    up = summarise(make_pairs(pre, [100.0 + d for d in SCIPY_DIFFS]), None)
    down = summarise(make_pairs(pre, [100.0 - d for d in SCIPY_DIFFS]), None)
    for summary in (up, down):
        assert summary.wilcoxon_statistic == 24.0
        assert summary.wilcoxon_p == 0.041259765625
        assert summary.wilcoxon_method == "exact"
    assert up.mean_change == pytest.approx(statistics.fmean(SCIPY_DIFFS), abs=1e-9)
    assert down.mean_change == pytest.approx(-statistics.fmean(SCIPY_DIFFS), abs=1e-9)


def test_tied_case_uses_normal_approximation() -> None:
    diffs = [1.0, 2.0, 2.0, 3.0, 4.0, -1.0, 5.0, 0.0]
    result = wilcoxon_signed_rank(diffs)
    assert result is not None
    assert result.method == "approx"
    assert result.n == 7
    assert result.p == pytest.approx(normal_approx_p(diffs), abs=1e-12)
    scipy_approx = stats.wilcoxon(
        diffs, zero_method="wilcox", correction=False, method="asymptotic"
    )
    assert result.statistic == float(scipy_approx.statistic)


def test_more_than_25_nonzero_differences_use_approximation() -> None:
    diffs = [float(i) * (-1) ** i for i in range(1, 27)]
    result = wilcoxon_signed_rank(diffs)
    assert result is not None
    assert result.method == "approx"
    assert result.p == pytest.approx(normal_approx_p(diffs), abs=1e-12)
    assert wilcoxon_signed_rank(diffs[:25]).method == "exact"  # type: ignore[union-attr]


def test_float_noise_neither_breaks_ties_nor_makes_zeros() -> None:
    # 2/3·100 − 1/3·100 and 1/3·100 − 0 are mathematically equal
    diffs = [200 / 3 - 100 / 3, 100 / 3, 25.0, 50.0, 1e-13]
    result = wilcoxon_signed_rank(diffs)
    assert result is not None
    assert result.n == 4
    assert result.method == "approx"


def test_all_differences_zero() -> None:
    summary = summarise(make_pairs([40.0, 50, 60, 70, 80], [40.0, 50, 60, 70, 80]), None)
    assert summary.mean_change == 0.0
    assert summary.sd_change == 0.0
    assert summary.ci95 == (0.0, 0.0)
    assert (summary.d_z, summary.g_z) == (None, None)
    assert summary.d_av == 0.0
    assert (summary.wilcoxon_statistic, summary.wilcoxon_p, summary.wilcoxon_method) == (
        None,
        None,
        None,
    )
    assert wilcoxon_signed_rank([0.0, 0.0]) is None
    assert wilcoxon_signed_rank([]) is None


def test_constant_change_and_constant_scores() -> None:
    summary = summarise(make_pairs([50.0] * 6, [60.0] * 6), ReliabilityParams(7.6, 0.95))
    assert summary.mean_change == 10.0
    assert summary.sd_change == 0.0
    assert (summary.d_z, summary.g_z, summary.d_av, summary.g_av) == (None, None, None, None)
    assert summary.ci95 == (10.0, 10.0)
    assert summary.wilcoxon_method == "approx"  # six tied |differences|
    assert summary.reliably_improved == 6
    json.dumps(summary.as_dict(), allow_nan=False)


# --------------------------------------------------------------------------- independent checks


def test_summary_against_hand_formulas() -> None:
    pre = [50.0, 62.5, 75.0, 25.0, 100 / 3, 80.0, 45.0]
    post = [75.0, 62.5, 70.0, 60.0, 200 / 3, 95.0, 42.0]
    summary = summarise(make_pairs(pre, post), None)
    n = len(pre)
    diffs = [b - a for a, b in zip(pre, post, strict=True)]
    mean = statistics.fmean(diffs)
    sd = statistics.stdev(diffs)
    sd_pre, sd_post = statistics.stdev(pre), statistics.stdev(post)
    t975 = float(stats.t.ppf(0.975, n - 1))
    assert summary.n == n
    assert summary.mean_pre == pytest.approx(statistics.fmean(pre), abs=1e-9)
    assert summary.mean_post == pytest.approx(statistics.fmean(post), abs=1e-9)
    assert summary.mean_change == pytest.approx(mean, abs=1e-9)
    assert summary.sd_change == pytest.approx(sd, abs=1e-9)
    assert summary.ci95 == pytest.approx(
        (mean - t975 * sd / math.sqrt(n), mean + t975 * sd / math.sqrt(n)), abs=1e-9
    )
    d_z = mean / sd
    d_av = mean / ((sd_pre + sd_post) / 2)
    assert summary.d_z == pytest.approx(d_z, abs=1e-9)
    assert summary.g_z == pytest.approx(d_z * (1 - 3 / (4 * (n - 1) - 1)), abs=1e-9)
    assert summary.d_av == pytest.approx(d_av, abs=1e-9)
    assert summary.g_av == pytest.approx(d_av * (1 - 3 / (8 * n - 9)), abs=1e-9)
    # one zero dropped, no ties → exact
    assert summary.wilcoxon_method == "exact"
    statistic, p = exact_signed_rank_p(diffs)
    assert summary.wilcoxon_statistic == statistic
    assert summary.wilcoxon_p == pytest.approx(p, abs=1e-12)


def test_hedges_corrections() -> None:
    assert hedges_j_paired(10) == pytest.approx(32 / 35, abs=1e-15)
    assert hedges_j_average(10) == pytest.approx(68 / 71, abs=1e-15)


# --------------------------------------------------------------------------- suppression, dicts


def test_suppressed_below_five() -> None:
    summary = summarise(make_pairs([1.0] * 4, [2.0] * 4), ReliabilityParams(7.6, 0.95))
    assert summary.suppressed
    expected = {key: (True if key == "suppressed" else None) for key in INDEX_KEYS}
    assert summary.as_dict() == expected
    assert summary.share_reliably_improved is None
    assert MIN_GROUP == 5


def test_as_dict_keys_and_json() -> None:
    data = summarise(make_pairs(LAKENS_POST, LAKENS_PRE), ReliabilityParams(7.6, 0.95)).as_dict()
    assert list(data) == INDEX_KEYS
    assert isinstance(data["ci95"], list)
    assert len(data["ci95"]) == 2
    json.dumps(data, allow_nan=False)


def test_duplicate_child_rejected() -> None:
    with pytest.raises(ValueError, match="twice"):
        summarise([Pair("a", 1.0, 2.0)] * 5, None)


# --------------------------------------------------------------------------- goals


def test_goal_summary() -> None:
    summary = summarise_goals([3, 0, 5, -1, 2])
    assert summary == GoalSummary(n=5, suppressed=False, median_change=2.0, share_improved_3=0.4)
    assert summary.as_dict() == {
        "n": 5,
        "suppressed": False,
        "median_change": 2.0,
        "share_improved_3": 0.4,
    }
    assert summarise_goals([1, 2, 3, 4, 5, 6]).median_change == 3.5
    assert summarise_goals([3, 3, 3, 3]).as_dict() == {
        "n": None,
        "suppressed": True,
        "median_change": None,
        "share_improved_3": None,
    }
    with pytest.raises(ValueError, match="goal change"):
        summarise_goals([11, 0, 0, 0, 0])


# --------------------------------------------------------------------------- properties

score = st.one_of(
    st.integers(0, 100).map(float),
    st.floats(0, 100, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 100 / 3, 200 / 3, 25.0, 50.0, 75.0, 100.0]),
)
pair_lists = st.lists(st.tuples(score, score), min_size=0, max_size=40)
reliabilities = st.one_of(
    st.none(),
    st.builds(
        ReliabilityParams,
        s1=st.floats(0.5, 40, allow_nan=False),
        r=st.floats(0, 0.99, allow_nan=False),
    ),
)


def to_pairs(raw: list[tuple[float, float]]) -> list[Pair]:
    return [Pair(f"c{i:03d}", pre, post) for i, (pre, post) in enumerate(raw)]


def is_sane(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_sane(item) for item in value)
    return value is None or isinstance(value, (int, str, bool))


@settings(deadline=None)
@given(st.lists(st.tuples(score, score), max_size=MIN_GROUP - 1), reliabilities)
def test_property_suppressed_below_five(
    raw: list[tuple[float, float]], rel: ReliabilityParams | None
) -> None:
    summary = summarise(to_pairs(raw), rel)
    assert summary.suppressed
    assert all(v is None for k, v in summary.as_dict().items() if k != "suppressed")


@settings(deadline=None)
@given(pair_lists, reliabilities)
def test_property_no_nan_and_ci_contains_mean(
    raw: list[tuple[float, float]], rel: ReliabilityParams | None
) -> None:
    summary = summarise(to_pairs(raw), rel)
    data = summary.as_dict()
    assert list(data) == INDEX_KEYS
    assert all(is_sane(v) for v in data.values())
    json.dumps(data, allow_nan=False)
    assert summary.suppressed is (len(raw) < MIN_GROUP)
    if not summary.suppressed:
        assert summary.ci95 is not None
        assert summary.mean_change is not None
        assert summary.ci95[0] <= summary.mean_change <= summary.ci95[1]


@settings(deadline=None)
@given(st.lists(st.tuples(score, score), min_size=MIN_GROUP, max_size=40))
def test_property_swap_negates(raw: list[tuple[float, float]]) -> None:
    forward = summarise(to_pairs(raw), None)
    backward = summarise(to_pairs([(b, a) for a, b in raw]), None)
    assert backward.n == forward.n
    assert forward.mean_change is not None
    assert backward.mean_change == pytest.approx(-forward.mean_change, abs=1e-12)
    assert backward.sd_change == pytest.approx(forward.sd_change, abs=1e-12)
    for name in ("d_z", "d_av", "g_z", "g_av"):
        f, b = getattr(forward, name), getattr(backward, name)
        assert (f is None) == (b is None)
        if f is not None:
            assert b == pytest.approx(-f, rel=1e-12, abs=1e-12)
    assert backward.wilcoxon_method == forward.wilcoxon_method
    assert backward.wilcoxon_statistic == forward.wilcoxon_statistic
    if forward.wilcoxon_p is None:
        assert backward.wilcoxon_p is None
    else:
        assert backward.wilcoxon_p == pytest.approx(forward.wilcoxon_p, abs=1e-12)


@settings(deadline=None)
@given(
    st.lists(st.tuples(score, score), min_size=MIN_GROUP, max_size=40),
    st.floats(-50, 50, allow_nan=False),
)
def test_property_shift_post_by_constant(raw: list[tuple[float, float]], c: float) -> None:
    before = summarise(to_pairs(raw), None)
    after = summarise(to_pairs([(a, b + c) for a, b in raw]), None)
    assert before.mean_change is not None
    assert after.mean_change is not None
    assert after.mean_change == pytest.approx(before.mean_change + c, abs=1e-9)
    assert after.sd_change == pytest.approx(before.sd_change, abs=1e-9)
    if after.d_z is not None:
        assert (after.d_z > 0) == (after.mean_change > 0)
        assert (after.d_z < 0) == (after.mean_change < 0)


@given(st.lists(st.integers(-10, 10), max_size=30))
def test_property_goal_summary(changes: list[int]) -> None:
    summary = summarise_goals(changes)
    data = summary.as_dict()
    assert list(data) == ["n", "suppressed", "median_change", "share_improved_3"]
    if len(changes) < MIN_GROUP:
        assert data == {"n": None, "suppressed": True, "median_change": None,
                        "share_improved_3": None}  # fmt: skip
    else:
        assert data["median_change"] == statistics.median(changes)
        assert data["share_improved_3"] == sum(c >= 3 for c in changes) / len(changes)


def test_index_summary_type_is_frozen() -> None:
    summary = IndexSummary(n=None, suppressed=True)
    with pytest.raises(AttributeError):
        summary.n = 5  # type: ignore[misc]
