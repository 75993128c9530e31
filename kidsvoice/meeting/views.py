"""The meeting pages: the answer sheet (screen and print), all rounds, safeguarding, goals.

Access (see :mod:`kidsvoice.meeting.access`): the sheet, the all-rounds view and the goals are
for the facilitators assigned to the child and the coordinators of the child's programme; the
safeguarding page for coordinators only.  Admins and evaluators are refused by the route's
role declaration, everyone else by :func:`load_child_for` — with 403 whatever the id.

Every look at a child's answers writes an audit entry before the page is sent: the sheet and the
all-rounds view ``sheet_view``, the print view ``sheet_print``, the safeguarding page
``safeguarding_view``.  Printing goes through the print view; the on-screen sheet's print
stylesheet prints only a pointer to the Print button, so that no print goes unrecorded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.wrappers import Response as WerkzeugResponse

from ..access import roles
from ..audit import Action, record
from ..child_search import name_or_reference
from ..coordinator.forms import ListForm
from ..models import Child, Goal, GoalStatus, Invitation, Response, Role, Round, StaffUser
from ..name_order import by_name
from ..operations.goals import (
    MAX_OPEN_GOALS,
    GoalError,
    edit_goal,
    record_goal,
    set_goal_status,
)
from ..paging import PAGE_SIZE, window
from ..sheet import RoundInput, build_history, build_sheet, goal_chart, kept_from_meeting
from ..web import db_session
from . import bp
from .access import Purpose, children_clause, load_child_for, may_see
from .data import completed_rounds, goal_infos
from .forms import GoalForm, GoalStatusForm

MEETING_ROLES = (Role.COORDINATOR, Role.FACILITATOR)

#: Headings of the sheet's sections, in meeting words (the questionnaire's own titles speak to
#: the child: "My wishes").  A section a future questionnaire adds falls back to its own title.
SECTION_HEADINGS = {
    "wishes": _l("Wishes, in the child's own words"),
    "heard": _l("Being heard"),
    "how_i_am": _l("Well-being"),
    "school": _l("School and learning"),
    "relations": _l("Relationships"),
    "goals": _l("Goals"),
}

MEASURE_NAMES = {
    "heard": _l("Heard index"),
    "mood": _l("Mood index"),
    "ladder": _l("Life ladder"),
    "who5": _l("WHO-5 well-being"),
    "school": _l("School index"),
    "relations": _l("Relations index"),
}

WHO5_BANDS = {
    "low": _l("Lower well-being — talk with the child about how they are."),
    "very_low": _l("Very low well-being — consider whether more help is needed."),
}

GOAL_STATUS_NAMES = {
    "open": _l("Open goal"),
    "achieved": _l("Achieved"),
    "dropped": _l("Dropped"),
}

STATUS_CHANGED = {
    "open": _l("The goal is open again."),
    "achieved": _l("The goal is marked as achieved."),
    "dropped": _l("The goal is marked as dropped."),
}

VARIANT_NAMES = {"6-9": _l("6–9 years"), "10-16": _l("10–16 years")}


def _user() -> StaffUser:
    user: StaffUser = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def _audit(session: Session, action: str, child: Child, **detail: object) -> None:
    record(
        session,
        action=action,
        actor=_user(),
        subject=child.public_id,
        programme_id=child.programme_id,
        detail=detail,
    )


def _globals() -> dict[str, Any]:
    return {
        "section_headings": SECTION_HEADINGS,
        "measure_names": MEASURE_NAMES,
        "who5_bands": WHO5_BANDS,
        "goal_status_names": GOAL_STATUS_NAMES,
        "variant_names": VARIANT_NAMES,
    }


# --------------------------------------------------------------------------- children


@bp.route("/")
@roles(*MEETING_ROLES)
def children() -> tuple[str, int]:
    """The children whose sheets the current staff member may open, by name, a page at a
    time, with a search box once there is more than a page (a coordinator of a large
    programme)."""
    s = db_session()
    form = ListForm(formdata=request.args)
    ok = form.validate()
    search = form.search if ok else None
    where = [children_clause(_user(), Purpose.SHEET), Child.archived_at.is_(None)]
    if search:
        where.append(name_or_reference(search))
    total = s.scalar(select(func.count(Child.id)).where(*where)) or 0
    shown = window(total, (form.page.data or 1) if ok else 1, PAGE_SIZE)
    kids = list(
        s.scalars(
            select(Child)
            .where(*where)
            .options(joinedload(Child.programme))
            .order_by(by_name(Child.first_name), Child.id)
            .limit(shown.limit)
            .offset(shown.offset)
        )
    )
    ids = [c.id for c in kids]
    latest: dict[int, Any] = {}
    goals: dict[int, int] = {}
    if ids:
        latest = dict(
            s.execute(
                select(Invitation.child_id, func.max(Response.completed_at))
                .join(Response, Response.invitation_id == Invitation.id)
                .where(Invitation.child_id.in_(ids), Response.completed_at.is_not(None))
                .group_by(Invitation.child_id)
            ).all()
        )
        goals = dict(
            s.execute(
                select(Goal.child_id, func.count(Goal.id))
                .where(Goal.child_id.in_(ids), Goal.status == GoalStatus.OPEN)
                .group_by(Goal.child_id)
            ).all()
        )
    page = render_template(
        "meeting/children.html", children=kids, latest=latest, open_goals=goals, form=form,
        search=search, total=total, shown=shown, **_globals(),
    )
    return page, 200 if ok else 400


# --------------------------------------------------------------------------- the sheet


def _round_or_404(rounds: list[RoundInput], round_id: int) -> RoundInput:
    found = next((r for r in rounds if r.round_id == round_id), None)
    if found is None:
        abort(404)
    return found


def _sheet_page(child_id: int, round_id: int | None, *, printing: bool) -> str:
    s = db_session(write=True)
    user = _user()
    child = load_child_for(s, user, child_id, Purpose.SHEET)
    rounds = completed_rounds(s, child)
    goals = goal_infos(s, child)
    action = Action.SHEET_PRINT if printing else Action.SHEET_VIEW
    if not rounds:
        if round_id is not None:
            abort(404)
        _audit(s, action, child, round=None)
        s.commit()
        return render_template(
            "meeting/no_answers.html", child=child, printing=printing, **_globals()
        )
    current = _round_or_404(rounds, round_id) if round_id is not None else rounds[-1]
    sheet = build_sheet(rounds, current.round_id, goals)
    can_safeguard = may_see(s, user, child.id, Purpose.SAFEGUARDING)
    _audit(s, action, child, round=current.round_id, round_label=current.label)
    s.commit()
    return render_template(
        "meeting/sheet.html",
        child=child,
        sheet=sheet,
        rounds=rounds,
        charts={series.goal.id: goal_chart(series) for series in sheet.goals},
        printing=printing,
        can_safeguard=can_safeguard,
        printed_by=user,
        today=date.today(),
        **_globals(),
    )


@bp.route("/<int:child_id>/sheet")
@roles(*MEETING_ROLES)
def sheet_latest(child_id: int) -> str:
    """The sheet of the child's latest completed round."""
    return _sheet_page(child_id, None, printing=False)


