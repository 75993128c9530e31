"""Staff accounts: creation and the login check with back-off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Role, StaffUser, utcnow
from ..msgid import N_
from ..passwords import (
    MIN_PASSWORD_LENGTH,
    backoff_until,
    hash_password,
    needs_rehash,
    verify_password,
)
from . import OperationError

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_staff_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str | None = None,
    password_hash: str | None = None,
) -> StaffUser:
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise OperationError(N_("Enter a valid e-mail address."))
    if not name.strip():
        raise OperationError(N_("Enter a name."))
    try:
        role = Role(role)
    except ValueError as exc:
        raise OperationError(N_("Unknown role.")) from exc
    if password_hash is None:
        if password is None or len(password) < MIN_PASSWORD_LENGTH:
            raise OperationError(
                N_("The password must be at least %(n)s characters long."), n=MIN_PASSWORD_LENGTH
            )
        password_hash = hash_password(password)
    if session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise OperationError(N_("A staff member with that e-mail address already exists."))
    user = StaffUser(email=email, name=name.strip(), role=role, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class LoginResult:
    """What a login step decided.

    ``user`` is set when the step succeeded.  ``account`` is the account the e-mail named,
    whether or not the step succeeded (``None`` for an unknown address), so the audit log can
    name it; ``reason`` says why a step failed, in the audit log's words.
    """

    user: StaffUser | None
    #: Set when the account must wait before trying again.
    retry_after: datetime | None = None
    #: The password was right, but the account has two-factor login: a code must follow
    #: before anyone is logged in (the failure counter is not reset yet).
    needs_code: bool = False
    account: StaffUser | None = None
    reason: str | None = None


#: Failure reasons, as the audit log records them (never what was typed).
UNKNOWN_ACCOUNT = "unknown account"
WRONG_PASSWORD = "wrong password"  # noqa: S105 - a reason, not a password
INACTIVE_ACCOUNT = "inactive account"
WAITING = "too many failures: waiting"
WRONG_CODE = "wrong or used code"


def register_failure(user: StaffUser, *, backoff_threshold: int, now: datetime) -> None:
    """One more failed step on ``user``'s account (password or code): back off after many."""
    user.failed_logins += 1
    user.locked_until = backoff_until(user.failed_logins, backoff_threshold, now)


def register_success(user: StaffUser, *, now: datetime) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now


def authenticate(
    session: Session, *, email: str, password: str, backoff_threshold: int
) -> LoginResult:
    """Check a login; count failures on the account and slow it down after too many.

    During a back-off the password is not even checked, so guessing gains nothing; the
    counter resets on success — for an account with two-factor login only once the code is
    right too (:func:`kidsvoice.operations.twofactor.check_login_code`), so that knowing the
    password does not buy fresh guesses at the code.  An unknown e-mail costs the same
    hashing time as a wrong password.
    """
    now = utcnow()
    user = session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == normalise_email(email))
    )
    if user is None:
        verify_password(None, password)
        return LoginResult(None, reason=UNKNOWN_ACCOUNT)
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, retry_after=user.locked_until, account=user, reason=WAITING)
    if not verify_password(user.password_hash, password) or not user.active:
        register_failure(user, backoff_threshold=backoff_threshold, now=now)
        reason = WRONG_PASSWORD if user.active else INACTIVE_ACCOUNT
        return LoginResult(None, retry_after=user.locked_until, account=user, reason=reason)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_enabled_at is not None:
        return LoginResult(user, needs_code=True, account=user)
    register_success(user, now=now)
    return LoginResult(user, account=user)
