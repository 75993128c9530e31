"""Administrator pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import render_template, request, url_for
from sqlalchemy import func, select

from ..access import roles
from ..models import AuditEntry, Programme, Role, StaffUser
from ..name_order import by_name
from ..web import db_session
from . import bp
from .forms import ACTION_NAMES, AuditFilterForm


@bp.route("/staff")
@roles(Role.ADMIN)
def staff_list() -> str:
    from ..operations.twofactor import is_enabled, totp_required
    from .forms import ResetTwoFactorForm, TwoFactorSettingForm

    s = db_session()
    users = s.scalars(
        select(StaffUser).order_by(StaffUser.role, by_name(StaffUser.name), StaffUser.id))
    required = totp_required(s)
    return render_template(
        "admin/staff.html",
        users=list(users),
        two_factor_on=is_enabled,
        totp_required=required,
        setting_form=TwoFactorSettingForm(required=required),
        reset_form=ResetTwoFactorForm(),
    )


# --------------------------------------------------------------------------- audit log

AUDIT_PAGE_SIZE = 100


@bp.route("/audit")
@roles(Role.ADMIN)
def audit_log() -> tuple[str, int]:
    """The audit log, newest first, filtered by action, date range and actor; paged by id."""
    form = AuditFilterForm(request.args, meta={"csrf": False})
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    status = 200
    if request.args and not form.validate():
        status = 400
    else:
        if form.action.data:
            query = query.where(AuditEntry.action == form.action.data)
        if form.actor.data:
            actor = form.actor.data.strip().lower()
            query = query.where(func.lower(AuditEntry.actor).contains(actor, autoescape=True))
        if form.date_from.data:
            query = query.where(AuditEntry.at >= _day_start(form.date_from.data))
        if form.date_to.data:
            query = query.where(AuditEntry.at < _day_start(form.date_to.data + timedelta(days=1)))
        if form.before.data:
            query = query.where(AuditEntry.id < form.before.data)
    s = db_session()
    entries = list(s.scalars(query.limit(AUDIT_PAGE_SIZE + 1))) if status == 200 else []
    more = len(entries) > AUDIT_PAGE_SIZE
    entries = entries[:AUDIT_PAGE_SIZE]
    programme_ids = {e.programme_id for e in entries if e.programme_id is not None}
    programmes: dict[int, str] = {}
    if programme_ids:
        rows = s.execute(
            select(Programme.id, Programme.name).where(Programme.id.in_(programme_ids))
        )
        programmes = dict(rows.all())  # type: ignore[arg-type]
    older = None
    if more and entries:
        args = {k: v for k, v in request.args.items() if k != "before" and v}
        older = url_for("admin.audit_log", **args, before=entries[-1].id)
    return (
        render_template(
            "admin/audit.html",
            form=form,
            entries=entries,
            programmes=programmes,
            action_names=ACTION_NAMES,
            older=older,
        ),
        status,
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
