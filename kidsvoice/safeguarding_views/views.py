""""Free text to read": every free-text answer the coordinator must read, and marking it read.

Coordinators only, and only the children whose free text they must read (the safeguarding rule
of :mod:`kidsvoice.meeting.access`).  Each showing of the page writes one ``safeguarding_view``
audit entry per child shown; each "mark as read" an ``answer_read`` entry.  Marking an answer
someone else may not read is 403, whatever the id (as on the meeting pages).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_datetime
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from ..access import roles
from ..audit import Action, record
from ..extensions import htmx
from ..meeting.access import Purpose, children_clause
from ..models import Answer, Child, Invitation, Response, Role, StaffUser, utcnow
from ..operations.safeguarding import mark_read
from ..web import db_session
from ..workdays import LOCAL
from . import bp
from .queries import Counts, FreeText, count, unread_free_text


class MarkReadForm(FlaskForm):
    """Only the CSRF token: the answer is in the URL."""


def _user() -> StaffUser:
    user: StaffUser = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _working_days() -> int:
    return int(current_app.extensions["kidsvoice.config"].read_within_working_days)


def _registry() -> Any:
    return current_app.extensions["kidsvoice.questionnaires"]


@bp.app_template_filter("local_datetime")
def local_datetime(value: datetime, format: str = "medium") -> str:  # noqa: A002 - babel's name
    """A date and time in Danish local time (Europe/Copenhagen), in the page's language."""
    return format_datetime(value, format, tzinfo=LOCAL, locale=str(get_locale() or "da"))


def items_for(user: StaffUser, **kw: Any) -> list[FreeText]:
    return unread_free_text(
        db_session(), user, now=utcnow(), working_days=_working_days(), registry=_registry(), **kw
    )


def badge_counts() -> Counts:
    """The start page's badge: the current coordinator's unread, flagged and overdue answers."""
    return count(items_for(_user()))


@bp.route("/")
@roles(Role.COORDINATOR)
def unread() -> str:
    s = db_session(write=True)
    user = _user()
    items = items_for(user)
    shown: dict[str, tuple[int, int]] = {}
    for item in items:
        n, _programme = shown.get(item.child.public_id, (0, item.child.programme_id))
        shown[item.child.public_id] = (n + 1, item.child.programme_id)
    for public_id, (n, programme_id) in shown.items():
        record(s, action=Action.SAFEGUARDING_VIEW, actor=user, subject=public_id,
               programme_id=programme_id, detail={"view": "free_text", "answers": n})
    s.commit()
    return render_template(
        "safeguarding/unread.html", items=items, counts=count(items), form=MarkReadForm(),
        working_days=_working_days(),
    )


@bp.route("/answers/<int:answer_id>/read", methods=["POST"])
@roles(Role.COORDINATOR)
def mark_as_read(answer_id: int) -> WerkzeugResponse | str:
    s = db_session()
    user = _user()
    # Only an answer on the user's own list can be marked: anything else is 403, whatever the id.
    found = items_for(user, answer_ids=[answer_id])
    if not found:
        s.rollback()
        if _already_read_by_visible(user, answer_id):
            return _after_mark(answer_id)
        abort(403)
    form = MarkReadForm()
    if not form.validate_on_submit():  # pragma: no cover - CSRFProtect refuses first
        abort(400)
    item = found[0]
    mark_read(s, answer=item.answer, user=user)
    s.commit()
    return _after_mark(answer_id)


def _already_read_by_visible(user: StaffUser, answer_id: int) -> bool:
    """A second click on "mark as read" (two tabs, a double submit) is harmless."""
    query = (
        select(Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Child, Invitation.child_id == Child.id)
        .where(Answer.id == answer_id, Answer.read_at.is_not(None),
               children_clause(user, Purpose.SAFEGUARDING))
    )
    return db_session().scalar(query) is not None


def _after_mark(answer_id: int) -> WerkzeugResponse | str:
    message = _("Marked as read.")
    if htmx:
        return render_template("safeguarding/_marked.html", answer_id=answer_id, message=message)
    flash(message, "success")
    return redirect(url_for("safeguarding.unread"), code=303)
