"""Fixtures for every test: a fresh, migrated database per test, the app, clients per role.

The suite runs on SQLite and — when ``KIDSVOICE_TEST_DATABASE_URL`` is set (``.ci/run`` sets it)
— again on PostgreSQL: every test that uses the database is parametrized over the backends.

A fresh database per test, cheaply: the schema is migrated once per backend with Alembic
(so the migrations themselves are what every test runs on); each test then gets a copy of the
migrated SQLite file, or the PostgreSQL tables truncated.  Both work for the browser tests too,
whose server runs in a thread of this process.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from kidsvoice import create_app
from kidsvoice.config import Config
from kidsvoice.db import Base, make_engine
from kidsvoice.migrate import upgrade

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PG_URL = os.environ.get("KIDSVOICE_TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> None:
    """argon2 at production strength costs ~0.1 s a hash; tests use the cheapest parameters
    (tests/unit/test_passwords.py checks the production profile itself)."""
    from kidsvoice.passwords import use_cheapest_parameters_for_tests

    use_cheapest_parameters_for_tests()


def pytest_report_header() -> str:
    return f"KidsVoice test databases: {', '.join(BACKENDS)}"


@dataclass
class TestDatabase:
    backend: str
    url: str
    reset: Callable[[], None]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_database(tmp_root: Path) -> Iterator[TestDatabase]:
    """A database of our own for this pytest worker, on the server ``PG_URL`` points at."""
    base = make_url(PG_URL)
    # Unique per run and worker: two runs on one server (a developer's and CI's, say) must
    # never drop each other's database.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:12]
    name = f"kidsvoice_test_{run}_{_worker()}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)

    def reset() -> None:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))

    yield TestDatabase("postgresql", url, reset)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlite_database(tmp_root: Path) -> TestDatabase:
    """A migrated template, and the file the tests use, restored from it before each test
    with SQLite's backup API (safe with WAL, unlike copying files under open connections)."""
    template = tmp_root / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    live = tmp_root / "kidsvoice.db"

    def reset() -> None:
        source, target = sqlite3.connect(template), sqlite3.connect(live)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()

    reset()
    return TestDatabase("sqlite", f"sqlite:///{live}", reset)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    root = tmp_path_factory.mktemp(f"db-{request.param}")
    if request.param == "sqlite":
        yield _sqlite_database(root)
    else:
        yield from _postgres_database(root)


def _config(url: str) -> Config:
    return Config(
        env="testing",
        testing=True,
        secret_keys=(TEST_SECRET,),
        database_url=url,
        base_url="http://localhost",
    )


@pytest.fixture(scope="session")
def _shared_app(backend: TestDatabase) -> Iterator[Flask]:
    """One app per backend for the whole run: building an app and compiling its templates
    costs more than most tests, so tests share it and get a fresh database each instead."""
    application = create_app(_config(backend.url))
    yield application
    application.extensions["kidsvoice.db"].dispose()


@pytest.fixture
def database(backend: TestDatabase) -> TestDatabase:
    """A fresh database for this test (the migrated schema, no rows)."""
    backend.reset()
    return backend


@pytest.fixture
def config(database: TestDatabase) -> Config:
    return _config(database.url)


@pytest.fixture
def app(_shared_app: Flask, database: TestDatabase) -> Iterator[Flask]:
    """The shared app on a fresh database; whatever a test changes in its configuration or
    extensions, and every rate-limit counter, is put back afterwards."""
    from kidsvoice.extensions import limiter

    application = _shared_app
    saved_config = dict(application.config)
    saved_extensions = dict(application.extensions)
    limiter.reset()
    yield application
    application.config.clear()
    application.config.update(saved_config)
    application.extensions.clear()
    application.extensions.update(saved_extensions)
    application.extensions["kidsvoice.db"].dispose()  # no connection outlives the test


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Any]:
    """A session for arranging and checking test data: commit to share what you made, and
    roll back before reading what the app wrote since (a transaction keeps its snapshot)."""
    from sqlalchemy.orm import Session

    with Session(bind=app.extensions["kidsvoice.db"].engine) as s:
        yield s


@pytest.fixture
def today() -> date:
    return date.today()


# ---- test data ------------------------------------------------------------------------

from tests.factories import Factory  # noqa: E402


@pytest.fixture
def make(app: Flask, session: Any) -> Factory:
    return Factory(app, session)


@pytest.fixture
def login_as(client: FlaskClient, make: Factory) -> Callable[..., Any]:
    """``login_as("coordinator")`` creates such a staff member, logs the client in, returns them."""

    def _login(role: str, **kwargs: Any) -> Any:
        user = make.staff(role, **kwargs)
        make.session.commit()
        response = client.post(
            "/login",
            data={"email": user.email, "password": make.PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """A CSRF token for ``client``'s session, read from a page's form."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no csrf token on {path}"
    return match.group(1)
