"""Time-based one-time codes (TOTP, RFC 6238) for staff two-factor login.  Pure: no Flask.

pyotp makes the secrets and the codes; this module adds what a login needs around them:

* codes are accepted one 30-second step early or late (clocks drift), never further;
* a code is accepted only for a time step *after* the last one accepted for the account
  (``totp_last_step``), so a code seen over a shoulder or replayed is worthless;
* what a person types is forgiven its spaces, dashes and full-width digits.
"""

from __future__ import annotations

import hmac
import re
import time
import unicodedata

import pyotp

DIGITS = 6
INTERVAL = 30
#: Steps either side of now that are still accepted.
WINDOW = 1
ISSUER = "KidsVoice"

_CODE = re.compile(rf"[0-9]{{{DIGITS}}}")
_SEPARATORS = re.compile(r"[\s\-\u00a0]")


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32()


def normalise_code(code: str) -> str:
    """``"123 456"``, ``"123-456"`` and full-width ``"１２３４５６"`` all become ``"123456"``."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", code or ""))


def step_at(now: float) -> int:
    return int(now // INTERVAL)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).generate_otp(step)


def matching_step(
    secret: str, code: str, *, now: float | None = None, last_step: int | None = None
) -> int | None:
    """The time step ``code`` belongs to, if it is right, current and not used before."""
    typed = normalise_code(code)
    if not _CODE.fullmatch(typed):
        return None
    current = step_at(time.time() if now is None else now)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        # Compare every candidate (constant work), remember the match.
        if hmac.compare_digest(code_at(secret, step), typed) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=issuer
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
