"""Change and programme outcomes (INSTRUMENT.md §7).

Pure module (numpy + scipy.stats; no Flask, no SQLAlchemy). Every result is
JSON-friendly: plain ``float``/``int``/``bool``/``str``, and ``None`` where a
figure is undefined or suppressed — never NaN or infinity.

Variants chosen (see the individual docstrings):

* change = follow-up − baseline (post − pre), so positive = improvement for
  every index (higher is better, §5);
* Reliable Change Index: Jacobson & Truax (1991), SE = s1·√(1 − r),
  Sdiff = √2·SE, RC = change / Sdiff, reliable when |RC| > 1.96; s1 and r are
  configured or, from ≥ 30 complete baselines, the pooled baseline SD of the
  index and Cronbach's α (ddof = 1);
* effect sizes as Lakens (2013): d_z, g_z with J = 1 − 3/(4(n − 1) − 1),
  d_av, and g_av with J = 1 − 3/(4·2n − 9) (Hedges' correction with
  df = n1 + n2 − 2 = 2n − 2; this reproduces Lakens' g_av = 1.0810);
* Wilcoxon signed-rank: zeros dropped ("wilcox"); exact when ≤ 25 non-zero
  differences and no ties among |differences|, else the normal approximation
  with tie correction and *no* continuity correction; the statistic is the
  smaller of the two rank sums (scipy's two-sided convention);
* suppression: fewer than ``MIN_GROUP`` (5) pairs → every figure, n included,
  is None and ``suppressed`` is True; the UI says only "fewer than 5".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final, Literal

import numpy as np
from scipy import stats

MIN_GROUP: Final = 5
"""§7: any group smaller than 5 children shows no figures anywhere."""

MIN_POOLED_BASELINES: Final = 30
"""§7: pooled s1 and α are used once a programme has ≥ 30 (complete) baselines."""

RC_CRITICAL: Final = 1.96
WILCOXON_EXACT_MAX_N: Final = 25
GOAL_RELIABLE_CHANGE: Final = 3

_NOISE: Final = 1e-9
"""Scores are on 0–100 (or 0–10) scales; values agreeing to 1e-9 are equal.

Used so that floating-point noise (e.g. 66.666…67 − 33.333…33 vs 33.333…33)
neither creates a spurious non-zero SD nor breaks ties in the Wilcoxon ranks.
"""
_ROUND_DECIMALS: Final = 9

ReliabilitySource = Literal["configured", "pooled"]
ChangeClass = Literal["improved", "deteriorated", "no_reliable_change"]
WilcoxonMethod = Literal["exact", "approx"]


def _finite(value: float) -> float | None:
    """``float(value)``, or None when it is NaN/±inf (results never carry NaN)."""
    number = float(value)
    return number if math.isfinite(number) else None


# --------------------------------------------------------------------------- pairs


@dataclass(frozen=True, slots=True)
class Pair:
    """One child's baseline (pre) and follow-up (post) score on one index."""

    child: str
    pre: float
    post: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.pre) and math.isfinite(self.post)):
            raise ValueError(f"pair for {self.child!r} has a non-finite score")

    @property
    def change(self) -> float:
        """follow-up − baseline (§7)."""
        return self.post - self.pre


def pair_scores(
    baseline: Mapping[str, tuple[str, float | None]],
    follow_up: Mapping[str, tuple[str, float | None]],
) -> list[Pair]:
    """Pair children's scores: child → (age variant, score or None) per round.

    A child counts only with a score in both rounds **in the same age variant**
    (§2, §7); None scores ("not enough answers") and variant mismatches are
    dropped. Sorted by child key, so the result is deterministic.
    """
    pairs: list[Pair] = []
    for child in sorted(baseline.keys() & follow_up.keys()):
        pre_variant, pre = baseline[child]
        post_variant, post = follow_up[child]
        if pre is None or post is None or pre_variant != post_variant:
            continue
        pairs.append(Pair(child=child, pre=float(pre), post=float(post)))
    return pairs


# --------------------------------------------------------------------------- reliable change


