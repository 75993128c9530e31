"""A staff member's own two-factor login: set it up (QR code and key, confirmed by a code),
turn it off (password and code), and the rule that sends staff without it to the set-up page
before anything else when an administrator has made it required.

The command ``kidsvoice staff reset-2fa EMAIL`` turns it off for an account from the server,
for the day the only administrator loses their phone.
"""

from __future__ import annotations

from typing import Any

import click
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import totp
from ..access import STAFF, access_of, roles
from ..extensions import htmx
from ..models import StaffUser
from ..operations import OperationError
from ..operations.staff import normalise_email
from ..operations.twofactor import (
    TwoFactorError,
    confirm_setup,
    disable,
    is_enabled,
    offer_secret,
    reset,
    totp_required,
)
from ..qr import svg
from ..web import database, db_session
from . import bp
from .auth import _threshold, audit_failure, login_limit
from .forms import TwoFactorConfirmForm, TwoFactorDisableForm, TwoFactorStartForm

Page = str | Response | tuple[str, int]

#: Where a staff member without two-factor login may still go when it is required.
_ALWAYS_ALLOWED = frozenset({
    "staff.two_factor", "staff.two_factor_start", "staff.logout",
})


def _me() -> StaffUser:
    user: StaffUser = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


@bp.before_app_request
def _require_second_factor() -> Response | None:
    """When two-factor login is required, staff without it reach only its set-up page."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in _ALWAYS_ALLOWED:
        return None
    access = access_of(current_app, endpoint)
    if access is None or access.kind != "staff" or not current_user.is_authenticated:
        return None
    if is_enabled(_me()) or not totp_required(db_session()):
        return None
    url = url_for("staff.two_factor")
    if htmx:
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def _page(status: int = 200, *, confirm: TwoFactorConfirmForm | None = None,
          disable_form: TwoFactorDisableForm | None = None) -> tuple[str, int]:
    user = _me()
    context: dict[str, Any] = {
        "enabled": is_enabled(user),
        "required": totp_required(db_session()),
        "start_form": TwoFactorStartForm(),
    }
    if context["enabled"]:
        context["disable_form"] = disable_form or TwoFactorDisableForm()
    elif user.totp_secret:
        uri = totp.provisioning_uri(user.totp_secret, user.email)
        context.update(
            confirm_form=confirm or TwoFactorConfirmForm(),
            qr=svg(uri, title=_("QR code to scan with your authenticator app"), scale=5),
            key=totp.grouped(user.totp_secret),
        )
    return render_template("staff/two_factor.html", **context), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@roles(*STAFF)
def two_factor() -> Page:
    """Status and set-up; a POST confirms the set-up with a code."""
    if request.method == "GET":
        return _page()
    form = TwoFactorConfirmForm()
    if not form.validate_on_submit():
        return _page(400, confirm=form)
    s = db_session()
    try:
        confirm_setup(s, user=_me(), code=form.code.data or "")
    except TwoFactorError as exc:
        s.rollback()
        form.code.errors = [*form.code.errors, _(exc.message)]  # noqa: INT001
        return _page(400, confirm=form)
    except OperationError as exc:
        s.rollback()
        flash(_(exc.message), "error")  # noqa: INT001
        return redirect(url_for(".two_factor"), code=303)
    s.commit()
    flash(_("Two-factor login is on. From now on you type a code from your app when you log "
            "in."), "info")
    return redirect(url_for(".two_factor"), code=303)


@bp.route("/account/two-factor/start", methods=["POST"])
@roles(*STAFF)
def two_factor_start() -> Page:
    """Offer a secret (a new one when ``again`` is sent: a new phone, a failed scan)."""
    if not TwoFactorStartForm().validate_on_submit():
        return _page(400)
    s = db_session()
    try:
        offer_secret(_me(), fresh=request.form.get("again") == "1")
    except OperationError as exc:
        s.rollback()
        flash(_(exc.message), "error")  # noqa: INT001
        return redirect(url_for(".two_factor"), code=303)
    s.commit()
    return redirect(url_for(".two_factor"), code=303)


@bp.route("/account/two-factor/off", methods=["POST"])
@roles(*STAFF)
@login_limit
def two_factor_disable() -> Page:
    """Turn it off with the password and a current code (counted like a login)."""
    user = _me()
    if not is_enabled(user):
        return redirect(url_for(".two_factor"), code=303)
    form = TwoFactorDisableForm()
    if not form.validate_on_submit():
        return _page(400, disable_form=form)
    s = db_session()
    result = disable(s, user=user, password=form.password.data or "",
                     code=form.code.data or "", backoff_threshold=_threshold())
    if result.user is None:
        audit_failure(s, result, "turn off two-factor login")
        s.commit()
        if result.retry_after is not None:
            form.code.errors = [_("Too many failed attempts. Please wait a few minutes and try "
                                  "again.")]
            return _page(429, disable_form=form)
        form.code.errors = [_("The password or the code is not right.")]
        return _page(401, disable_form=form)
    s.commit()
    flash(_("Two-factor login is off."), "info")
    return redirect(url_for(".two_factor"), code=303)


@bp.cli.command("reset-2fa")
@click.argument("email")
def reset_2fa_command(email: str) -> None:
    """Turn off two-factor login for the account EMAIL (a lost phone)."""
    with database().transaction() as s:
        user = s.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
        if user is None:
            raise click.ClickException(f"No staff member has the e-mail address {email}.")
        was_on = is_enabled(user)
        reset(s, user=user, actor=None, actor_label="cli")
    click.echo(f"Two-factor login for {email} is reset" + ("." if was_on else " (it was off)."))
