"""Short codes: readable, typo-tolerant where harmless, hashed, and slow to guess."""

from __future__ import annotations

import re

import pytest

from kidsvoice import shortcode
from kidsvoice.shortcode import ALPHABET, CodeMalformed, ShortCode, backoff_seconds


def test_alphabet_has_no_look_alikes() -> None:
    for confusing in "0O1lI":
        assert confusing not in ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET) == 32


def test_generated_codes_are_grouped_and_random() -> None:
    codes = {shortcode.generate() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{2}", code.display)
        assert code.selector == code.code[:3]
        assert str(code) == code.display


@pytest.mark.parametrize(
    "typed", ["K7P-M4X-Q9", "k7p m4x q9", " K7PM4XQ9 ", "k7p–m4x–q9", "K7P.M4X.Q9"]
)
def test_parse_accepts_what_people_type(typed: str) -> None:
    assert shortcode.parse(typed) == ShortCode("K7PM4XQ9")


@pytest.mark.parametrize("typed", ["", "K7P-M4X", "K7P-M4X-Q9X", "O7P-M4X-Q9", "K1P-M4X-Q9",
                                   "K7P-M4X-Q!", "ÆØÅ-M4X-Q9"])
def test_parse_refuses_what_cannot_be_a_code(typed: str) -> None:
    with pytest.raises(CodeMalformed):
        shortcode.parse(typed)


def test_hash_is_keyed_and_rotation_friendly() -> None:
    code = ShortCode("K7PM4XQ9")
    old, new = "old-key-" * 4, "new-key-" * 4
    stored = shortcode.hash_code(code, old)
    assert len(stored) == 64
    assert stored != shortcode.hash_code(code, new)
    assert shortcode.matches(code, stored, [old, new])
    assert not shortcode.matches(code, stored, [new])
    assert not shortcode.matches(ShortCode("K7PM4XQ8"), stored, [old, new])


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff_seconds(n) for n in range(5)] == [0, 0, 0, 0, 0]
    assert backoff_seconds(5) == 30
    assert backoff_seconds(6) == 60
    assert backoff_seconds(7) == 120
    assert backoff_seconds(50) == 3600