@dataclass(frozen=True, slots=True)
class ReliabilityParams:
    """s1 (baseline SD on the index's 0–100 scale) and reliability r, with their source.

    ``source`` is "configured" (per index and questionnaire version) or
    "pooled" (baseline SD and Cronbach's α of ≥ 30 complete baselines).
    """

    s1: float
    r: float
    source: ReliabilitySource = "configured"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.s1) and self.s1 > 0):
            raise ValueError(f"s1 must be a positive number, got {self.s1!r}")
        if not (math.isfinite(self.r) and 0 <= self.r < 1):
            raise ValueError(f"r must be in [0, 1), got {self.r!r}")
        if self.source not in ("configured", "pooled"):
            raise ValueError(f"unknown reliability source {self.source!r}")

    @property
    def se(self) -> float:
        """Standard error of measurement, s1·√(1 − r)."""
        return self.s1 * math.sqrt(1 - self.r)

    @property
    def sdiff(self) -> float:
        """Standard error of the difference, √2·SE."""
        return math.sqrt(2) * self.se

    @property
    def min_reliable_change(self) -> float:
        """Smallest |change| that is reliable: 1.96·Sdiff."""
        return RC_CRITICAL * self.sdiff


def rci(change: float, params: ReliabilityParams) -> float:
    """Reliable Change Index RC = change / Sdiff (Jacobson & Truax 1991, §7)."""
    return change / params.sdiff


def classify(rc: float) -> ChangeClass:
    """|RC| > 1.96 → "improved" (RC > 0) or "deteriorated"; else "no_reliable_change"."""
    if rc > RC_CRITICAL:
        return "improved"
    if rc < -RC_CRITICAL:
        return "deteriorated"
    return "no_reliable_change"


def _complete_rows(matrix: Sequence[Sequence[float | None]]) -> np.ndarray | None:
    rows = [row for row in matrix if None not in row]
    if not rows:
        return None
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        raise ValueError("every row of the item matrix must have the same items")
    return np.asarray(rows, dtype=float)


def cronbach_alpha(matrix: Sequence[Sequence[float | None]]) -> float | None:
    """Cronbach's α = (k/(k−1))·(1 − Σσ²_i / σ²_total), variances with ddof = 1.

    Rows are respondents, columns items; rows with a missing item are dropped
    (listwise). None when fewer than 2 items or 2 rows, or the total has no
    variance.
    """
    return _alpha(_complete_rows(matrix))


def _alpha(data: np.ndarray | None) -> float | None:
    """Cronbach's α of complete rows (see :func:`cronbach_alpha`)."""
    if data is None or data.shape[0] < 2 or data.shape[1] < 2:
        return None
    k = data.shape[1]
    item_var = float(np.var(data, axis=0, ddof=1).sum())
    total_var = float(np.var(data.sum(axis=1), ddof=1))
    if total_var <= _NOISE:
        return None
    return _finite((k / (k - 1)) * (1 - item_var / total_var))


def pooled_params(
    baseline_item_matrix: Sequence[Sequence[float | None]],
) -> ReliabilityParams | None:
    """Pooled s1 and r from baseline item scores (§7), or None.

    ``baseline_item_matrix`` has one row per child's baseline and one column per
    index item, each on the 0–100 index scale (``scoring.item_percent``:
    score/(k−1)·100), so the row mean *is* the index and α is the reliability of
    the index even when items have different k. Only complete rows are used
    (listwise deletion). s1 = SD (ddof = 1) of the row means, r = Cronbach's α.

    None with fewer than 30 complete rows ("too few answers to judge reliable
    change"), and also when α is undefined or outside (0, 1) or s1 is 0 — such
    data cannot support a Reliable Change Index.
    """
    data = _complete_rows(baseline_item_matrix)
    if data is None or data.shape[0] < MIN_POOLED_BASELINES or data.shape[1] < 2:
        return None
    alpha = _alpha(data)
    s1 = float(np.std(data.mean(axis=1), ddof=1))
    if alpha is None or not 0 < alpha < 1 or not s1 > _NOISE:
        return None
    return ReliabilityParams(s1=s1, r=alpha, source="pooled")


def reliability_for(
    configured: ReliabilityParams | None,
    baseline_item_matrix: Sequence[Sequence[float | None]],
) -> ReliabilityParams | None:
    """Configured parameters win; else pooled (≥ 30 baselines); else None.

    None means "too few answers to judge reliable change" (§7).
    """
    if configured is not None:
        return configured
    return pooled_params(baseline_item_matrix)


# --------------------------------------------------------------------------- Wilcoxon


