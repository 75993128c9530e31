"""The programme boundary: what the logged-in coordinator may see and change.

A coordinator works in the programmes they are a member of (``Programme.staff``); an
administrator in all.  Views never query a programme, child or round by id themselves: the
:func:`scoped` decorator turns the URL's ``programme_id`` / ``child_id`` / ``round_id`` into
objects, checked, or answers 404 — the same for "does not exist" and "not yours", so ids of
other programmes reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..models import Child, Programme, Role, Round, StaffUser, programme_staff
from ..name_order import by_name
from ..web import db_session

F = TypeVar("F", bound=Callable[..., Any])

#: Who uses the coordinator's pages (and tablet mode).
MANAGERS = (Role.ADMIN, Role.COORDINATOR)


def me() -> StaffUser:
    """The logged-in staff member as a model object (not Flask-Login's proxy)."""
    user: StaffUser = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def may_manage(user: StaffUser, programme_id: int) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.COORDINATOR:
        return False
    member = db_session().scalar(
        select(programme_staff.c.staff_id).where(
            programme_staff.c.programme_id == programme_id,
            programme_staff.c.staff_id == user.id,
        )
    )
    return member is not None


def managed_programmes(user: StaffUser, *, archived: bool = False) -> list[Programme]:
    query = (select(Programme).where(Programme.archived.is_(archived))
             .order_by(by_name(Programme.name), Programme.id))
    if user.role != Role.ADMIN:
        query = query.join(programme_staff).where(programme_staff.c.staff_id == user.id)
    return list(db_session().scalars(query))


def programme_or_404(programme_id: int) -> Programme:
    programme = db_session().get(Programme, programme_id)
    if programme is None or not may_manage(me(), programme.id):
        abort(404)
    return programme


def child_or_404(programme: Programme, child_id: str) -> Child:
    child = db_session().scalar(
        select(Child).where(Child.public_id == child_id, Child.programme_id == programme.id)
    )
    if child is None:
        abort(404)
    return child


def round_or_404(programme: Programme, round_id: int) -> Round:
    round_ = db_session().scalar(
        select(Round).where(Round.id == round_id, Round.programme_id == programme.id)
    )
    if round_ is None:
        abort(404)
    return round_


def scoped(view: F) -> F:
    """Replace ``programme_id``, ``child_id`` and ``round_id`` URL values by checked objects
    (``programme``, ``child``, ``round_``)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        programme = programme_or_404(kwargs.pop("programme_id"))
        kwargs["programme"] = programme
        if "child_id" in kwargs:
            kwargs["child"] = child_or_404(programme, kwargs.pop("child_id"))
        if "round_id" in kwargs:
            kwargs["round_"] = round_or_404(programme, kwargs.pop("round_id"))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
