"""Inviting a whole programme at once (issue 8): the operation and the web request.

    .venv/bin/python bench/bulk_invite.py                      # SQLite (a temp file)
    KIDSVOICE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bulk_invite.py                  # and PostgreSQL
    .venv/bin/python bench/bulk_invite.py --sizes 100 1000     # fewer sizes

For each size (100, 1,000 and 3,000 children by default) a fresh database — a temp SQLite file,
and with ``KIDSVOICE_TEST_DATABASE_URL`` (or ``--database-url``) a PostgreSQL database of the
benchmark's own on that server (``kv_bulk_invite``, never the one named in the URL, dropped
afterwards) — migrated with the app's migrations, holding one programme of that many children
(Danish and English, so letters render in two languages) with three rounds and its
coordinator.  Then, each on its own round so every child is new to it:

* ``operation`` — :func:`kidsvoice.operations.invitations.bulk_issue` for every child, and the
  commit;
* ``reissue`` — the same again on that round with every unfinished state (everyone gets a
  fresh link and code; the old ones stop working);
* ``request`` — the coordinator's "invite everyone" form, POSTed through Flask's test client
  after logging in through the real login form (CSRF included), with e-mail set up (so every
  row carries its e-mail form; nothing is sent), and then each "make the next links" form the
  page offers, a batch of ``BULK_BATCH_SIZE`` children at a time (``batches_s``: each
  request's time, the figure gunicorn's timeout applies to).  Its time is split into
  ``bulk_issue`` itself, building the handovers (QR code and letter per child) and the rest
  (rendering the pages, the commits);
* ``cli`` — ``kidsvoice invite --programme … --round …`` through Click's test runner.

Each is timed on the wall clock (``s``; the targets) and in this process's CPU seconds
(``cpu_s``: steadier on a shared machine; PostgreSQL's own work is not in it), and counted in
SQL statements (a ``before_cursor_execute`` listener); a count that grows with the children is
an N+1 (the table's last line: statements per further child).  Afterwards the audit log's
chain is verified (the logic of ``kidsvoice audit verify``) and each invitation's short code
is checked unique.

Targets (1,000 children): the operation ≤ 1.5 s, the request ≤ 10 s.  Timings are only ever
measured here, never asserted in tests.  Prints a table and, as its last line, one JSON object
with every figure, the targets and ``targets_met``.  Exit code 0 (it is a report).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import log_in, pg_admin  # noqa: E402  (bench/common.py, beside this script)
from sqlalchemy import Engine, event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from kidsvoice import audit, create_app  # noqa: E402
from kidsvoice.config import Config  # noqa: E402
from kidsvoice.coordinator import handover  # noqa: E402
from kidsvoice.db import make_engine  # noqa: E402
from kidsvoice.invitation_state import InvitationState  # noqa: E402
from kidsvoice.migrate import upgrade  # noqa: E402
from kidsvoice.models import (  # noqa: E402
    AuditEntry,
    Child,
    Invitation,
    Programme,
    RoundKind,
    new_public_id,
    utcnow,
)
from kidsvoice.operations import invitations as ops_inv  # noqa: E402
from kidsvoice.operations.programmes import create_programme  # noqa: E402
from kidsvoice.operations.staff import create_staff_user  # noqa: E402
from kidsvoice.passwords import hash_password  # noqa: E402
from kidsvoice.tokens import InvitationTokens  # noqa: E402

SECRET = "bulk-invite-benchmark-secret-key-0123456789-abcdef"  # noqa: S105
PASSWORD = "correct horse battery staple"  # noqa: S105
EMAIL = "coordinator@bulk.example.org"
PG_DATABASE = "kv_bulk_invite"
SIZES = (100, 1_000, 3_000)
TARGETS = {"bulk_invite_1000_s": 1.5, "request_1000_s": 10.0}


# --------------------------------------------------------------------------- the database


@contextmanager
def database(backend: str, server: str | None, tmp: Path, size: int) -> Iterator[str]:
    """A fresh, migrated database for one size; removed afterwards."""
    if backend == "sqlite":
        path = tmp / f"bulk-{size}.db"
        url = f"sqlite:///{path}"
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    assert server is not None  # noqa: S101
    url = make_url(server).set(database=PG_DATABASE).render_as_string(hide_password=False)
    admin = pg_admin(server)
    drop = text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop)
        conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


def populate(engine: Engine, size: int) -> tuple[int, list[int]]:
    """One programme of ``size`` children, three rounds, and its coordinator."""
    upgrade(engine)
    this_year = date.today().year
    with Session(engine) as s:
        programme = create_programme(
            s, name=f"Bulk {size}",
            rounds=[(RoundKind.BASELINE, "Before", None), (RoundKind.FOLLOW_UP, "Middle", None),
                    (RoundKind.FOLLOW_UP, "After", None)],
            contact="Mette, 12 34 56 78",
        )
        user = create_staff_user(s, email=EMAIL, name="Coordinator", role="coordinator",
                                 password_hash=hash_password(PASSWORD))
        user.programmes.append(programme)
        s.flush()
        now = utcnow()
        s.execute(insert(Child), [
            {"public_id": new_public_id(), "programme_id": programme.id,
             "first_name": f"Child {n:05d}", "birth_year": this_year - 8 - n % 8,
             "language": "en" if n % 3 == 0 else "da", "created_at": now}
            for n in range(size)
        ])
        s.commit()
        return programme.id, [r.id for r in programme.rounds]


# --------------------------------------------------------------------------- measuring


class Counter:
    """SQL statements an engine runs (``before_cursor_execute``), BEGIN/COMMIT left out."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.cpu = 0.0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.count += 1

    def measure(self, work: Callable[[], Any]) -> tuple[float, int, Any]:
        """Wall-clock seconds, statements and the result of ``work``; the CPU seconds it took
        (the machine may be shared: CPU time is the steadier figure) in ``self.cpu``."""
        self.count = 0
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        self.cpu = time.process_time() - cpu
        return time.perf_counter() - started, self.count, result


