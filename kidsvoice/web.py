"""Glue between Flask and the database: one session per request, closed at teardown."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from .db import Database


def database() -> Database:
    db: Database = current_app.extensions["kidsvoice.db"]
    return db


def db_session() -> Session:
    """This request's session.  Requests that may write (not GET/HEAD) begin IMMEDIATE."""
    if "db_session" not in g:
        write = request.method not in {"GET", "HEAD", "OPTIONS"} if request else True
        g.db_session = database().session(write=write)
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