@dataclass(frozen=True, slots=True)
class WilcoxonResult:
    """Signed-rank test on paired differences (zeros dropped)."""

    statistic: float
    """min(W+, W−), the smaller rank sum (scipy's two-sided convention)."""
    p: float
    method: WilcoxonMethod
    n: int
    """Number of non-zero differences used."""


def wilcoxon_signed_rank(
    differences: Sequence[float], method: WilcoxonMethod | None = None
) -> WilcoxonResult | None:
    """Two-sided Wilcoxon signed-rank test (§7) via ``scipy.stats.wilcoxon``.

    Differences are rounded to 9 decimals (float noise on a 0–100 scale) and
    zeros are dropped (``zero_method="wilcox"``). With ``method=None`` the
    rule of §7 applies: "exact" when at most 25 non-zero differences remain and
    no two |differences| tie, else "approx" — the normal approximation with tie
    correction and no continuity correction (scipy ``method="asymptotic"``,
    ``correction=False``). Forcing ``method="exact"`` with ties gives scipy's
    no-ties null distribution (not exact with ties; for tests only).

    Returns None when every difference is zero (no test possible).
    """
    rounded = np.round(np.asarray(differences, dtype=float), _ROUND_DECIMALS)
    if not np.all(np.isfinite(rounded)):
        raise ValueError("differences must be finite")
    nonzero = rounded[rounded != 0]
    n = int(nonzero.size)
    if n == 0:
        return None
    if method is None:
        has_ties = np.unique(np.abs(nonzero)).size < n
        method = "exact" if n <= WILCOXON_EXACT_MAX_N and not has_ties else "approx"
    result = stats.wilcoxon(
        nonzero,
        zero_method="wilcox",
        correction=False,
        alternative="two-sided",
        method="exact" if method == "exact" else "asymptotic",
    )
    statistic = _finite(result.statistic)
    p = _finite(result.pvalue)
    if statistic is None or p is None:
        return None
    return WilcoxonResult(statistic=statistic, p=p, method=method, n=n)


# --------------------------------------------------------------------------- summaries


def _mean(values: np.ndarray) -> float:
    return math.fsum(values.tolist()) / values.size


def _sd(values: np.ndarray) -> float:
    """Sample SD (ddof = 1); exactly 0.0 when all values agree to 1e-9."""
    if float(values.max() - values.min()) <= _NOISE:
        return 0.0
    return float(np.std(values, ddof=1))


