"""Helpers shared by the coordinator's and tablet mode's route tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from tests.conftest import csrf_token


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None,
         token_from: str = "/", **kwargs: Any) -> Any:  # noqa: S107 - a page, not a secret
    """POST with the session's CSRF token (read from a staff or tablet page)."""
    payload = {"csrf_token": csrf_token(client, token_from), **(data or {})}
    return client.post(url, data=payload, **kwargs)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def link_in(html: str) -> str:
    match = re.search(r'id="child-link"[^>]*value="([^"]+)"', html) or re.search(
        r'value="(http://localhost/i/[^"]+)"', html)
    assert match, "no child link on the page"
    return match.group(1)


def code_in(html: str) -> str:
    match = re.search(r'data-short-code>([2-9A-Z-]{10})<', html)
    assert match, "no short code on the page"
    return match.group(1)


def token_of(link: str) -> str:
    return link.rsplit("/i/", 1)[1]


def fresh(session: Any) -> Any:
    """End the test session's transaction so it sees what the app committed since."""
    session.commit()
    session.expire_all()
    return session


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block (no N+1: a page's count must
    not grow with the number of children).  Timings belong in ``bench/``, never in tests."""
    seen: list[str] = []
    engine = app.extensions["kidsvoice.db"].engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
