"""Staff login and logout (Flask-Login): the password, then — for an account with two-factor
login — a code from the staff member's app; per-account back-off and a per-address limit on
failures; an audit entry for every login, failed login and logout.

Nobody is logged in until every step is right.  Between the password and the code the
session holds only the account's id and the time the password was given (five minutes to
type the code); the session is emptied before each step, so nothing planted in it before
(session fixation) survives a login.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..access import STAFF, public, roles
from ..audit import Action, record
from ..extensions import limiter, login_manager
from ..models import StaffUser
from ..operations.staff import UNKNOWN_ACCOUNT, LoginResult, authenticate
from ..operations.twofactor import check_login_code, is_enabled, offer_secret, totp_required
from ..web import db_session
from . import bp
from .forms import LoginCodeForm, LoginForm

#: The session key of a login waiting for its code, and how long it waits.
PENDING = "login_pending"
PENDING_SECONDS = 300


@login_manager.user_loader
def _load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = db_session().scalar(select(StaffUser).where(StaffUser.id == int(user_id)))
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect (``//evil``, ``https://…``, ``\\``,
    control characters or spaces a browser would strip or reinterpret)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(unicodedata.category(c)[0] in "CZ" for c in target)
        or len(target) > 2000
    ):
        return url_for("staff.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("staff.dashboard")
    return target


def _login_failure_limit() -> str:
    return str(current_app.config["KIDSVOICE_LOGIN_FAILURE_LIMIT"])


#: Failed password and code attempts from one address share one limit (Flask-Limiter counts
#: only failures: a whole office behind one address logging in is never slowed).
login_limit = limiter.shared_limit(
    _login_failure_limit, scope="staff-login", methods=["POST"],
    deduct_when=lambda r: r.status_code in (400, 401, 429),
)


def _threshold() -> int:
    threshold: int = current_app.extensions["kidsvoice.config"].login_failures_before_backoff
    return threshold


def _fresh_session() -> None:
    """Empty the session but for the language: nothing chosen before carries over."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def audit_failure(s: Any, result: LoginResult, step: str) -> None:
    # An unknown address is recorded as "unknown account": never the text that was typed
    # (it may be a password typed into the wrong field, or a person's private address).
    record(
        s,
        action=Action.LOGIN_FAILED,
        actor=result.account,
        actor_label=UNKNOWN_ACCOUNT if result.account is None else None,
        detail={"step": step, "reason": result.reason or UNKNOWN_ACCOUNT},
    )


def _complete_login(s: Any, user: StaffUser, next_url: str | None, *, second_factor: bool
                    ) -> Response:
    detail: dict[str, object] = {"second_factor": "totp" if second_factor else "none"}
    must_set_up = not is_enabled(user) and totp_required(s)
    if must_set_up:
        offer_secret(user)
        detail["sent_to_set_up"] = True
    record(s, action=Action.LOGIN, actor=user, detail=detail)
    s.commit()
    _fresh_session()
    session.permanent = True
    login_user(user)
    if must_set_up:
        return redirect(url_for("staff.two_factor"), code=303)
    return redirect(safe_next(next_url), code=302)


def _failure_page(template: str, form: Any, result: LoginResult, message: str,
                  **context: Any) -> tuple[str, int]:
    if result.retry_after is not None:
        flash(_("Too many failed attempts. Please wait a few minutes and try again."), "error")
        return render_template(template, form=form, **context), 429
    flash(message, "error")
    return render_template(template, form=form, **context), 401


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limit
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        s = db_session()
        result = authenticate(
            s, email=form.email.data or "", password=form.password.data or "",
            backoff_threshold=_threshold(),
        )
        if result.user is not None and result.needs_code:
            s.commit()
            _fresh_session()
            session[PENDING] = {
                "user_id": result.user.id,
                "at": time.time(),
                "next": request.args.get("next") or "",
            }
            return redirect(url_for("staff.login_code"), code=303)
        if result.user is not None:
            return _complete_login(s, result.user, request.args.get("next"), second_factor=False)
        audit_failure(s, result, "password")
        s.commit()
        return _failure_page("staff/login.html", form, result,
                             _("The e-mail or password is not right."))
    if request.method == "POST":
        return render_template("staff/login.html", form=form), 400
    return render_template("staff/login.html", form=form)


def _pending_user() -> StaffUser | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    user_id, at = pending.get("user_id"), pending.get("at")
    if not isinstance(user_id, int) or not isinstance(at, int | float):
        return None
    if not 0 <= time.time() - at <= PENDING_SECONDS:
        return None
    user = db_session().get(StaffUser, user_id)
    return user if user is not None and user.active and is_enabled(user) else None


@bp.route("/login/code", methods=["GET", "POST"])
@public
@login_limit
def login_code() -> str | Response | tuple[str, int]:
    """The second step: a code from the staff member's authenticator app."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("staff.login"), code=303)
    form = LoginCodeForm()
    if form.validate_on_submit():
        s = db_session()
        result = check_login_code(s, user=user, code=form.code.data or "",
                                  backoff_threshold=_threshold())
        if result.user is not None:
            return _complete_login(s, result.user, session[PENDING].get("next"),
                                   second_factor=True)
        audit_failure(s, result, "code")
        s.commit()
        return _failure_page("staff/login_code.html", form, result,
                             _("That code is not right. Type the newest code from your app."))
    if request.method == "POST":
        return render_template("staff/login_code.html", form=form), 400
    return render_template("staff/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles(*STAFF)
def logout() -> Response:
    s = db_session()
    record(s, action=Action.LOGOUT, actor=current_user._get_current_object())  # type: ignore[attr-defined]
    s.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("staff.login"))
