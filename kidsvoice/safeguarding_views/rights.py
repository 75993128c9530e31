"""The rights of one child: the access export (everything held, as JSON) and erasure.

Who may do what (decided here, documented in README "Retention, erasure and access requests"):

* **Access export** — the coordinators who read the child's free text (the safeguarding rule of
  :mod:`kidsvoice.meeting.access`: the child's own coordinator, or the programme's coordinators
  when none is assigned).  The export holds everything, kept-from-the-meeting answers too, so
  it goes only to someone who may read all of it.  Admins see no child's answers: they use
  ``kidsvoice access-export`` on the server if no coordinator can.
* **Erasure** — the same coordinators, and admins.  A confirmation step asks for the child's
  first name typed out; a wrong name erases nothing (422).

Both write an audit entry naming the child only by pseudonymous id.  Anyone else gets 403,
whatever the id (as on the meeting pages).
"""

from __future__ import annotations

import json
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..access import roles
from ..meeting.access import Purpose, children_clause
from ..models import Answer, Child, Goal, Invitation, Role, StaffUser
from ..models import Response as ChildResponse
from ..operations.retention import access_export, erase_child, record_access_export
from ..web import db_session

bp = Blueprint("rights", __name__, url_prefix="/rights")

RIGHTS_ROLES = (Role.ADMIN, Role.COORDINATOR)
_PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _user() -> StaffUser:
    user: StaffUser = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def load_child(public_id: str, *, export: bool = False) -> Child:
    """The child, if the current user may export (``export``) or erase it; otherwise 403."""
    user = _user()
    query = select(Child).where(Child.public_id == public_id)
    if user.role == Role.COORDINATOR:
        query = query.where(children_clause(user, Purpose.SAFEGUARDING))
    elif user.role != Role.ADMIN or export:
        abort(403)
    child = db_session().scalar(query)
    if child is None:
        abort(403 if user.role == Role.COORDINATOR else 404)
    return child


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    child = StringField(
        _l("The child's pseudonymous id"),
        validators=[DataRequired(message=_l("Enter the child's id.")),
                    Length(max=32, message=_l("A child's id has at most 32 characters."))],
    )

    def validate_child(self, field: StringField) -> None:
        if field.data and not _PUBLIC_ID.match(field.data.strip()):
            raise ValidationError(_l("A child's id has only letters, digits, - and _."))


class EraseForm(FlaskForm):
    first_name = StringField(
        _l("Type the child's first name to confirm"),
        validators=[DataRequired(message=_l("Type the child's first name to confirm.")),
                    Length(max=60)],
    )

    def __init__(self, child: Child, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._child = child

    def validate_first_name(self, field: StringField) -> None:
        typed = " ".join((field.data or "").split()).casefold()
        if typed != " ".join(self._child.first_name.split()).casefold():
            raise ValidationError(_l("That is not the child's first name. Nothing was erased."))


class ExportForm(FlaskForm):
    """Only the CSRF token."""


@bp.route("/")
@roles(*RIGHTS_ROLES)
def lookup() -> str | WerkzeugResponse | tuple[str, int]:
    """Find a child by pseudonymous id (as exports and the audit log name them)."""
    form = LookupForm(request.args)
    if "child" not in request.args:
        return render_template("safeguarding/lookup.html", form=form)
    if not form.validate():
        return render_template("safeguarding/lookup.html", form=form), 422
    public_id = form.child.data.strip()
    user = _user()
    query = select(Child.public_id).where(Child.public_id == public_id)
    if user.role == Role.COORDINATOR:
        query = query.where(children_clause(user, Purpose.SAFEGUARDING))
    if db_session().scalar(query) is None:
        form.child.errors = [_("No child with that id that you may manage.")]
        return render_template("safeguarding/lookup.html", form=form), 404
    return redirect(url_for("rights.child", public_id=public_id), code=303)


def _summary(child: Child) -> dict[str, int]:
    s = db_session()
    responses = select(ChildResponse.id).join(
        Invitation, ChildResponse.invitation_id == Invitation.id
    ).where(Invitation.child_id == child.id)
    return {
        "invitations": s.scalar(
            select(func.count(Invitation.id)).where(Invitation.child_id == child.id)) or 0,
        "responses": s.scalar(select(func.count()).select_from(responses.subquery())) or 0,
        "answers": s.scalar(
            select(func.count(Answer.id)).where(Answer.response_id.in_(responses))) or 0,
        "goals": s.scalar(select(func.count(Goal.id)).where(Goal.child_id == child.id)) or 0,
    }


@bp.route("/children/<public_id>")
@roles(*RIGHTS_ROLES)
def child(public_id: str) -> str:
    record = load_child(public_id)
    return render_template(
        "safeguarding/rights.html", child=record, summary=_summary(record),
        can_export=_user().role == Role.COORDINATOR, export_form=ExportForm(),
    )


@bp.route("/children/<public_id>/export", methods=["POST"])
@roles(Role.COORDINATOR)
def export(public_id: str) -> Response:
    """Download everything held about the child as JSON (an access request)."""
    s = db_session()
    record = load_child(public_id, export=True)
    data = access_export(s, child=record, registry=current_app.extensions[
        "kidsvoice.questionnaires"])
    record_access_export(s, child=record, actor=_user())
    s.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition":
                 f'attachment; filename="kidsvoice-access-{public_id}.json"'},
    )


@bp.route("/children/<public_id>/erase", methods=["GET", "POST"])
@roles(*RIGHTS_ROLES)
def erase(public_id: str) -> str | WerkzeugResponse | tuple[str, int]:
    s = db_session()
    record = load_child(public_id)
    form = EraseForm(record)
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("safeguarding/erase.html", child=record, form=form,
                                   summary=_summary(record)), 422
        erase_child(s, child=record, actor=_user())
        s.commit()
        flash(_("The child and everything about them were erased. The audit log keeps only "
                "the pseudonymous id %(id)s.", id=public_id), "success")
        return redirect(url_for("staff.dashboard"), code=303)
    return render_template("safeguarding/erase.html", child=record, form=form,
                           summary=_summary(record))
