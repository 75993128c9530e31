"""Rate limits count failures only: guessing links or passwords is stopped, a class of tablets
sharing one school address is not."""

from __future__ import annotations

import os
import socket
from dataclasses import replace

import pytest

from kidsvoice import create_app
from tests.conftest import csrf_token

# One Redis database per pytest worker (15, 14, …), emptied by the test that uses it.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS = os.environ.get("KIDSVOICE_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER}")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_guessing_links_is_stopped_after_20_failures(app, client, make, session) -> None:
    child = make.child()
    _invitation, token = make.invitation(child)
    session.commit()
    for i in range(20):
        assert client.get(f"/i/guess-{i}").status_code == 404
    blocked = client.get(f"/i/{token}")  # even a right link waits now
    assert blocked.status_code == 429
    assert "For mange forsøg" in blocked.get_data(as_text=True)


def test_successful_link_openings_are_not_counted(app, make, session) -> None:
    child = make.child()
    _invitation, token = make.invitation(child)
    session.commit()
    for _ in range(40):  # a whole class opening links from one school address
        assert app.test_client().get(f"/i/{token}").status_code == 303


def test_login_failures_are_limited_per_address(app, client, make) -> None:
    users = [make.staff("coordinator") for _ in range(11)]
    make.session.commit()
    token = csrf_token(client)
    for user in users[:10]:  # ten different accounts, one wrong password each
        r = client.post("/login", data={"email": user.email, "password": "wrong-password!",
                                        "csrf_token": token})
        assert r.status_code == 401
    r = client.post("/login", data={"email": users[10].email, "password": make.PASSWORD,
                                    "csrf_token": token})
    assert r.status_code == 429


def test_successful_logins_are_not_counted(app, make) -> None:
    user = make.staff("coordinator")
    make.session.commit()
    for _ in range(15):
        client = app.test_client()
        r = client.post("/login", data={"email": user.email, "password": make.PASSWORD,
                                        "csrf_token": csrf_token(client)})
        assert r.status_code == 302


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_workers_share_limits_through_redis(config) -> None:
    # Only these two apps in this test: the limiter is one per process, as in production.
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # database 15 is the tests' own
    shared = replace(config, ratelimit_storage_url=REDIS, link_failure_limit="3/minute",
                     testing=False)
    first, second = create_app(shared), create_app(shared)  # two workers
    try:
        for _ in range(3):
            assert first.test_client().get("/i/guess").status_code == 404
        assert second.test_client().get("/i/guess").status_code == 429
    finally:
        for app in (first, second):
            app.extensions["kidsvoice.db"].dispose()
