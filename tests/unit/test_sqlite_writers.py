"""SQLite's writers take turns (kidsvoice/sqlite_writers.py): one at a time, in a thread and
across processes, handed over when a transaction ends however it ends, and never a wait
without end.  No timings are asserted: each check is on who holds a turn, not how fast."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from kidsvoice.db import make_engine
from kidsvoice.sqlite_writers import WriterTurns

GENEROUS = 30.0  # seconds to wait for something that must happen


def _holder(path: str, ready: multiprocessing.Event, leave: multiprocessing.Event) -> None:
    turns = WriterTurns(path, timeout=GENEROUS)
    assert turns.acquire()
    ready.set()
    leave.wait(GENEROUS)
    turns.release()


def test_a_thread_waits_for_the_turn_and_gets_it_when_it_is_given_back(tmp_path: Path) -> None:
    turns = WriterTurns(str(tmp_path / "db"), timeout=GENEROUS)
    assert turns.acquire()
    got = threading.Event()

    def second() -> None:
        if turns.acquire():
            got.set()
            turns.release()

    waiter = threading.Thread(target=second)
    waiter.start()
    waiter.join(0.2)
    assert not got.is_set()  # the turn is still held: it cannot have been taken
    turns.release()
    assert got.wait(GENEROUS)
    waiter.join(GENEROUS)


def test_another_process_holding_the_turn_is_waited_for(tmp_path: Path) -> None:
    path = str(tmp_path / "db")
    context = multiprocessing.get_context("fork")
    ready, leave = context.Event(), context.Event()
    other = context.Process(target=_holder, args=(path, ready, leave))
    other.start()
    try:
        assert ready.wait(GENEROUS)
        impatient = WriterTurns(path, timeout=0.05)
        assert impatient.acquire() is False  # the other process has it: went on without
        assert not impatient._threads.locked()  # and holds nothing of its own
        leave.set()
        other.join(GENEROUS)
        assert other.exitcode == 0
        patient = WriterTurns(path, timeout=GENEROUS)
        assert patient.acquire()
        patient.release()
    finally:
        leave.set()
        other.join(GENEROUS)


def test_a_second_writer_in_the_same_thread_does_not_wait_for_itself(tmp_path: Path) -> None:
    turns = WriterTurns(str(tmp_path / "db"), timeout=GENEROUS)
    assert turns.acquire()
    assert turns.acquire() is False  # at once, without a turn; SQLite decides, as before
    turns.release()
    assert not turns._threads.locked()


def test_a_wait_longer_than_the_timeout_goes_on_without_a_turn(tmp_path: Path) -> None:
    turns = WriterTurns(str(tmp_path / "db"), timeout=0.05)
    held = threading.Event()
    leave = threading.Event()

    def holder() -> None:
        turns.acquire()
        held.set()
        leave.wait(GENEROUS)
        turns.release()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(GENEROUS)
    assert turns.acquire() is False
    leave.set()
    thread.join(GENEROUS)


@pytest.mark.parametrize("ending", ["commit", "rollback", "error"])
def test_a_transaction_gives_its_turn_back_however_it_ends(tmp_path: Path, ending: str) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kv.db'}")
    writer = engine.execution_options(kidsvoice_write=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    conn = writer.connect()
    trans = conn.begin()
    turns = conn.connection.driver_connection.writer_turns
    assert turns is not None
    assert turns._threads.locked()
    if ending == "error":
        with pytest.raises(Exception, match="UNIQUE"):
            conn.execute(text("INSERT INTO t VALUES (1), (1)"))
    else:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    getattr(trans, "commit" if ending == "commit" else "rollback")()
    assert not turns._threads.locked()
    conn.close()
    reader = engine.connect()
    reader.execute(text("SELECT 1"))
    assert not turns._threads.locked()  # readers never take a turn
    reader.close()
    engine.dispose()


def test_writers_in_many_threads_all_write(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kv.db'}")
    writer = engine.execution_options(kidsvoice_write=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    errors: list[BaseException] = []

    def write(start: int) -> None:
        try:
            for n in range(start, start + 50):
                with writer.begin() as conn:
                    conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i * 1000,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(GENEROUS)
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 300
    engine.dispose()
