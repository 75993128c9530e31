"""How close to the bare Flask ceiling an answer step can get at all: the floor under
``bench/load.py``'s ratio target.

    .venv/bin/python bench/floor.py                 # 3 rounds of 6 s each per route

Under the same gunicorn settings as ``bench/load.py`` (synchronous workers, one per CPU) and
the same client (16 at once, a connection per request as behind nginx), it measures requests
per second of ``bench/hello_app.py``-like "hello world" and of two stripped-down answer steps in
``bench/floor_app.py`` — a read, a durable insert and a small template, through ``sqlite3``
directly (``/raw``) and through a SQLAlchemy session with Flask's session cookie read
(``/core``) — alternating, so a busy moment of the machine falls on each.  It prints each
route's share of the ceiling; the last line is JSON.

A real answer step does all of that and more (CSRF, the child's session and invitation checks,
translations, access rules, the answer's parsing and the worry list, the ORM, the real
question template with its progress), and ``bench/load.py`` counts the journey's other pages
against the steps too: its share cannot be above these.  Timings only, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import Browser, Server, hammer, serve  # noqa: E402  (bench/load.py, beside it)

ROUTES = (("/", "GET"), ("/raw", "POST"), ("/core", "POST"))


def _database(directory: str) -> str:
    path = f"{directory}/floor.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE invitations (id INTEGER PRIMARY KEY)")
        connection.execute("INSERT INTO invitations VALUES (1)")
        connection.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, invitation_id INT, "
                           "number INT, value TEXT)")
    return path


def _rate(port: int, path: str, method: str, seconds: float, concurrency: int) -> float:
    form = [("answer", "3")] if method == "POST" else None
    count, elapsed, _ = hammer(port, concurrency, seconds, method, path, form)
    return count / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    server = Server(workers=os.cpu_count() or 1, threads=1, worker_class="sync")
    Browser.keep_alive = False  # synchronous workers: a connection per request, as load.py
    rates: dict[str, list[float]] = {path: [] for path, _ in ROUTES}
    with tempfile.TemporaryDirectory(prefix="kidsvoice-floor-") as tmp:
        env = {"FLOOR_DB": _database(tmp)}
        with serve(server, "floor_app:app", env, Path(__file__).resolve().parent) as running:
            for path, method in ROUTES:  # warm-up
                _rate(running.port, path, method, 1.0, args.concurrency)
            for _ in range(args.rounds):
                for path, method in ROUTES:
                    rates[path].append(_rate(running.port, path, method, args.seconds,
                                             args.concurrency))
    ceiling = statistics.median(rates["/"])
    result = {
        "benchmark": "floor",
        "server": server.describe(),
        "concurrency": args.concurrency,
        "requests_per_second": {p: [round(r) for r in rs] for p, rs in rates.items()},
        "share_of_ceiling": {p: round(statistics.median(rates[p]) / ceiling, 2)
                             for p in ("/raw", "/core")},
        "machine": {"cpus": os.cpu_count(), "load": round(os.getloadavg()[0], 2)},
    }
    print(f"{server.describe()}, {args.concurrency} clients at once")
    for path, _ in ROUTES:
        print(f"  {path:6s} {statistics.median(rates[path]):7.0f} requests/s "
              f"({', '.join(f'{r:.0f}' for r in rates[path])})")
    for path, share in result["share_of_ceiling"].items():
        print(f"  {path} is {share:.2f} of the ceiling")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
