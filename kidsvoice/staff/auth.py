"""Staff login and logout (Flask-Login), with per-account back-off after failed logins."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..access import STAFF, public, roles
from ..extensions import limiter, login_manager
from ..models import StaffUser
from ..operations.staff import authenticate
from ..web import db_session
from . import bp
from .forms import LoginForm


@login_manager.user_loader
def _load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = db_session().scalar(select(StaffUser).where(StaffUser.id == int(user_id)))
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect (``//evil``, ``https://…``, ``\\``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("staff.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("staff.dashboard")
    return target


def _login_failure_limit() -> str:
    return str(current_app.config["KIDSVOICE_LOGIN_FAILURE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_failure_limit, methods=["POST"],
               deduct_when=lambda r: r.status_code in (400, 401, 429))
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        s = db_session()
        result = authenticate(
            s,
            email=form.email.data or "",
            password=form.password.data or "",
            backoff_threshold=current_app.extensions["kidsvoice.config"].login_failures_before_backoff,
        )
        s.commit()
        if result.user is not None:
            # A fresh session at login: nothing chosen before (not even by an attacker who
            # planted a cookie) carries over, except the language.
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            session.permanent = True
            login_user(result.user)
            return redirect(safe_next(request.args.get("next")))
        if result.retry_after is not None:
            flash(_("Too many failed attempts. Please wait a few minutes and try again."), "error")
            status = 429
        else:
            flash(_("The e-mail or password is not right."), "error")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("staff/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@roles(*STAFF)
def logout() -> Response:
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("staff.login"))
