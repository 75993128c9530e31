"""Administrator pages for login security: requiring two-factor login for all staff, and
resetting one staff member's two-factor login (a lost phone).  Both are audited."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..access import roles
from ..models import Role, StaffUser
from ..operations.twofactor import is_enabled, reset, set_totp_required
from ..web import db_session
from . import bp
from .forms import ResetTwoFactorForm, TwoFactorSettingForm


def _me() -> StaffUser:
    user: StaffUser = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


@bp.route("/staff/two-factor", methods=["POST"])
@roles(Role.ADMIN)
def two_factor_setting() -> Response:
    form = TwoFactorSettingForm()
    if not form.validate_on_submit():
        abort(400)
    s = db_session()
    required = bool(form.required.data)
    set_totp_required(s, required=required, actor=_me())
    s.commit()
    if required:
        flash(_("Two-factor login is now required. Staff without it set it up before they "
                "can go on."), "info")
    else:
        flash(_("Two-factor login is now optional."), "info")
    return redirect(url_for(".staff_list"), code=303)


@bp.route("/staff/<int:user_id>/two-factor/reset", methods=["POST"])
@roles(Role.ADMIN)
def two_factor_reset(user_id: int) -> Response:
    if not ResetTwoFactorForm().validate_on_submit():
        abort(400)
    s = db_session()
    user = s.get(StaffUser, user_id)
    if user is None:
        abort(404)
    if is_enabled(user) or user.totp_secret:
        reset(s, user=user, actor=_me())
        s.commit()
    flash(_("Two-factor login for %(name)s was reset. They can set it up again with a new "
            "key.", name=user.name), "info")
    return redirect(url_for(".staff_list"), code=303)
