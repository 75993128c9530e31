"""Staff password hashing with argon2id (argon2-cffi), and the login back-off rule.

Pure: no Flask.  The hasher uses argon2-cffi's RFC 9106 "low memory" profile, which takes well
under 250 ms per login on a 2-core server; :func:`needs_rehash` lets a login upgrade an old
hash when the parameters change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)

MIN_PASSWORD_LENGTH = 12
#: A hash of a random password, verified when the e-mail is unknown so that a wrong
#: address takes as long as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("kidsvoice-dummy-password-for-timing")

BACKOFF_START = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=15)


def use_cheapest_parameters_for_tests() -> None:
    """Make hashing nearly free (argon2-cffi's CHEAPEST profile) — for the test suite only,
    where hundreds of logins would otherwise cost minutes; the code paths stay the same."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(CHEAPEST)
    _DUMMY_HASH = _hasher.hash("kidsvoice-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def backoff_until(failures: int, threshold: int, now: datetime) -> datetime | None:
    """When an account with ``failures`` consecutive failed logins may try again.

    Below ``threshold`` there is no wait; from there the wait doubles (30 s, 1 min, 2 min …)
    up to 15 minutes.  The account is slowed, never closed: a colleague typing a wrong
    password cannot lock someone out for good (see docs/SECURITY.md).
    """
    if failures < threshold:
        return None
    wait = BACKOFF_START * (2 ** min(failures - threshold, 10))
    return now + min(wait, BACKOFF_MAX)
