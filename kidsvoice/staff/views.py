"""The staff start page."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from ..access import STAFF, roles
from ..models import Child, Programme, Role, programme_staff
from ..name_order import by_name
from ..web import db_session
from . import bp


def visible_programmes() -> list[Programme]:
    """Programmes the current staff member works in (an admin sees all)."""
    query = (select(Programme).where(Programme.archived.is_(False))
             .order_by(by_name(Programme.name), Programme.id))
    if current_user.role != Role.ADMIN:
        query = query.join(programme_staff).where(programme_staff.c.staff_id == current_user.id)
    return list(db_session().scalars(query))


@bp.route("/")
@roles(*STAFF)
def dashboard() -> str:
    programmes = visible_programmes()
    counts = dict(
        db_session().execute(
            select(Child.programme_id, func.count(Child.id))
            .where(Child.programme_id.in_([p.id for p in programmes]))
            .where(Child.archived_at.is_(None))
            .group_by(Child.programme_id)
        ).all()
    )
    sg_counts = None
    if current_user.role == Role.COORDINATOR:
        from ..safeguarding_views.views import badge_counts

        sg_counts = badge_counts()
    return render_template("staff/dashboard.html", programmes=programmes, counts=counts,
                           sg_counts=sg_counts)