@contextmanager
def timed(module: Any, name: str, spent: list[float]) -> Iterator[None]:
    """Add the time spent in ``module.name`` to ``spent`` while the block runs."""
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def login(app: Any) -> Any:
    return log_in(app, EMAIL, PASSWORD)


def run_size(url: str, size: int) -> dict[str, Any]:
    engine = make_engine(url)
    programme_id, rounds = populate(engine, size)
    counter = Counter(engine)
    tokens = InvitationTokens((SECRET,))
    result: dict[str, Any] = {"children": size}

    # The operation, then re-issuing everyone's link in bulk.
    with Session(engine) as s:
        programme = s.get(Programme, programme_id)
        assert programme is not None  # noqa: S101
        round_ = programme.rounds[0]

        def operation(states: set[InvitationState]) -> Callable[[], int]:
            def work() -> int:
                issued = ops_inv.bulk_issue(
                    s, programme=programme, round_=round_, tokens=tokens, days=30,
                    code_keys=(SECRET,), states=states, actor_label="bench").issued
                s.commit()
                return len(issued)
            return work

        seconds, statements, n = counter.measure(operation({InvitationState.NOT_INVITED}))
        result["operation"] = {"s": round(seconds, 3), "cpu_s": round(counter.cpu, 3),
                               "statements": statements, "invited": n}
        seconds, statements, n = counter.measure(operation(set(ops_inv.UNFINISHED)))
        result["reissue"] = {"s": round(seconds, 3), "cpu_s": round(counter.cpu, 3),
                             "statements": statements, "invited": n}

    # The web request, as the programme's coordinator (e-mail set up: a form per row).
    app = create_app(Config(env="testing", testing=True, secret_keys=(SECRET,),
                            database_url=url, base_url="http://localhost",
                            mail_server="localhost", login_failure_limit="10000/minute"))
    app_counter = Counter(app.extensions["kidsvoice.db"].engine)
    client = login(app)
    path = f"/programmes/{programme_id}/rounds/{rounds[1]}/invite"
    form = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token is not None  # noqa: S101
    in_bulk: list[float] = []
    in_handover: list[float] = []
    form_data = {"which": "new", "days": "30", "csrf_token": token.group(1)}
    batches: list[float] = []  # one request per batch, each offering the next
    cpu = 0.0
    statements = letters = size_bytes = 0
    status = 200
    with timed(ops_inv, "bulk_issue", in_bulk), timed(handover, "build", in_handover):
        while True:
            seconds, counted, response = app_counter.measure(
                lambda data=form_data: client.post(path, data=data))
            body = response.get_data(as_text=True)
            batches.append(round(seconds, 3))
            cpu += app_counter.cpu
            statements += counted
            letters += body.count('class="letter"')
            size_bytes += len(response.get_data())
            status = response.status_code
            after = re.search(r'name="after" type="hidden" value="(\d+)"', body)
            if status != 200 or after is None:
                break
            form_data = {**form_data, "after": after.group(1)}
    result["request"] = {
        "s": round(sum(batches), 3), "batches_s": batches, "cpu_s": round(cpu, 3),
        "statements": statements, "status": status,
        "bulk_issue_s": round(sum(in_bulk), 3), "handovers_s": round(sum(in_handover), 3),
        "rest_s": round(sum(batches) - sum(in_bulk) - sum(in_handover), 3),
        "letters": letters, "bytes": size_bytes,
    }

    # The command line.
    runner = app.test_cli_runner()
    with Session(engine) as s:
        programme_name = s.scalar(select(Programme.name).where(Programme.id == programme_id))
    seconds, statements, out = app_counter.measure(lambda: runner.invoke(
        args=["invite", "--programme", programme_name, "--round", "3"]))
    result["cli"] = {"s": round(seconds, 3), "cpu_s": round(app_counter.cpu, 3),
                     "statements": statements,
                     "exit_code": out.exit_code, "lines": len(out.stdout.splitlines())}

    # What must still hold afterwards.
    with Session(engine) as s:
        problems = audit.verify_session(s)
        entries = s.scalar(select(func.count(AuditEntry.id))) or 0
        created = s.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == audit.Action.INVITATION_CREATED)) or 0
        selectors = list(s.scalars(select(Invitation.short_code_selector)))
    result["checks"] = {
        "audit_intact": not problems, "audit_entries": entries, "invitation_created": created,
        "expected_created": 4 * size,
        "codes_unique": len(set(selectors)) == len(selectors) and None not in selectors,
        "invitations": len(selectors),
    }
    app.extensions["kidsvoice.db"].engine.dispose()
    engine.dispose()
    return result


