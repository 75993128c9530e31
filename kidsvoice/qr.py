"""QR codes as inline SVG (segno): no image files, no requests, crisp on paper."""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

import segno
from markupsafe import Markup

FAST_MASK = 2
BORDER = 4
_DARK_RUNS = re.compile(rb"[^\x00]+")


def svg(data: str, *, title: str, scale: int = 4, css_class: str = "qr",
        fast: bool = False) -> Markup:
    """An ``<svg>`` element for ``data`` (error correction M), labelled by ``title``.

    The SVG has a ``viewBox`` and no fixed size, so CSS decides how large it prints.
    ``fast`` uses one fixed mask pattern instead of trying all eight for the most readable
    one (five times quicker; any mask is valid) — for a programme's letters all at once.

    Segno encodes; the SVG is written here, the same characters as segno's own
    ``svg_inline(scale=…, border=4, dark="#000", light="#fff", lineclass=None,
    omitsize=True)`` (a test holds them equal) in a fraction of its time, which counts
    when a whole programme's letters are made in one request.
    """
    code = segno.make(data, error="m", micro=False, mask=FAST_MASK if fast else None)
    width = len(code.matrix[0]) + 2 * BORDER
    height = len(code.matrix) + 2 * BORDER
    paths = (
        f'<path fill="#fff" d="M0 0h{width}v{height}h-{width}z"/>'
        f'<path stroke="#000" d="{_dark_path(code.matrix, BORDER)}"/>'
    )
    if scale != 1:
        paths = f'<g transform="scale({scale})">{paths}</g>'
    rendered = (
        f'<svg role="img" focusable="false" viewBox="0 0 {width * scale} {height * scale}"'
        f' class="{escape(css_class, {chr(34): "&quot;"})}"><title>{escape(title)}</title>'
        f"{paths}</svg>"
    )
    return Markup(rendered)  # noqa: S704 - our own SVG; the title and class are escaped


def _dark_path(matrix: Iterable[bytearray], border: int) -> str:
    """Each row's runs of dark modules as 1-unit-wide horizontal strokes, each move relative
    to the end of the one before (segno's path, written with a regular expression per row)."""
    parts = []
    pen_x, pen_y = 0, 0
    for y, row in enumerate(matrix, start=border):
        for run in _DARK_RUNS.finditer(row):
            start, end = run.span()
            if parts:
                parts.append(f"m{start + border - pen_x} {y - pen_y}h{end - start}")
            else:
                parts.append(f"M{start + border} {y}.5h{end - start}")
            pen_x, pen_y = end + border, y
    return "".join(parts)
