"""One-time codes: accepted within one step of now, once, whatever way they are typed."""

from __future__ import annotations

import re

from kidsvoice import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_000.0  # a fixed moment; step 60_000_000


def test_rfc_6238_reference_code() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); its last six are ours.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp.code_at(secret, totp.step_at(59)) == "287082"


def test_the_current_code_and_one_step_either_side_are_accepted() -> None:
    step = totp.step_at(NOW)
    for offset in (-1, 0, 1):
        assert totp.matching_step(SECRET, totp.code_at(SECRET, step + offset), now=NOW) == (
            step + offset)
    for offset in (-3, -2, 2, 3):
        assert totp.matching_step(SECRET, totp.code_at(SECRET, step + offset), now=NOW) is None


def test_a_code_is_not_accepted_for_a_step_already_used() -> None:
    step = totp.step_at(NOW)
    code = totp.code_at(SECRET, step)
    assert totp.matching_step(SECRET, code, now=NOW, last_step=step - 1) == step
    assert totp.matching_step(SECRET, code, now=NOW, last_step=step) is None
    # nor an older code once a newer one was used
    older = totp.code_at(SECRET, step - 1)
    assert totp.matching_step(SECRET, older, now=NOW, last_step=step) is None


def test_typing_is_forgiven_but_not_guessing() -> None:
    step = totp.step_at(NOW)
    code = totp.code_at(SECRET, step)
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in code)
    for typed in (code, f" {code[:3]} {code[3:]} ", f"{code[:3]}-{code[3:]}", fullwidth):
        assert totp.matching_step(SECRET, typed, now=NOW) == step, typed
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in code)  # not ASCII after NFKC
    for typed in ("", "12345", "1234567", "abcdef", code + "0", arabic_indic, "١٢٣٤٥٦"):
        assert totp.matching_step(SECRET, typed, now=NOW) is None, typed


def test_secrets_are_random_160_bit_base32() -> None:
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(re.fullmatch(r"[A-Z2-7]{32}", s) for s in secrets)


def test_provisioning_uri_names_the_issuer_and_account() -> None:
    uri = totp.provisioning_uri(SECRET, "karin@kommune.dk")
    assert uri.startswith("otpauth://totp/KidsVoice:karin%40kommune.dk?")
    assert f"secret={SECRET}" in uri
    assert "issuer=KidsVoice" in uri


def test_grouped_key_is_easy_to_type() -> None:
    assert totp.grouped(SECRET) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