# --------------------------------------------------------------------------- the report


def table(backend: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"\n{backend}",
             f"{'children':>8} {'operation':>16} {'reissue':>16} {'request':>16} "
             f"{'(bulk/handover/rest)':>22} {'longest of n':>14} {'cli':>16}  checks"]
    for r in rows:
        def cell(part: dict[str, Any]) -> str:
            return f"{part['s']:7.3f} s {part['statements']:>6}q"
        req = r["request"]
        split = f"{req['bulk_issue_s']:.2f}/{req['handovers_s']:.2f}/{req['rest_s']:.2f}"
        checks = r["checks"]
        ok = (checks["audit_intact"] and checks["codes_unique"]
              and checks["invitation_created"] == checks["expected_created"]
              and req["status"] == 200 and req["letters"] == r["children"]
              and r["cli"]["exit_code"] == 0)
        longest = f"{max(req['batches_s']):.2f} s of {len(req['batches_s'])}"
        lines.append(f"{r['children']:>8} {cell(r['operation']):>16} {cell(r['reissue']):>16} "
                     f"{cell(req):>16} {split:>22} {longest:>14} {cell(r['cli']):>16}  "
                     f"{'ok' if ok else 'FAILED ' + json.dumps(checks)}")
    slopes = per_child(rows)
    if slopes:
        lines.append("statements per further child: "
                     + ", ".join(f"{part} {slope:.3f}" for part, slope in slopes.items()))
    return lines


def per_child(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Statements each further child costs, between the smallest and the largest size."""
    if len(rows) < 2:
        return {}
    a, b = rows[0], rows[-1]
    return {part: round((b[part]["statements"] - a[part]["statements"])
                        / (b["children"] - a["children"]), 3)
            for part in ("operation", "reissue", "request", "cli")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server (default: KIDSVOICE_TEST_DATABASE_URL)")
    args = parser.parse_args(argv)
    server = args.database_url or os.environ.get("KIDSVOICE_TEST_DATABASE_URL", "").strip()
    backends = ["sqlite"] + (["postgresql"] if server else [])
    report: dict[str, Any] = {"machine": {"python": platform.python_version(),
                                          "cpus": os.cpu_count()}, "results": {}}
    with tempfile.TemporaryDirectory(prefix="kv-bulk-") as tmp:
        for backend in backends:
            rows = []
            for size in args.sizes:
                with database(backend, server, Path(tmp), size) as url:
                    rows.append(run_size(url, size))
                print(f"{backend} {size}: done", file=sys.stderr, flush=True)
            report["results"][backend] = rows
            print("\n".join(table(backend, rows)))
    figures: dict[str, Any] = {}
    met = True
    for backend, rows in report["results"].items():
        figures[f"{backend}_statements_per_child"] = per_child(rows)
        for r in rows:
            if r["children"] == 1_000:
                figures[f"{backend}_bulk_invite_1000_s"] = r["operation"]["s"]
                figures[f"{backend}_request_1000_s"] = r["request"]["s"]
                met &= r["operation"]["s"] <= TARGETS["bulk_invite_1000_s"]
                met &= r["request"]["s"] <= TARGETS["request_1000_s"]
            checks = r["checks"]
            met &= bool(checks["audit_intact"] and checks["codes_unique"]
                        and checks["invitation_created"] == checks["expected_created"])
    if "sqlite_bulk_invite_1000_s" in figures:
        figures["bulk_invite_1000_s"] = figures["sqlite_bulk_invite_1000_s"]
        figures["request_1000_s"] = figures["sqlite_request_1000_s"]
    measured = "bulk_invite_1000_s" in figures  # the targets are for 1,000 children
    print(json.dumps({"benchmark": "bulk_invite", "figures": figures, "target": TARGETS,
                      "targets_met": met if measured else None, **report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
