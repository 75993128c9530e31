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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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


def _band(value: float, maximum: float) -> int:
    return min(BANDS - 1, max(0, int(value / maximum * BANDS + _NOISE)))


def paired_chart(
    pairs: Sequence[Pair], maximum: float, *, width: int = 340, height: int = 260
) -> PairedChart:
    """A slope chart of ``pairs`` on a 0..``maximum`` scale."""
    if not pairs:
        raise ValueError("no pairs to draw")
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
    ticks = tuple((step * i, y_of(step * i)) for i in range(5))
    crosstab = [[0] * BANDS for _ in range(BANDS)]
    for p in pairs:
        crosstab[_band(p.pre, maximum)][_band(p.post, maximum)] += 1
    band_width = maximum / BANDS
    return PairedChart(
        width=width, height=height, x1=left, x2=width - right, top=top, bottom=height - bottom,
        lines=tuple(lines), mean_y1=y_of(mean_pre), mean_y2=y_of(mean_post), ticks=ticks,
        counts={"up": counts["up"], "same": counts["same"], "down": counts["down"]},
        # many lines on top of each other: fainter, so that where most children are shows
        opacity=round(max(0.12, min(0.7, 12 / len(lines))), 2),
        band_labels=tuple((band_width * i, band_width * (i + 1)) for i in range(BANDS)),
        crosstab=tuple(tuple(row) for row in crosstab),
    )


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
    """Bins of ``bin_width`` centred on multiples of it (…, −w, 0, +w, …)."""
    if not changes:
        raise ValueError("no changes to draw")
    index = Counter(math.floor(round(c / bin_width + 0.5, 9)) for c in changes)
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
