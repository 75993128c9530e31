"""Geometry of the outcome charts, drawn by the templates as inline SVG.  PURE: no Flask.

Two charts per measure, both only for a group that is shown (5 children or more; the caller
never passes the pairs of a suppressed group):

* :func:`paired_chart` — each child's baseline-to-follow-up line (a slope chart).  Children
  with the very same two scores share one line, drawn thicker, so a programme of 10,000
  children still has a few hundred lines at most; the mean is drawn as a bold line on top.
* :func:`change_histogram` — the distribution of change, in bins centred on 0 (so "no change"
  is a bin of its own, not mixed with small rises).

The SVG uses presentation attributes and CSS classes only (the CSP forbids ``style=``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..outcomes import Pair

Direction = Literal["up", "down", "same"]
_NOISE = 1e-9

#: How many bands the text alternative of the paired chart uses (0–20, 20–40, … of the scale).
BANDS = 5


def direction(change: float) -> Direction:
    if abs(change) <= _NOISE:
        return "same"
    return "up" if change > 0 else "down"


@dataclass(frozen=True, slots=True)
class PairedLine:
    y1: float
    y2: float
    count: int
    direction: Direction
    width: float


@dataclass(frozen=True, slots=True)
class PairedChart:
    width: int
    height: int
    x1: float
    x2: float
    top: float
    bottom: float
    lines: tuple[PairedLine, ...]
    mean_y1: float
    mean_y2: float
    ticks: tuple[tuple[float, float], ...]  # (value, y)
    counts: dict[str, int]  # up / same / down → children
    opacity: float
    #: text alternative: rows = baseline band, columns = follow-up band, cells = children
    band_labels: tuple[tuple[float, float], ...]
    crosstab: tuple[tuple[int, ...], ...]


def paired_chart(
    pairs: Sequence[Pair], maximum: float, *, width: int = 340, height: int = 260
) -> PairedChart:
    """A slope chart of ``pairs`` on a 0..``maximum`` scale.

    The pairs are counted with numpy: a programme of 10,000 children has some 40,000 of them
    across its charts, which in plain Python were a sixth of the outcome page's time.  Equal
    pairs are found exactly first, and only the distinct ones are rounded (Python's ``round``,
    correctly rounded, so the lines are the same as rounding every pair would give).
    """
    if not pairs:
        raise ValueError("no pairs to draw")
    left, right, top, bottom = 54.0, 54.0, 14.0, 30.0
    plot_h = height - top - bottom

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / maximum)

    count = len(pairs)
    pre = np.fromiter((p.pre for p in pairs), dtype=float, count=count)
    post = np.fromiter((p.post for p in pairs), dtype=float, count=count)
    lines = [
        PairedLine(y_of(a), y_of(b), n, direction(b - a), width)
        for (a, b), n, width in _grouped_lines(pre, post)
    ]
    change = post - pre
    same = int(np.count_nonzero(np.abs(change) <= _NOISE))
    up = int(np.count_nonzero(change > _NOISE))
    mean_pre = math.fsum(pre.tolist()) / count
    mean_post = math.fsum(post.tolist()) / count
    step = maximum / 4
    ticks = tuple((step * i, y_of(step * i)) for i in range(5))
    cells = np.bincount(_bands(pre, maximum) * BANDS + _bands(post, maximum),
                        minlength=BANDS * BANDS).reshape(BANDS, BANDS)
    band_width = maximum / BANDS
    return PairedChart(
        width=width, height=height, x1=left, x2=width - right, top=top, bottom=height - bottom,
        lines=tuple(lines), mean_y1=y_of(mean_pre), mean_y2=y_of(mean_post), ticks=ticks,
        counts={"up": up, "same": same, "down": count - up - same},
        # many lines on top of each other: fainter, so that where most children are shows
        opacity=round(max(0.12, min(0.7, 12 / len(lines))), 2),
        band_labels=tuple((band_width * i, band_width * (i + 1)) for i in range(BANDS)),
        crosstab=tuple(tuple(int(c) for c in row) for row in cells),
    )


def _grouped_lines(
    pre: np.ndarray, post: np.ndarray
) -> list[tuple[tuple[float, float], int, float]]:
    """((pre, post) rounded to 6 places, children, line width) for each distinct line, the
    least common first, and among equals in the order the pairs first show them."""
    distinct, first, counts = np.unique(
        np.column_stack((pre, post)), axis=0, return_index=True, return_counts=True)
    merged: dict[tuple[float, float], list[int]] = {}
    for (a, b), at, n in zip(distinct.tolist(), first.tolist(), counts.tolist(), strict=True):
        key = (round(a, 6), round(b, 6))
        seen = merged.get(key)
        if seen is None:
            merged[key] = [n, at]
        else:
            seen[0] += n
            seen[1] = min(seen[1], at)
    biggest = max(n for n, _ in merged.values())
    ordered = sorted(merged.items(), key=lambda item: (item[1][0], item[1][1]))
    return [
        (key, n, round(1.0 + 5.0 * (math.sqrt(n / biggest) if biggest > 1 else 1.0), 2))
        for key, (n, _) in ordered
    ]


def _bands(values: np.ndarray, maximum: float) -> np.ndarray:
    """The band (0 to ``BANDS - 1``) each value falls in, a hair above its edge counting
    as the band above (``astype`` truncates, as ``int()`` does)."""
    return np.clip((values / maximum * BANDS + _NOISE).astype(int), 0, BANDS - 1)


@dataclass(frozen=True, slots=True)
class Bar:
    low: float
    high: float
    centre: float
    count: int
    x: float
    y: float
    width: float
    height: float
    direction: Direction


@dataclass(frozen=True, slots=True)
class Histogram:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    bin_width: float
    zero_x: float
    mean_x: float
    y_ticks: tuple[tuple[int, float], ...]  # (count, y)
    x_ticks: tuple[tuple[float, float], ...]  # (change, x)


def _nice_step(maximum: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if maximum / step <= 5:
            return step
    return 10 ** math.ceil(math.log10(maximum / 5))


def change_histogram(
    changes: Sequence[float], bin_width: float, *, width: int = 340, height: int = 220
) -> Histogram:
    """Bins of ``bin_width`` centred on multiples of it (…, −w, 0, +w, …).

    As in :func:`paired_chart`, equal changes are counted with numpy and only the distinct
    ones are put in their bin by Python's (correctly rounded) ``round``.
    """
    if not changes:
        raise ValueError("no changes to draw")
    distinct, inverse = np.unique(
        np.asarray(changes, dtype=float) / bin_width + 0.5, return_inverse=True)
    bin_of = np.array([math.floor(round(v, 9)) for v in distinct.tolist()], dtype=np.int64)
    bins, sizes = np.unique(bin_of[inverse], return_counts=True)
    index = dict(zip(bins.tolist(), sizes.tolist(), strict=True))
    low, high = min(index), max(index)
    low, high = min(low, 0), max(high, 0)  # keep "no change" in view
    slots = high - low + 1
    tallest = max(index.values())
    step = _nice_step(tallest)
    top_count = max(step * math.ceil(tallest / step), 1)
    # room for the longest count label ("2,500") left of the axis
    left, right, top, bottom = 14.0 + 7.0 * len(f"{top_count:,}"), 12.0, 14.0, 34.0
    plot_w = width - left - right
    plot_h = height - top - bottom
    slot_w = plot_w / slots

    def x_of(change: float) -> float:
        return left + (change / bin_width - low + 0.5) * slot_w

    bars = []
    for i in range(low, high + 1):
        count = index.get(i, 0)
        h = plot_h * count / top_count
        centre = i * bin_width
        bars.append(Bar(
            low=centre - bin_width / 2, high=centre + bin_width / 2, centre=centre, count=count,
            x=left + (i - low) * slot_w + 1, y=top + plot_h - h, width=max(slot_w - 2, 1),
            height=h, direction=direction(centre),
        ))
    label_every = max(1, math.ceil(slots / 7))
    x_ticks = tuple(
        (i * bin_width, x_of(i * bin_width)) for i in range(low, high + 1) if i % label_every == 0
    )
    y_ticks = tuple(
        (c, top + plot_h * (1 - c / top_count)) for c in range(0, top_count + 1, step)
    )
    mean = math.fsum(changes) / len(changes)
    return Histogram(
        width=width, height=height, left=left, right=width - right, top=top,
        bottom=height - bottom, bars=tuple(bars), bin_width=bin_width, zero_x=x_of(0.0),
        mean_x=x_of(mean), y_ticks=y_ticks, x_ticks=x_ticks,
    )
