"""Short codes a child types on a shared tablet, e.g. ``K7P-M4X-Q9``.  Pure: no Flask.

A code is eight characters from an alphabet without look-alikes (no 0/O, 1/I/l), read aloud
and typed in three groups.  The first group is the *selector*: it picks the invitation (it is
stored as it is, and is unique among the invitations that can still be answered); the other
five characters are the *verifier*, of which the database keeps only an HMAC-SHA-256 under
the app's secret keys — a stolen database does not give the codes away, and key rotation
works as for the link tokens (the newest key hashes, every key verifies).

A wrong verifier counts a failure on the invitation it selects, and a tablet counts its own
failures; both back off (see :func:`backoff_seconds`), so 25 bits of verifier are plenty
against guessing on a tablet an adult started.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

#: 32 characters: digits 2-9 and capitals without I and O (and nothing lower-case, so no l).
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUPS = (3, 3, 2)
LENGTH = sum(GROUPS)
SELECTOR_LENGTH = GROUPS[0]
#: Wrong codes an invitation tolerates before its code stops working (a new letter is needed).
MAX_INVITATION_FAILURES = 5
#: Wrong codes a tablet tolerates before it makes the child wait.
FREE_TABLET_FAILURES = 5
_SALT = b"kidsvoice.shortcode.v1"
_SEPARATORS = str.maketrans("", "", " -_.\u00a0\u2010\u2011\u2012\u2013\u2014")


class CodeMalformed(ValueError):
    """What was typed cannot be a code at all (wrong length or characters)."""


@dataclass(frozen=True)
class ShortCode:
    code: str  # the eight characters, no separators

    @property
    def selector(self) -> str:
        return self.code[:SELECTOR_LENGTH]

    @property
    def display(self) -> str:
        """Grouped for reading: ``K7P-M4X-Q9``."""
        parts, start = [], 0
        for size in GROUPS:
            parts.append(self.code[start : start + size])
            start += size
        return "-".join(parts)

    def __str__(self) -> str:
        return self.display


def generate() -> ShortCode:
    return ShortCode("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def parse(typed: str) -> ShortCode:
    """Accept what a person types: any case, spaces or dashes anywhere.

    Raises :class:`CodeMalformed` for anything that cannot be a code, including the
    characters the alphabet leaves out, so a typo never costs a counted attempt.
    """
    code = (typed or "").translate(_SEPARATORS).upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        raise CodeMalformed(typed)
    return ShortCode(code)


def hash_code(code: ShortCode, key: str) -> str:
    """HMAC-SHA-256 (hex) of the whole code under one secret key."""
    digest_key = hashlib.sha256(_SALT + key.encode("utf-8")).digest()
    return hmac.new(digest_key, code.code.encode("ascii"), hashlib.sha256).hexdigest()


def matches(code: ShortCode, stored_hash: str, keys: Sequence[str]) -> bool:
    """Constant-time check of a code against a stored hash, under any of the keys."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(hash_code(code, key), stored_hash)
    return found


def backoff_seconds(failures: int, free: int = FREE_TABLET_FAILURES, cap: int = 3600) -> int:
    """Seconds to wait after ``failures`` wrong codes: none for the first ``free``, then
    30 s doubling per further failure, at most ``cap``."""
    if failures < free:
        return 0
    return int(min(cap, 30 * 2 ** (failures - free)))
