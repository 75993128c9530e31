"""Invitation tokens: signed, unguessable, carrying nothing personal.  Pure: no Flask.

A token is an itsdangerous ``URLSafeSerializer`` signature (HMAC-SHA-256, a salt per purpose)
over ``[public_id, secret]``:

* ``public_id`` — the invitation's random public id (never its sequential database id);
* ``secret`` — 16 random bytes (128 bits), of which the database keeps only a SHA-256 hash.

The payload is readable by anyone holding the link, so it holds nothing about the child.
Expiry, revocation, first use and completion are *state in the database*, not in the token,
so one link can be revoked at once.  Key rotation: the serializer is given every secret key,
oldest first; it signs with the newest and accepts any, so old links keep working until their
key is dropped from ``KIDSVOICE_SECRET_KEYS``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer

SECRET_BYTES = 16
INVITATION_SALT = "kidsvoice.invitation.v1"


class TokenInvalid(Exception):
    """The token is malformed, tampered with, or signed by an unknown key."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    public_id: str
    secret_hash: str


@dataclass(frozen=True)
class ParsedToken:
    public_id: str
    secret: str

    def matches(self, secret_hash: str) -> bool:
        """Constant-time comparison of this token's secret with the stored hash."""
        return hmac.compare_digest(hash_secret(self.secret), secret_hash)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class InvitationTokens:
    """Issues and parses invitation tokens with a list of keys (oldest first)."""

    def __init__(self, secret_keys: Sequence[str], salt: str = INVITATION_SALT) -> None:
        if not secret_keys:
            raise ValueError("at least one secret key is needed")
        self._serializer = URLSafeSerializer(
            list(secret_keys), salt=salt, signer_kwargs={"digest_method": hashlib.sha256}
        )

    def issue(self, public_id: str) -> IssuedToken:
        secret = secrets.token_urlsafe(SECRET_BYTES)
        token = self._serializer.dumps([public_id, secret])
        return IssuedToken(token=token, public_id=public_id, secret_hash=hash_secret(secret))

    def parse(self, token: str) -> ParsedToken:
        if not token or len(token) > 512:
            raise TokenInvalid("token of impossible length")
        try:
            payload = self._serializer.loads(token)
        except (BadData, ValueError, UnicodeError) as exc:
            raise TokenInvalid("bad signature or payload") from exc
        if (
            not isinstance(payload, list)
            or len(payload) != 2
            or not all(isinstance(part, str) and 0 < len(part) <= 64 for part in payload)
        ):
            raise TokenInvalid("unexpected payload")
        return ParsedToken(public_id=payload[0], secret=payload[1])
