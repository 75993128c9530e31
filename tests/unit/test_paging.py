"""kidsvoice.paging: which page of a list is shown, and where its rows start."""

from __future__ import annotations

import pytest

from kidsvoice.paging import Window, window


@pytest.mark.parametrize(("total", "requested", "expected"), [
    (0, 1, Window(page=1, pages=1, size=50)),  # an empty list still has its one page
    (50, 1, Window(page=1, pages=1, size=50)),
    (51, 2, Window(page=2, pages=2, size=50)),
    (120, 3, Window(page=3, pages=3, size=50)),
    (120, 9, Window(page=3, pages=3, size=50)),  # past the end: the last page
    (120, 0, Window(page=1, pages=3, size=50)),  # before the start: the first
    (120, -4, Window(page=1, pages=3, size=50)),
    (-1, 1, Window(page=1, pages=1, size=50)),
])
def test_the_page_shown(total: int, requested: int, expected: Window) -> None:
    assert window(total, requested, 50) == expected


def test_limit_and_offset_cover_every_row_once() -> None:
    total, size = 123, 10
    pages = window(total, 1, size).pages
    rows = [
        row
        for n in range(1, pages + 1)
        for row in range(total)[window(total, n, size).offset:][: window(total, n, size).limit]
    ]
    assert rows == list(range(total))


def test_a_page_holds_a_row_at_least() -> None:
    with pytest.raises(ValueError, match="at least one row"):
        window(10, 1, 0)
