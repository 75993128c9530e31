"""Invitation tokens: signed, 128-bit secrets, nothing personal, key rotation."""

from __future__ import annotations

import base64
import json

import pytest

from kidsvoice.tokens import SECRET_BYTES, InvitationTokens, TokenInvalid, hash_secret

KEY_A = "a" * 40
KEY_B = "b" * 40


def _payload(token: str) -> list[str]:
    body = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_round_trip_and_hash_only() -> None:
    tokens = InvitationTokens([KEY_A])
    issued = tokens.issue("pub-123")
    parsed = tokens.parse(issued.token)
    assert parsed.public_id == "pub-123"
    assert parsed.matches(issued.secret_hash)
    assert issued.secret_hash == hash_secret(parsed.secret)
    assert parsed.secret not in issued.secret_hash


def test_payload_carries_only_the_public_id_and_a_128_bit_secret() -> None:
    issued = InvitationTokens([KEY_A]).issue("pub-123")
    public_id, secret = _payload(issued.token)
    assert public_id == "pub-123"
    assert len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) == SECRET_BYTES >= 16


def test_every_token_is_different() -> None:
    tokens = InvitationTokens([KEY_A])
    assert len({tokens.issue("same").token for _ in range(50)}) == 50


@pytest.mark.parametrize(
    "mangle",
    [
        # flip a character in the middle of the signature (the last base64 character of a
        # 32-byte signature carries padding bits, so changing it can decode to the same bytes)
        lambda t: t[:-10] + ("A" if t[-10] != "A" else "B") + t[-9:],
        lambda t: ("B" if t[0] != "B" else "C") + t[1:],
        lambda t: t.split(".")[0],
        lambda t: "x" + t,
        lambda t: "",
        lambda t: t * 10,
        lambda t: (
            base64.urlsafe_b64encode(b'["pub","secret"]').decode().rstrip("=")
            + "."
            + t.split(".")[1]
        ),
    ],
)
def test_tampered_tokens_are_refused(mangle) -> None:
    tokens = InvitationTokens([KEY_A])
    with pytest.raises(TokenInvalid):
        tokens.parse(mangle(tokens.issue("pub").token))


def test_wrong_key_and_wrong_purpose_are_refused() -> None:
    token = InvitationTokens([KEY_A]).issue("pub").token
    with pytest.raises(TokenInvalid):
        InvitationTokens([KEY_B]).parse(token)
    with pytest.raises(TokenInvalid):
        InvitationTokens([KEY_A], salt="another.purpose").parse(token)


def test_key_rotation_keeps_old_links_until_the_key_is_dropped() -> None:
    old_token = InvitationTokens([KEY_A]).issue("pub").token
    rotated = InvitationTokens([KEY_A, KEY_B])
    assert rotated.parse(old_token).public_id == "pub"
    new_token = rotated.issue("pub2").token
    assert InvitationTokens([KEY_B]).parse(new_token).public_id == "pub2"
    with pytest.raises(TokenInvalid):
        InvitationTokens([KEY_B]).parse(old_token)


def test_a_wrong_secret_does_not_match() -> None:
    tokens = InvitationTokens([KEY_A])
    first, second = tokens.issue("pub"), tokens.issue("pub")
    assert not tokens.parse(first.token).matches(second.secret_hash)


def test_tokens_module_is_free_of_flask() -> None:
    import kidsvoice.tokens as module

    source = open(module.__file__, encoding="utf-8").read()
    assert "flask" not in source.lower().replace("no flask", "")
