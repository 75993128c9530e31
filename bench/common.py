"""What the benchmarks share: a PostgreSQL server's admin connection and a logged-in staff
client."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from kidsvoice.db import make_engine

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pg_admin(url: str) -> Engine:
    """An autocommit engine on the server's ``postgres`` database, for CREATE and DROP
    DATABASE of a benchmark's own database (never the one ``url`` names)."""
    return make_engine(make_url(url).set(database="postgres").render_as_string(
        hide_password=False), isolation_level="AUTOCOMMIT")


def log_in(app: Any, email: str, password: str) -> Any:
    """A test client of ``app`` logged in through the real login form (with its CSRF token)."""
    client = app.test_client()
    token = _CSRF.search(client.get("/login").get_data(as_text=True))
    if token is None:
        raise SystemExit("no CSRF token on /login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token.group(1)})
    if response.status_code not in (302, 303):
        raise SystemExit(f"logging in as {email} failed: {response.status_code}")
    return client
