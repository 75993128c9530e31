"""How long a staff login takes: argon2id alone, and a whole POST /login through the app.

Timings only, never asserted (machines differ).  Run on an idle machine:

    .venv/bin/python bench/login_time.py

docs/SECURITY.md records the figures and the parameters they were measured with; the
target is at most about 250 ms per login, so that hashing slows guessing without making a
login feel slow or letting a burst of logins tie up the server.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session  # noqa: E402

from kidsvoice import create_app  # noqa: E402
from kidsvoice.config import Config  # noqa: E402
from kidsvoice.db import make_engine  # noqa: E402
from kidsvoice.migrate import upgrade  # noqa: E402
from kidsvoice.operations.staff import create_staff_user  # noqa: E402
from kidsvoice.passwords import _hasher, hash_password, verify_password  # noqa: E402

PASSWORD = "correct horse battery staple"  # noqa: S105
RUNS = int(os.environ.get("RUNS", "20"))


def summary(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(f"{name:<34} min {ms[0]:6.1f}  median {statistics.median(ms):6.1f}  "
          f"p90 {ms[int(len(ms) * 0.9) - 1]:6.1f} ms  (n={len(ms)})")


def main() -> None:
    print(f"argon2id t={_hasher.time_cost} m={_hasher.memory_cost} KiB "
          f"p={_hasher.parallelism}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    stored = hash_password(PASSWORD)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        assert verify_password(stored, PASSWORD)
        timings.append(time.perf_counter() - start)
    summary("argon2id verify", timings)

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(make_engine(url))
        app = create_app(Config(env="testing", testing=True, database_url=url,
                                login_failure_limit="10000/minute"))
        with Session(bind=app.extensions["kidsvoice.db"].engine) as s:
            create_staff_user(s, email="bench@example.org", name="Bench", role="coordinator",
                              password=PASSWORD)
            s.commit()
        for label, password in (("POST /login, right password", PASSWORD),
                                ("POST /login, wrong password", "not the password"),
                                ("POST /login, unknown e-mail", PASSWORD)):
            email = "nobody@example.org" if "unknown" in label else "bench@example.org"
            timings = []
            for _ in range(RUNS):
                client = app.test_client()
                html = client.get("/login").get_data(as_text=True)
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
                start = time.perf_counter()
                client.post("/login", data={"email": email, "password": password,
                                            "csrf_token": token})
                timings.append(time.perf_counter() - start)
                if "wrong" in label:  # keep the account out of its back-off
                    with Session(bind=app.extensions["kidsvoice.db"].engine) as s:
                        s.execute(__import__("sqlalchemy").text(
                            "UPDATE staff_users SET failed_logins = 0, locked_until = NULL"))
                        s.commit()
            summary(label, timings)
        app.extensions["kidsvoice.db"].dispose()


if __name__ == "__main__":
    main()
