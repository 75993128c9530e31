"""Offset paging, shared by the lists that grow with a programme: the coordinator's dashboard,
the tablet's list of children and the meeting list.  Pure: the views count the rows, ask for a
:class:`Window` and put its ``limit`` and ``offset`` on their query; ``templates/_pager.html``
draws the links.

A page number past the end shows the last page (a list that shrank while someone paged through
it should not come up empty); a number below 1 shows the first.  Numbers that are not numbers
are refused by the view's form, with a message.

(The audit log pages differently, by "older than this entry": it is appended to while it is
read, and is read from the newest end.)
"""

from __future__ import annotations

from dataclasses import dataclass

#: Rows a page of a staff list shows.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Window:
    page: int  # 1-based, within 1..pages
    pages: int  # at least 1, even for an empty list
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def limit(self) -> int:
        return self.size


def window(total: int, requested: int, size: int) -> Window:
    """The page to show of ``total`` rows, ``size`` a page, for a request of page
    ``requested``."""
    if size < 1:
        raise ValueError("a page holds at least one row")
    pages = max(1, -(-max(total, 0) // size))
    return Window(page=min(max(requested, 1), pages), pages=pages, size=size)