@bp.route("/<int:child_id>/sheet/<int:round_id>")
@roles(*MEETING_ROLES)
def sheet(child_id: int, round_id: int) -> str:
    return _sheet_page(child_id, round_id, printing=False)


@bp.route("/<int:child_id>/sheet/<int:round_id>/print")
@roles(*MEETING_ROLES)
def sheet_print(child_id: int, round_id: int) -> str:
    """The print view: records the print, then opens the browser's print dialog."""
    return _sheet_page(child_id, round_id, printing=True)


@bp.route("/<int:child_id>/rounds")
@roles(*MEETING_ROLES)
def all_rounds(child_id: int) -> str:
    s = db_session(write=True)
    child = load_child_for(s, _user(), child_id, Purpose.SHEET)
    rounds = completed_rounds(s, child)
    history = build_history(rounds, goal_infos(s, child))
    _audit(s, Action.SHEET_VIEW, child, view="all_rounds")
    s.commit()
    return render_template(
        "meeting/rounds.html",
        child=child,
        history=history,
        charts={series.goal.id: goal_chart(series) for series in history.goals},
        **_globals(),
    )


@bp.route("/<int:child_id>/safeguarding")
@roles(Role.COORDINATOR)
def safeguarding(child_id: int) -> str:
    """What the child kept from the meeting: for the coordinator's eyes, not for the meeting."""
    s = db_session(write=True)
    child = load_child_for(s, _user(), child_id, Purpose.SAFEGUARDING)
    goals = goal_infos(s, child)
    kept = [(r, kept_from_meeting(r, goals)) for r in completed_rounds(s, child)]
    _audit(s, Action.SAFEGUARDING_VIEW, child)
    s.commit()
    return render_template(
        "meeting/safeguarding.html",
        child=child,
        kept=[(r, items) for r, items in kept if items],
        **_globals(),
    )


# --------------------------------------------------------------------------- goals


def _latest_round(s: Session, child: Child) -> Round | None:
    return s.scalar(
        select(Round)
        .join(Invitation, Invitation.round_id == Round.id)
        .join(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.child_id == child.id, Response.completed_at.is_not(None))
        .order_by(Round.position.desc())
        .limit(1)
    )


