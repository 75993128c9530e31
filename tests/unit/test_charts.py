"""The outcome charts count with numpy (kidsvoice/evaluation/charts.py): they must draw exactly
what counting every pair one by one in Python draws — the same lines in the same order and
widths, the same counts, means, cross-table and bars — whatever the scores."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

import pytest

from kidsvoice.evaluation.charts import (
    BANDS,
    PairedChart,
    PairedLine,
    change_histogram,
    direction,
    paired_chart,
)
from kidsvoice.outcomes import Pair


def _one_by_one(pairs: Sequence[Pair], maximum: float, width: int = 340,
                height: int = 260) -> PairedChart:
    """The chart as it was computed before numpy: every pair counted in plain Python."""
    left, right, top, bottom = 54.0, 54.0, 14.0, 30.0
    plot_h = height - top - bottom

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / maximum)

    grouped = Counter((round(p.pre, 6), round(p.post, 6)) for p in pairs)
    biggest = max(grouped.values())
    lines = []
    for (pre, post), count in sorted(grouped.items(), key=lambda item: item[1]):
        scale = math.sqrt(count / biggest) if biggest > 1 else 1.0
        lines.append(PairedLine(
            y_of(pre), y_of(post), count, direction(post - pre), round(1.0 + 5.0 * scale, 2)
        ))
    counts = Counter(direction(p.change) for p in pairs)
    mean_pre = math.fsum(p.pre for p in pairs) / len(pairs)
    mean_post = math.fsum(p.post for p in pairs) / len(pairs)
    step = maximum / 4
    def band(value: float) -> int:
        return min(BANDS - 1, max(0, int(value / maximum * BANDS + 1e-9)))

    crosstab = [[0] * BANDS for _ in range(BANDS)]
    for p in pairs:
        crosstab[band(p.pre)][band(p.post)] += 1
    band_width = maximum / BANDS
    return PairedChart(
        width=width, height=height, x1=left, x2=width - right, top=top, bottom=height - bottom,
        lines=tuple(lines), mean_y1=y_of(mean_pre), mean_y2=y_of(mean_post),
        ticks=tuple((step * i, y_of(step * i)) for i in range(5)),
        counts={"up": counts["up"], "same": counts["same"], "down": counts["down"]},
        opacity=round(max(0.12, min(0.7, 12 / len(lines))), 2),
        band_labels=tuple((band_width * i, band_width * (i + 1)) for i in range(BANDS)),
        crosstab=tuple(tuple(row) for row in crosstab),
    )


def _scores(rng: random.Random, maximum: float) -> float:
    """Scores as indices give them: means of a few items, often equal, at the ends too."""
    kind = rng.random()
    if kind < 0.1:
        return rng.choice((0.0, maximum, -0.0))
    if kind < 0.2:  # two scores that differ below the sixth place: one line
        return round(rng.uniform(0, maximum), 6) + rng.choice((0.0, 1e-9, -1e-9))
    items = rng.randint(2, 7)
    return maximum * sum(rng.randint(0, 4) for _ in range(items)) / (4 * items)


@pytest.mark.parametrize("seed", range(12))
def test_counted_with_numpy_as_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    maximum = rng.choice((100.0, 10.0, 100))
    pairs = [Pair(f"c{i}", _scores(rng, maximum), _scores(rng, maximum))
             for i in range(rng.choice((5, 17, 400, 5000)))]
    assert paired_chart(pairs, maximum) == _one_by_one(pairs, maximum)


@pytest.mark.parametrize("seed", range(12))
def test_histogram_bins_as_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    maximum, width = rng.choice(((100.0, 5.0), (10.0, 0.5), (100, 10)))
    changes = [_scores(rng, maximum) - _scores(rng, maximum)
               for _ in range(rng.choice((5, 17, 400, 5000)))]
    changes += [width * rng.randint(-3, 3) * (1 + rng.choice((0.0, 1e-12, -1e-12)))
                for _ in range(20)]  # on a bin's edge, give or take the last bits
    one_by_one = Counter(math.floor(round(c / width + 0.5, 9)) for c in changes)
    low, high = min(min(one_by_one), 0), max(max(one_by_one), 0)
    histogram = change_histogram(changes, width)
    assert [bar.count for bar in histogram.bars] == [
        one_by_one.get(i, 0) for i in range(low, high + 1)]
    assert histogram.bars[0].centre == low * width


def test_one_pair_many_times_is_one_line() -> None:
    pairs = [Pair(f"c{i}", 50.0, 62.5) for i in range(7)]
    chart = paired_chart(pairs, 100.0)
    assert chart == _one_by_one(pairs, 100.0)
    assert len(chart.lines) == 1
    assert chart.lines[0].count == 7
    assert chart.counts == {"up": 7, "same": 0, "down": 0}


def test_no_pairs_is_an_error() -> None:
    with pytest.raises(ValueError, match="no pairs"):
        paired_chart([], 100.0)
