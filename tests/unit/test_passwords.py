from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kidsvoice.passwords import backoff_until, hash_password, verify_password


def test_argon2id_hash_verifies() -> None:
    h = hash_password("a long enough password")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "a long enough password")
    assert not verify_password(h, "another password")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_backoff_doubles_and_is_capped() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert backoff_until(4, 5, now) is None
    assert backoff_until(5, 5, now) == now + timedelta(seconds=30)
    assert backoff_until(6, 5, now) == now + timedelta(seconds=60)
    assert backoff_until(50, 5, now) == now + timedelta(minutes=15)
