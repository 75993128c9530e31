"""Two-factor login for staff: set-up, the login's second step, turning it off, the admin's
reset, and the installation setting that makes it required.

The secret lives on the staff member's row (``totp_secret``).  While ``totp_enabled_at`` is
empty the secret is only *offered*: the login does not ask for a code until the staff member
has proved with one that their app holds it.  Every accepted code moves ``totp_last_step``
forward in one conditional UPDATE, so one code is accepted once, even by two requests at once.
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import totp
from ..audit import Action, record
from ..models import Setting, StaffUser, utcnow
from ..msgid import N_
from ..passwords import verify_password
from . import OperationError
from .staff import (
    WAITING,
    WRONG_CODE,
    WRONG_PASSWORD,
    LoginResult,
    register_failure,
    register_success,
)

REQUIRE_TOTP = "require_totp"


class TwoFactorError(OperationError):
    """A code or password was not right; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field


# ---- the installation setting ----------------------------------------------------------


def totp_required(session: Session) -> bool:
    setting = session.get(Setting, REQUIRE_TOTP)
    return bool(setting is not None and setting.value.get("required"))


def set_totp_required(session: Session, *, required: bool, actor: StaffUser) -> None:
    setting = session.get(Setting, REQUIRE_TOTP)
    if setting is None:
        setting = Setting(key=REQUIRE_TOTP, value={})
        session.add(setting)
    if bool(setting.value.get("required")) == required:
        return
    setting.value = {"required": required}
    record(session, action=Action.SETTING_CHANGED, actor=actor,
           detail={"setting": REQUIRE_TOTP, "value": required})


# ---- set-up ----------------------------------------------------------------------------


def is_enabled(user: StaffUser) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def offer_secret(user: StaffUser, *, fresh: bool = False) -> str:
    """The secret to show for set-up: kept across reloads, new when ``fresh``."""
    if is_enabled(user):
        raise OperationError(N_("Two-factor login is already on."))
    if fresh or not user.totp_secret:
        user.totp_secret = totp.new_secret()
        user.totp_last_step = None
    return user.totp_secret


def _accept(session: Session, user: StaffUser, code: str, now: float) -> int | None:
    """The code's step if it is right and newer than any accepted before; recorded at once."""
    if not user.totp_secret:
        return None
    step = totp.matching_step(user.totp_secret, code, now=now, last_step=user.totp_last_step)
    if step is None:
        return None
    moved = session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id)
        .where(or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return None  # another request used this code a moment ago
    set_committed_value(user, "totp_last_step", step)
    return step


def confirm_setup(session: Session, *, user: StaffUser, code: str,
                  now: float | None = None) -> None:
    """Turn two-factor login on once a code from the offered secret is right."""
    if is_enabled(user):
        raise OperationError(N_("Two-factor login is already on."))
    if not user.totp_secret:
        raise OperationError(N_("Start the set-up again."))
    if _accept(session, user, code, time.time() if now is None else now) is None:
        raise TwoFactorError(
            N_("That code is not right. Check the time on your phone and type the newest code."),
            field="code",
        )
    user.totp_enabled_at = utcnow()
    record(session, action=Action.TOTP_ENABLED, actor=user)


# ---- the login's second step, and turning it off ----------------------------------------


def check_login_code(
    session: Session, *, user: StaffUser, code: str, backoff_threshold: int,
    now: datetime | None = None,
) -> LoginResult:
    """The login's second step: the code counts as a failed login when wrong."""
    now = now or utcnow()
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, retry_after=user.locked_until, account=user, reason=WAITING)
    if not user.active or not is_enabled(user) or _accept(
        session, user, code, now.timestamp()
    ) is None:
        register_failure(user, backoff_threshold=backoff_threshold, now=now)
        return LoginResult(None, retry_after=user.locked_until, account=user, reason=WRONG_CODE)
    register_success(user, now=now)
    return LoginResult(user, account=user)


def disable(
    session: Session, *, user: StaffUser, password: str, code: str, backoff_threshold: int,
    now: datetime | None = None,
) -> LoginResult:
    """Turn two-factor login off: the password and a current code, counted like a login."""
    now = now or utcnow()
    if not is_enabled(user):
        raise OperationError(N_("Two-factor login is not on."))
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, retry_after=user.locked_until, account=user, reason=WAITING)
    if not verify_password(user.password_hash, password):
        register_failure(user, backoff_threshold=backoff_threshold, now=now)
        return LoginResult(None, retry_after=user.locked_until, account=user,
                           reason=WRONG_PASSWORD)
    if _accept(session, user, code, now.timestamp()) is None:
        register_failure(user, backoff_threshold=backoff_threshold, now=now)
        return LoginResult(None, retry_after=user.locked_until, account=user, reason=WRONG_CODE)
    user.failed_logins = 0
    user.locked_until = None
    _clear(user)
    record(session, action=Action.TOTP_DISABLED, actor=user)
    return LoginResult(user, account=user)


def reset(session: Session, *, user: StaffUser, actor: StaffUser | None,
          actor_label: str | None = None) -> None:
    """An administrator (or the server's command line) turns off a staff member's two-factor
    login: a lost phone.  At their next login they may set it up again (or must, when it is
    required)."""
    _clear(user)
    record(session, action=Action.TOTP_RESET, actor=actor, actor_label=actor_label,
           detail={"staff_id": user.id, "staff": user.email})


def _clear(user: StaffUser) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
