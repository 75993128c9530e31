"""The migrations create exactly what the models describe, on every backend."""

from __future__ import annotations

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
            other.execute("BEGIN IMMEDIATE")
            raise AssertionError("a second writer got the lock")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
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
        assert writer is reader and g.db_session_writes is True
        writer.execute(text("SELECT 1"))
        if database.is_sqlite:  # the write lock is held from BEGIN on
            other = sqlite3.connect(database.engine.url.database, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                raise AssertionError("a second writer got the lock")
            except sqlite3.OperationalError as exc:
                assert "locked" in str(exc)
            finally:
                other.close()
        writer.rollback()
