"""SQLite's writers take turns here first, so each is woken the moment the one before commits.

SQLite lets one connection write at a time.  A second ``BEGIN IMMEDIATE`` waits in SQLite's
busy handler, which sleeps 1, 2, 5, 10, … up to 100 ms between tries: under load a writer
often slept long after the lock was free, and a child's answer, which holds the lock for a
fraction of a millisecond, waited tens of milliseconds for it (``bench/load.py``'s tail
latency, and CPUs left idle while requests waited).

So a writer first takes its turn here: the threads of one process on a lock, the processes
that share the database on an ``flock`` of a file beside it (``<database>-writers``).  Both
hand over at once.  SQLite's own lock remains the guarantee: this queue only decides who asks
first.  A writer that has waited longer than the busy timeout goes on without its turn and
lets SQLite decide, which refuses with "database is locked" after its own timeout, as it did
before; a thread that opens a second write transaction while it holds its turn goes straight
to SQLite, as before (it cannot wait for itself).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time

#: How long a process sleeps between looks at another process's turn (growing to the last).
_PROCESS_POLL_SECONDS = (0.0001, 0.0002, 0.0005, 0.001)


class WriterTurns:
    """Turns for the writers of one SQLite file, in this process and across processes."""

    def __init__(self, database_path: str, timeout: float) -> None:
        self.path = f"{database_path}-writers"
        self.timeout = timeout
        self._reset()

    def _reset(self) -> None:
        self._threads = threading.Lock()
        self._owner: int | None = None  # the thread holding this process's turn
        self._pid = os.getpid()
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Wait for this thread's turn; False when it goes on without one (see above)."""
        if os.getpid() != self._pid:
            # A forked child (gunicorn's workers) shares neither the parent's thread lock nor
            # its open file: an flock belongs to the open file, which it would share.
            self._reset()
        me = threading.get_ident()
        if self._owner == me:
            return False  # a second writer in the thread that has the turn
        deadline = time.monotonic() + self.timeout
        if not self._threads.acquire(timeout=self.timeout):
            return False
        self._owner = me
        if self._lock_file(deadline):
            return True
        self._owner = None
        self._threads.release()
        return False

    def release(self) -> None:
        """End the turn taken by :meth:`acquire` (from whichever thread ends the transaction)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._owner = None
        self._threads.release()

    def _lock_file(self, deadline: float) -> bool:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                return False  # a read-only directory: SQLite alone decides, as before
        polls = iter(_PROCESS_POLL_SECONDS)
        pause = next(polls)
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = next(polls, pause)
            except OSError:
                return False

    def close(self) -> None:
        """Close the lock file (when the engine that uses these turns is gone)."""
        if self._fd is not None and os.getpid() == self._pid:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = None

    __del__ = close


class Connection(sqlite3.Connection):
    """A SQLite connection that gives its writer's turn back when its transaction ends."""

    writer_turns: WriterTurns | None = None
    _has_turn = False

    def take_turn(self) -> None:
        if self.writer_turns is not None and not self._has_turn:
            self._has_turn = self.writer_turns.acquire()

    def end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            if self.writer_turns is not None:
                self.writer_turns.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()
