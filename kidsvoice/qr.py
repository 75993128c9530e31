"""QR codes as inline SVG (segno): no image files, no requests, crisp on paper."""

from __future__ import annotations

import segno
from markupsafe import Markup

FAST_MASK = 2


def svg(data: str, *, title: str, scale: int = 4, css_class: str = "qr",
        fast: bool = False) -> Markup:
    """An ``<svg>`` element for ``data`` (error correction M), labelled by ``title``.

    The SVG has a ``viewBox`` and no fixed size, so CSS decides how large it prints.
    ``fast`` uses one fixed mask pattern instead of trying all eight for the most readable
    one (five times quicker; any mask is valid) — for a programme's letters all at once.
    """
    code = segno.make(data, error="m", micro=False, mask=FAST_MASK if fast else None)
    rendered = code.svg_inline(
        scale=scale,
        border=4,
        dark="#000",
        light="#fff",
        title=title,
        svgclass=css_class,
        lineclass=None,
        omitsize=True,
    )
    rendered = rendered.replace("<svg ", '<svg role="img" focusable="false" ', 1)
    return Markup(rendered)  # noqa: S704 - segno's own SVG; the title is escaped by segno
