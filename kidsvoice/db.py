"""The database engine and one SQLAlchemy session per request.

SQLite (the embedded default) is opened in WAL mode with foreign keys on, a busy timeout,
``synchronous=FULL`` (an answer the child saw saved survives a power cut), a ``lower()`` that
knows letters beyond ASCII, the sort key of :mod:`kidsvoice.name_order`, and — for sessions
that write — ``BEGIN IMMEDIATE``, so two writers queue on the busy timeout instead of failing
half-way when a read transaction tries to become a write transaction.  PostgreSQL (psycopg 3)
needs none of this and runs the same code.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool

from . import name_order, sqlite_writers

SQLITE_BUSY_TIMEOUT_MS = 10_000


#: Deterministic constraint names, so migrations can find them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every KidsVoice model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite recipe), so that we
    # can choose BEGIN IMMEDIATE for writers.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
    # SQLite's own lower() changes ASCII letters only: a search for "åse" must find "Åse",
    # as it does on PostgreSQL.  No index or constraint uses lower(), so replacing it for this
    # connection changes nothing stored.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    # Names in Danish order (kidsvoice/name_order.py): the same key as Python's sort.
    dbapi_connection.create_function(name_order.SQL_FUNCTION, 1, name_order.name_key,
                                     deterministic=True)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _sqlite_begin(conn: Any) -> None:
    if not conn.get_execution_options().get("kidsvoice_write"):
        conn.exec_driver_sql("BEGIN DEFERRED")
        return
    dbapi_connection = conn.connection.driver_connection
    if isinstance(dbapi_connection, sqlite_writers.Connection):
        dbapi_connection.take_turn()  # given back when the transaction ends
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi_connection, sqlite_writers.Connection):
            dbapi_connection.end_turn()
        raise


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with KidsVoice's per-dialect settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file_database = bool(parsed.database) and parsed.database != ":memory:"
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        turns = None
        if file_database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Writers take turns before BEGIN IMMEDIATE (kidsvoice/sqlite_writers.py).
            turns = sqlite_writers.WriterTurns(
                str(Path(parsed.database).resolve()), SQLITE_BUSY_TIMEOUT_MS / 1000)
            connect_args["factory"] = sqlite_writers.Connection
        kwargs.setdefault("connect_args", connect_args)
        if not file_database:
            kwargs.setdefault("poolclass", NullPool)
        # A file database keeps a small pool (SQLAlchemy's QueuePool, shared by a worker's
        # threads): opening a connection and setting its pragmas cost about a millisecond,
        # which a child's every answer would otherwise pay twice.  A connection goes back to
        # the pool rolled back, so it holds no WAL snapshot while it waits.
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        if turns is not None:

            @event.listens_for(engine, "connect")
            def _give_turns(dbapi_connection: Any, _record: Any) -> None:
                if isinstance(dbapi_connection, sqlite_writers.Connection):
                    dbapi_connection.writer_turns = turns
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    _ENGINES.add(engine)
    return engine


#: Every engine made here.  A forked process (gunicorn ``--preload``, a test's server) starts
#: with empty pools: the parent's connections must never be used by two processes, so the
#: child drops its copies without closing them (``dispose(close=False)``, as SQLAlchemy
#: advises).  One hook for all engines, registered once; engines gone are forgotten.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_pools_after_fork() -> None:
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pools_after_fork)


class Database:
    """Holds the engine and hands out sessions.  One per app (``app.extensions``)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        #: The same engine, but its transactions begin IMMEDIATE on SQLite.
        self.writer_bind = self.engine.execution_options(kidsvoice_write=True)
        self._writer = sessionmaker(bind=self.writer_bind, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, *, write: bool = False) -> Session:
        """A new session; ``write=True`` starts its transactions with BEGIN IMMEDIATE."""
        return (self._writer if write else self._reader)()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing session committed at the end (or rolled back on error)."""
        with self.session(write=True) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