def _as_json(value: Any) -> Any:
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, tuple):
        return [_as_json(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """Per programme and index outcome figures (§7). All None when suppressed.

    ``reliably_improved`` / ``reliably_deteriorated`` are counts (None without
    reliability parameters); the shares are the properties ``share_…``.
    ``reliability_source`` records which RCI variant was used (not exported).
    """

    n: int | None
    suppressed: bool
    mean_pre: float | None = None
    mean_post: float | None = None
    mean_change: float | None = None
    sd_change: float | None = None
    ci95: tuple[float, float] | None = None
    d_z: float | None = None
    g_z: float | None = None
    d_av: float | None = None
    g_av: float | None = None
    wilcoxon_statistic: float | None = None
    wilcoxon_p: float | None = None
    wilcoxon_method: WilcoxonMethod | None = None
    reliably_improved: int | None = None
    reliably_deteriorated: int | None = None
    reliability_source: ReliabilitySource | None = None

    _EXPORTED = (
        "n", "suppressed", "mean_pre", "mean_post", "mean_change", "sd_change", "ci95",
        "d_z", "g_z", "d_av", "g_av", "wilcoxon_statistic", "wilcoxon_p",
        "wilcoxon_method", "reliably_improved", "reliably_deteriorated",
    )  # fmt: skip

    @property
    def share_reliably_improved(self) -> float | None:
        return _share(self.reliably_improved, self.n)

    @property
    def share_reliably_deteriorated(self) -> float | None:
        return _share(self.reliably_deteriorated, self.n)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly dict with exactly the §7 keys (ci95 as [lo, hi] or None)."""
        return {name: _as_json(getattr(self, name)) for name in self._EXPORTED}


def _share(count: int | None, n: int | None) -> float | None:
    if count is None or not n:
        return None
    return count / n


def hedges_j_paired(n: int) -> float:
    """g_z correction J = 1 − 3/(4(n − 1) − 1), df = n − 1 (§7)."""
    return 1 - 3 / (4 * (n - 1) - 1)


def hedges_j_average(n: int) -> float:
    """g_av correction J = 1 − 3/(4·2n − 9) as Lakens (2013): df = n1 + n2 − 2 = 2n − 2."""
    return 1 - 3 / (4 * 2 * n - 9)


def summarise(pairs: Sequence[Pair], reliability: ReliabilityParams | None) -> IndexSummary:
    """Summarise one index for one programme from its pairs (§7).

    Undefined figures become None, never NaN and never an exception; only a
    caller bug (the same child twice) raises ValueError.

    Fewer than 5 pairs → suppressed, every figure None. Otherwise: means,
    change = post − pre with its SD (ddof = 1) and t-based 95 % CI, d_z/g_z,
    d_av/g_av (see module docstring), Wilcoxon, and reliable-change counts
    (None when ``reliability`` is None). A ratio whose denominator SD is 0 is
    None; with SD 0 the CI is the single point [mean, mean].
    """
    children = [pair.child for pair in pairs]
    if len(set(children)) != len(children):
        raise ValueError("a child appears twice among the pairs")
    n = len(pairs)
    if n < MIN_GROUP:
        return IndexSummary(n=None, suppressed=True)

    pre = np.array([pair.pre for pair in pairs], dtype=float)
    post = np.array([pair.post for pair in pairs], dtype=float)
    change = post - pre

    mean_change = _mean(change)
    sd_change = _sd(change)
    half_width = float(stats.t.ppf(0.975, n - 1)) * sd_change / math.sqrt(n)
    ci95 = (mean_change - half_width, mean_change + half_width)

    d_z = mean_change / sd_change if sd_change > 0 else None
    g_z = None if d_z is None else d_z * hedges_j_paired(n)
    sd_av = (_sd(pre) + _sd(post)) / 2
    d_av = mean_change / sd_av if sd_av > 0 else None
    g_av = None if d_av is None else d_av * hedges_j_average(n)

    wilcoxon = wilcoxon_signed_rank(change.tolist())

    improved = deteriorated = None
    if reliability is not None:
        classes = [classify(rci(float(value), reliability)) for value in change]
        improved = classes.count("improved")
        deteriorated = classes.count("deteriorated")

    return IndexSummary(
        n=n,
        suppressed=False,
        mean_pre=_mean(pre),
        mean_post=_mean(post),
        mean_change=mean_change,
        sd_change=sd_change,
        ci95=ci95,
        d_z=_finite(d_z) if d_z is not None else None,
        g_z=_finite(g_z) if g_z is not None else None,
        d_av=_finite(d_av) if d_av is not None else None,
        g_av=_finite(g_av) if g_av is not None else None,
        wilcoxon_statistic=None if wilcoxon is None else wilcoxon.statistic,
        wilcoxon_p=None if wilcoxon is None else wilcoxon.p,
        wilcoxon_method=None if wilcoxon is None else wilcoxon.method,
        reliably_improved=improved,
        reliably_deteriorated=deteriorated,
        reliability_source=None if reliability is None else reliability.source,
    )


@dataclass(frozen=True, slots=True)
class GoalSummary:
    """Goals per programme (§7): median change and share improved by ≥ 3 points."""

    n: int | None
    suppressed: bool
    median_change: float | None = None
    share_improved_3: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly dict: n, suppressed, median_change, share_improved_3."""
        return {field.name: _as_json(getattr(self, field.name)) for field in fields(self)}


def summarise_goals(changes: Sequence[int]) -> GoalSummary:
    """Summarise goal changes (latest − start, one per goal). < 5 → suppressed.

    The group size counted for suppression is the number of goal changes given;
    a caller who wants "5 children" must pass one change per child.
    """
    for change in changes:
        if isinstance(change, bool) or not isinstance(change, int) or not -10 <= change <= 10:
            raise ValueError(f"a goal change is an int −10…10, got {change!r}")
    n = len(changes)
    if n < MIN_GROUP:
        return GoalSummary(n=None, suppressed=True)
    improved = sum(1 for change in changes if change >= GOAL_RELIABLE_CHANGE)
    return GoalSummary(
        n=n,
        suppressed=False,
        median_change=float(statistics.median(changes)),
        share_improved_3=improved / n,
    )
