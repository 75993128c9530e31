"""The migrations create exactly what the models describe, on every backend."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from kidsvoice.db import Base
from kidsvoice.migrate import current_revision, head_revision


def test_database_is_at_the_newest_migration(app) -> None:
    assert current_revision(app.extensions["kidsvoice.db"].engine) == head_revision()


def test_migrations_match_the_models(app) -> None:
    engine = app.extensions["kidsvoice.db"].engine
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_sqlite_pragmas(app) -> None:
    database = app.extensions["kidsvoice.db"]
    if not database.is_sqlite:
        return
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_writers_begin_immediate(app) -> None:
    """A writing session takes SQLite's write lock at BEGIN, so a second writer waits."""
    database = app.extensions["kidsvoice.db"]
    if not database.is_sqlite:
        return
    import sqlite3

    path = database.engine.url.database
    with database.session(write=True) as session:
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            # not raising means a second writer got the lock
            with pytest.raises(sqlite3.OperationalError) as excinfo:
                other.execute("BEGIN IMMEDIATE")
            assert "locked" in str(excinfo.value)
        finally:
            other.close()
        session.rollback()
    with database.session() as session:  # readers do not lock
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


def test_a_read_session_becomes_a_writer_when_a_view_asks(app) -> None:
    """A GET that first reads (loading the staff member) and then writes an audit entry must
    take the write lock then, not upgrade a stale read snapshot (SQLite: database is locked)."""
    import sqlite3

    from flask import g

    from kidsvoice.web import db_session

    database = app.extensions["kidsvoice.db"]
    with app.test_request_context("/"):
        reader = db_session()
        reader.execute(text("SELECT 1"))
        assert g.db_session_writes is False
        writer = db_session(write=True)
        assert writer is reader
        assert g.db_session_writes is True
        writer.execute(text("SELECT 1"))
        if database.is_sqlite:  # the write lock is held from BEGIN on
            other = sqlite3.connect(database.engine.url.database, timeout=0, isolation_level=None)
            try:
                # not raising means a second writer got the lock
                with pytest.raises(sqlite3.OperationalError) as excinfo:
                    other.execute("BEGIN IMMEDIATE")
                assert "locked" in str(excinfo.value)
            finally:
                other.close()
        writer.rollback()


def test_deleting_a_goal_finds_its_answers_by_index(app) -> None:
    """``answers.goal_id`` (ON DELETE SET NULL) is indexed (migration 0006): erasing a child
    looks up the answers rating their goals instead of reading every answer.  The plan, not
    the time: bench/scale.py measures that."""
    database = app.extensions["kidsvoice.db"]
    with database.engine.connect() as conn:
        if database.is_sqlite:
            plan = " ".join(str(row[-1]) for row in conn.execute(
                text("EXPLAIN QUERY PLAN DELETE FROM goals WHERE id = 1")))
            assert "ix_answers_goal_id" in plan
            assert "SCAN answers" not in plan
        else:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in conn.execute(
                text("EXPLAIN UPDATE answers SET goal_id = NULL WHERE goal_id = 1")))
            assert "ix_answers_goal_id" in plan
