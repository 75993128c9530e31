"""QR codes as inline SVG (segno): no image files, no requests, crisp on paper."""

from __future__ import annotations

import segno
from markupsafe import Markup


def svg(data: str, *, title: str, scale: int = 4, css_class: str = "qr") -> Markup:
    """An ``<svg>`` element for ``data`` (error correction M), labelled by ``title``.

    The SVG has a ``viewBox`` and no fixed size, so CSS decides how large it prints.
    """
    code = segno.make(data, error="m", micro=False)
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
