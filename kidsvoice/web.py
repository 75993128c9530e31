"""Glue between Flask and the database: one session per request, closed at teardown."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from .db import Database


def database() -> Database:
    db: Database = current_app.extensions["kidsvoice.db"]
    return db


def db_session(*, write: bool = False, read_first: bool = False) -> Session:
    """This request's session.

    Requests that may write (not GET/HEAD) begin IMMEDIATE; a GET view that writes too (an
    audit entry for a page view) asks for ``write=True`` before its first query.  A view that
    reads a good deal before a short write (a child's answer) opens the session with
    ``read_first=True`` even for a POST, and asks for ``write=True`` just before writing, so
    that SQLite's write lock is held for the write alone.
    """
    if "db_session" not in g:
        write = write or (not read_first and request.method not in {"GET", "HEAD", "OPTIONS"})
        g.db_session = database().session(write=write)
        g.db_session_writes = write
    elif write and not g.db_session_writes and not database().is_sqlite:
        g.db_session_writes = True  # PostgreSQL: a transaction may read, then write
    elif write and not g.db_session_writes:
        # The session was opened for reading: end its read snapshot and let its next
        # transaction begin as a writer, or SQLite could refuse the upgrade with "database is
        # locked" when someone else wrote in between.  With nothing pending, a commit ends it
        # and keeps what was loaded (no expiry on commit); otherwise roll back, never letting
        # a read transaction write.
        reader: Session = g.db_session
        if reader.new or reader.dirty or reader.deleted:
            reader.rollback()
        else:
            reader.commit()
        reader.bind = database().writer_bind
        g.db_session_writes = True
    session: Session = g.db_session
    return session


def done_writing() -> None:
    """This request has committed its last write: its next reads begin a plain (deferred)
    transaction, so SQLite's write lock is not held while a page is rendered.

    A later ``db_session(write=True)`` takes the writer back, as for any read session.
    """
    if g.get("db_session_writes"):
        g.db_session.bind = database().engine
        g.db_session_writes = False


def close_session(_exc: BaseException | None = None) -> None:
    g.pop("db_session_writes", None)
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