def _goal_or_404(s: Session, child: Child, goal_id: int) -> Goal:
    goal = s.scalar(select(Goal).where(Goal.id == goal_id, Goal.child_id == child.id))
    if goal is None:
        abort(404)
    return goal


def _form_error(form: GoalForm, error: GoalError) -> None:
    message = _(error.message, **error.params)  # type: ignore[arg-type]
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def _goals_page(s: Session, child: Child, form: GoalForm, status: int = 200) -> tuple[str, int]:
    goals = list(s.scalars(select(Goal).where(Goal.child_id == child.id).order_by(Goal.id)))
    open_goals = [g for g in goals if g.status == GoalStatus.OPEN]
    return (
        render_template(
            "meeting/goals.html",
            child=child,
            form=form,
            open_goals=open_goals,
            closed_goals=[g for g in goals if g.status != GoalStatus.OPEN],
            room=len(open_goals) < MAX_OPEN_GOALS,
            max_open=MAX_OPEN_GOALS,
            status_form=GoalStatusForm(),
            **_globals(),
        ),
        status,
    )


@bp.route("/<int:child_id>/goals", methods=["GET", "POST"])
@roles(*MEETING_ROLES)
def goals(child_id: int) -> WerkzeugResponse | tuple[str, int]:
    s = db_session()
    user = _user()
    child = load_child_for(s, user, child_id, Purpose.GOALS)
    form = GoalForm()
    if request.method == "GET":
        form.agreed_on.data = date.today()
        return _goals_page(s, child, form)
    if form.validate():
        try:
            goal = record_goal(
                s,
                child=child,
                text=form.text.data or "",
                start_rating=form.start_rating.data,  # type: ignore[arg-type]
                agreed_on=form.agreed_on.data,  # type: ignore[arg-type]
                today=date.today(),
                round_=_latest_round(s, child),
                recorded_by=user,
            )
        except GoalError as error:
            s.rollback()
            _form_error(form, error)
        else:
            _audit(s, Action.GOAL_RECORDED, child, goal=goal.id, change="recorded")
            s.commit()
            flash(_("The goal was recorded."), "success")
            return redirect(url_for("meeting.goals", child_id=child.id), 303)
    return _goals_page(s, child, form, 400)


@bp.route("/<int:child_id>/goals/<int:goal_id>", methods=["GET", "POST"])
@roles(*MEETING_ROLES)
def goal_edit(child_id: int, goal_id: int) -> WerkzeugResponse | tuple[str, int]:
    s = db_session()
    child = load_child_for(s, _user(), child_id, Purpose.GOALS)
    goal = _goal_or_404(s, child, goal_id)
    form = GoalForm(obj=goal) if request.method == "GET" else GoalForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                edit_goal(
                    s,
                    goal=goal,
                    text=form.text.data or "",
                    start_rating=form.start_rating.data,  # type: ignore[arg-type]
                    agreed_on=form.agreed_on.data,  # type: ignore[arg-type]
                    today=date.today(),
                )
            except GoalError as error:
                s.rollback()
                _form_error(form, error)
            else:
                _audit(s, Action.GOAL_RECORDED, child, goal=goal.id, change="edited")
                s.commit()
                flash(_("The goal was saved."), "success")
                return redirect(url_for("meeting.goals", child_id=child.id), 303)
        status = 400
    return (
        render_template("meeting/goal_edit.html", child=child, goal=goal, form=form,
                        **_globals()),
        status,
    )


@bp.route("/<int:child_id>/goals/<int:goal_id>/status", methods=["POST"])
@roles(*MEETING_ROLES)
def goal_status(child_id: int, goal_id: int) -> WerkzeugResponse | tuple[str, int]:
    s = db_session()
    child = load_child_for(s, _user(), child_id, Purpose.GOALS)
    goal = _goal_or_404(s, child, goal_id)
    status_form = GoalStatusForm()
    message = None
    if status_form.validate():
        try:
            set_goal_status(s, goal=goal, status=status_form.status.data or "")
        except GoalError as error:
            s.rollback()
            message = _(error.message, **error.params)  # type: ignore[arg-type]
        else:
            _audit(s, Action.GOAL_RECORDED, child, goal=goal.id, change=goal.status.value)
            s.commit()
            flash(str(STATUS_CHANGED[goal.status.value]), "success")
            return redirect(url_for("meeting.goals", child_id=child.id), 303)
    else:
        message = _("Choose achieved, dropped or open.")
    form = GoalForm()
    form.agreed_on.data = date.today()
    form.form_errors.append(message)
    return _goals_page(s, child, form, 400)
