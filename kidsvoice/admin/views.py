"""Administrator pages."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from ..access import roles
from ..models import Role, StaffUser
from ..web import db_session
from . import bp


@bp.route("/staff")
@roles(Role.ADMIN)
def staff_list() -> str:
    users = db_session().scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.name))
    return render_template("admin/staff.html", users=list(users))
