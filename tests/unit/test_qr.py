"""The inline QR SVG: the same characters as segno's own writer, quicker."""

from __future__ import annotations

import secrets

import pytest
import segno

from kidsvoice.qr import FAST_MASK, svg


def _segno(data: str, *, title: str, scale: int, fast: bool) -> str:
    code = segno.make(data, error="m", micro=False, mask=FAST_MASK if fast else None)
    rendered = code.svg_inline(scale=scale, border=4, dark="#000", light="#fff", title=title,
                               svgclass="qr", lineclass=None, omitsize=True)
    return rendered.replace("<svg ", '<svg role="img" focusable="false" ', 1)


@pytest.mark.parametrize("fast", [True, False])
def test_invitation_links_are_drawn_as_segno_draws_them(fast: bool) -> None:
    title = 'QR code for <bdi>Ida</bdi> & "Noah"'
    for _ in range(60):
        data = "http://localhost/i/" + secrets.token_urlsafe(secrets.randbelow(100) + 1)
        assert str(svg(data, title=title, fast=fast)) == _segno(data, title=title, scale=4,
                                                                 fast=fast)


@pytest.mark.parametrize("scale", [1, 3, 5])
@pytest.mark.parametrize("data", ["a", "otpauth://totp/KidsVoice:ida@example.org?secret=ABC",
                                  "ø" * 300])
def test_other_sizes_and_data(data: str, scale: int) -> None:
    assert str(svg(data, title="t", scale=scale)) == _segno(data, title="t", scale=scale,
                                                            fast=False)
