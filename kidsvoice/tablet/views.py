"""Tablet mode: start, lock screen, short code, the adult's password (and code), picking a child.

``session["tablet"]`` holds ``programme_id``, ``staff_id``, ``idle_seconds``, ``round_id``,
``locale`` (the lock screen's language), ``started_at`` and ``last_seen`` (epoch seconds),
the tablet's wrong-code count and wait (``failures``, ``wait_until``) and, for two minutes
after the adult's password (and code, with two-factor login), ``pick_until``.  Nothing about
a child is ever kept in it.
"""

from __future__ import annotations

import time
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import logout_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as WerkzeugResponse

from ..access import public, roles
from ..audit import Action, record
from ..child import session as child_session
from ..child_search import name_contains
from ..coordinator.forms import options
from ..coordinator.scope import MANAGERS, me, scoped
from ..coordinator.views import round_name
from ..extensions import htmx
from ..invitation_state import InvitationState
from ..models import Child, Invitation, Programme, Round, StaffUser, utcnow
from ..name_order import by_name
from ..operations import OperationError
from ..operations import invitations as ops_inv
from ..operations.staff import LoginResult, authenticate
from ..operations.twofactor import check_login_code, is_enabled, totp_required
from ..paging import window
from ..shortcode import CodeMalformed, backoff_seconds
from ..shortcode import parse as parse_code
from ..staff.auth import audit_failure
from ..tokens import InvitationTokens
from ..web import db_session
from . import bp
from .forms import AdultCodeForm, AdultForm, CodeForm, PickForm, StartForm

Page = str | WerkzeugResponse | tuple[str, int]

#: Seconds the adult's password (and code) opens the list of children for.
PICK_SECONDS = 120
#: Tablet mode ends by itself after a school day.
MAX_TABLET_SECONDS = 12 * 3600
#: The server locks a forgotten child session this long after the page should have.
IDLE_GRACE_SECONDS = 60
PICK_PAGE_SIZE = 60


def _config() -> Any:
    return current_app.extensions["kidsvoice.config"]


def _state() -> dict[str, Any] | None:
    return child_session.tablet()


def _update(**changes: Any) -> None:
    state = dict(session.get(child_session.TABLET_KEY) or {})
    state.update(changes)
    session[child_session.TABLET_KEY] = state


def _end_tablet_mode(message: str) -> WerkzeugResponse:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(message, "info")
    return redirect(url_for("staff.login"), code=303)


def _not_a_tablet() -> WerkzeugResponse:
    return redirect(url_for("staff.login"), code=303)


def _staff_of(state: dict[str, Any]) -> StaffUser | None:
    staff_id = state.get("staff_id")
    user = db_session().get(StaffUser, staff_id) if isinstance(staff_id, int) else None
    return user if user is not None and user.active else None


def _programme_of(state: dict[str, Any]) -> Programme | None:
    programme_id = state.get("programme_id")
    return db_session().get(Programme, programme_id) if isinstance(programme_id, int) else None


def _round_of(state: dict[str, Any], programme: Programme) -> Round | None:
    return next((r for r in programme.rounds if r.id == state.get("round_id")), None)


# ---- the idle guard and the child templates' include -----------------------------------


@bp.before_app_request
def _idle_guard() -> WerkzeugResponse | None:
    """On a tablet: end tablet mode after a day, end a child's session the page forgot to
    leave (a sleeping tablet), and note the time of every request."""
    state = _state()
    if state is None or request.endpoint in (None, "static"):
        return None
    now = time.time()
    if now - float(state.get("started_at", now)) > MAX_TABLET_SECONDS:
        return _end_tablet_mode(_("Tablet mode has ended. Log in to start it again."))
    idle = int(state.get("idle_seconds", 300)) + IDLE_GRACE_SECONDS
    on_tablet_page = (request.endpoint or "").startswith("tablet.")
    if on_tablet_page and child_session.current_invitation_id() is not None:
        # Every tablet page is between children: whatever led here (the finish page, the
        # idle timer, the back button, a stale cookie), the child's session ends now.
        child_session.end()
        session["locale"] = state.get("locale") or _config().default_locale
    elif (
        child_session.current_invitation_id() is not None
        and now - float(state.get("last_seen", now)) > idle
    ):
        child_session.end()
        url = url_for("tablet.lock")
        if htmx:
            response = current_app.response_class(status=204)
            response.headers["HX-Redirect"] = url
            return response
        return redirect(url, code=303)
    _update(last_seen=now)
    return None


@bp.app_context_processor
def _tablet_globals() -> dict[str, Any]:
    """``tablet_idle`` for ``tablet/_idle.html``: set only in tablet mode."""
    state = _state()
    if state is None:
        return {"tablet_idle": None}
    return {
        "tablet_idle": {
            "seconds": int(state.get("idle_seconds", 300)),
            "url": url_for("tablet.lock"),
        }
    }


# ---- starting ------------------------------------------------------------------------


@bp.route("/start/<int:programme_id>", methods=["GET", "POST"])
@roles(*MANAGERS)
@scoped
def start(programme: Programme) -> Page:
    form = StartForm()
    form.round.choices = options([(r.id, round_name(r)) for r in programme.rounds])
    if not programme.rounds:
        flash(_("Add a round to the programme before starting tablet mode."), "error")
        return redirect(url_for("coordinator.programme", programme_id=programme.id), code=303)
    if request.method == "POST" and form.validate_on_submit():
        staff_id = me().id
        locale = str(session.get("locale") or _config().default_locale)
        logout_user()
        session.clear()
        now = time.time()
        session["locale"] = locale
        session[child_session.TABLET_KEY] = {
            "programme_id": programme.id,
            "staff_id": staff_id,
            "idle_seconds": int(form.idle_minutes.data) * 60,
            "round_id": form.round.data,
            "locale": locale,
            "started_at": now,
            "last_seen": now,
            "failures": 0,
            "wait_until": 0,
        }
        return redirect(url_for(".lock"), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("tablet/start.html", programme=programme, form=form), status


# ---- the lock screen and the short code -----------------------------------------------


def _lock_page(form: CodeForm, status: int = 200, problem: str | None = None) -> tuple[str, int]:
    return render_template("tablet/lock.html", form=form, problem=problem), status


@bp.route("/")
@public
def lock() -> Page:
    """The neutral screen between children; arriving here ends any child's session."""
    state = _state()
    if state is None:
        return _not_a_tablet()
    if "pick_until" in state:
        _update(pick_until=0)
    return _lock_page(CodeForm(formdata=None))


def _child_start() -> str:
    return url_for("child.start")


def _begin(invitation: Invitation) -> WerkzeugResponse:
    child_session.begin(invitation.public_id)
    session["locale"] = invitation.child.language
    _update(pick_until=0, last_seen=time.time())
    return redirect(_child_start(), code=303)


@bp.route("/code", methods=["POST"])
@public
def code() -> Page:
    state = _state()
    if state is None:
        return _not_a_tablet()
    form = CodeForm()
    if not form.validate_on_submit():
        return _lock_page(form, 400)
    now = time.time()
    wait = float(state.get("wait_until", 0)) - now
    if wait > 0:
        return _lock_page(form, 429, _("Too many wrong codes. Wait a little, or ask an adult."))
    try:
        typed = parse_code(form.code.data or "")
    except CodeMalformed:
        form.code.errors = [*form.code.errors, _(
            "That is not a code. A code has 8 letters and numbers, like K7P-M4X-Q9.")]
        return _lock_page(form, 400)
    s = db_session()
    result = ops_inv.find_by_short_code(
        s, programme_id=int(state["programme_id"]), code=typed, keys=_config().secret_keys,
        now=utcnow(),
    )
    if result.reason == "ok" and result.invitation is not None:
        ops_inv.mark_opened(result.invitation)
        s.commit()
        _update(failures=0)
        return _begin(result.invitation)
    s.commit()  # the failure counted on the invitation
    if result.reason == "unknown":
        failures = int(state.get("failures", 0)) + 1
        _update(failures=failures, wait_until=now + backoff_seconds(failures))
        form.code.errors = [*form.code.errors, _(
            "That code did not work. Check it and try again.")]
        return _lock_page(form, 400)
    messages = {
        "completed": (_("You have already answered. Thank you!"), 409),
        "locked": (_("This code was typed wrongly too many times. Ask an adult for help."), 429),
    }
    message, status = messages.get(
        result.reason, (_("This code no longer works. Ask an adult for help."), 410)
    )
    return _lock_page(CodeForm(formdata=None), status, message)


# ---- the adult: password (and code), then pick a child or leave -----------------------


def _adult_page(form: AdultForm, staff: StaffUser, status: int = 200,
                problem: str | None = None) -> tuple[str, int]:
    return render_template("tablet/adult.html", form=form, staff=staff, problem=problem,
                           two_step=isinstance(form, AdultCodeForm)), status


@bp.route("/adult", methods=["GET", "POST"])
@public
def adult() -> Page:
    """The staff member who started tablet mode proves it is them: their password and — when
    their account has two-factor login — a code from their app, checked like the login's
    (one use per code, failures counted towards the same back-off)."""
    state = _state()
    if state is None:
        return _not_a_tablet()
    staff = _staff_of(state)
    if staff is None:
        return _end_tablet_mode(_("Tablet mode has ended. Log in to start it again."))
    two_step = is_enabled(staff)
    form = AdultCodeForm() if two_step else AdultForm()
    if request.method == "GET":
        return _adult_page(form, staff)
    if not form.validate_on_submit():
        return _adult_page(form, staff, 400)
    s = db_session()
    threshold = _config().login_failures_before_backoff
    result = authenticate(s, email=staff.email, password=form.password.data or "",
                          backoff_threshold=threshold)
    step = "tablet password"
    if result.user is not None and result.needs_code:
        # The password was right; the account is not past the back-off until the code is too.
        step = "tablet code"
        result = check_login_code(
            s, user=result.user,
            code=(form.code.data or "") if isinstance(form, AdultCodeForm) else "",
            backoff_threshold=threshold,
        )
    if result.user is None:
        audit_failure(s, result, step)
        s.commit()
        return _adult_failure(form, staff, result)
    detail: dict[str, object] = {"action": form.action.data,
                                 "second_factor": "totp" if two_step else "none"}
    must_set_up = not two_step and totp_required(s)
    if must_set_up:
        # Two-factor login became required after tablet mode was started (starting it needs
        # the set-up first): the password alone no longer opens the children's names.
        detail["sent_to_set_up"] = True
    record(s, action=Action.TABLET_ADULT, actor=staff, programme_id=state.get("programme_id"),
           detail=detail)
    s.commit()
    if must_set_up:
        return _end_tablet_mode(_(
            "Two-factor login is now required. Log in to set it up, then start tablet mode "
            "again."))
    if form.action.data == "leave":
        return _end_tablet_mode(_("Tablet mode has ended. Log in to continue."))
    _update(pick_until=time.time() + PICK_SECONDS)
    return redirect(url_for(".pick"), code=303)


def _adult_failure(form: AdultForm, staff: StaffUser, result: LoginResult) -> tuple[str, int]:
    """401, or 429 during the back-off; with two-factor login the message does not say
    whether the password or the code was wrong."""
    waiting = result.retry_after is not None
    if waiting:
        message = _("Too many failed attempts. Please wait a few minutes and try again.")
    elif isinstance(form, AdultCodeForm):
        message = _("The password or the code is not right.")
    else:
        message = _("That password is not right.")
    status = 429 if waiting else 401
    if not isinstance(form, AdultCodeForm):
        form.password.errors = [*form.password.errors, message]
        return _adult_page(form, staff, status)
    form.code.data = ""  # a typed code is spent or wrong: never shown again
    return _adult_page(form, staff, status, problem=message)


def _pick_granted(state: dict[str, Any]) -> bool:
    return float(state.get("pick_until", 0)) > time.time()


def _pick_page(state: dict[str, Any], status: int = 200,
               problem: str | None = None) -> Page:
    programme = _programme_of(state)
    if programme is None:
        return _end_tablet_mode(_("Tablet mode has ended. Log in to start it again."))
    round_ = _round_of(state, programme)
    if round_ is None:
        return _end_tablet_mode(_("Tablet mode has ended. Log in to start it again."))
    s = db_session()
    search = (request.args.get("q") or "").strip()[:60]
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(400)
    query = select(Child).where(Child.programme_id == programme.id, Child.archived_at.is_(None))
    if search:
        query = query.where(name_contains(search))
    total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
    shown = window(total, page, PICK_PAGE_SIZE)
    children = list(
        s.scalars(
            query.order_by(by_name(Child.first_name), Child.id)
            .limit(shown.limit)
            .offset(shown.offset)
        )
    )
    states = ops_inv.round_states(s, round_=round_, children=children, now=utcnow())
    return render_template(
        "tablet/pick.html",
        programme=programme,
        round_=round_,
        children=children,
        states={cid: st for cid, (st, _inv) in states.items()},
        form=PickForm(),
        search=search,
        page=shown.page,
        pages=shown.pages,
        problem=problem,
        unavailable={InvitationState.COMPLETED, InvitationState.REVOKED},
        idle_seconds_override=PICK_SECONDS,
    ), status


@bp.route("/pick")
@public
def pick() -> Page:
    state = _state()
    if state is None:
        return _not_a_tablet()
    if not _pick_granted(state):
        return redirect(url_for(".lock"), code=303)
    return _pick_page(state)


@bp.route("/pick/<child_id>", methods=["POST"])
@public
def pick_child(child_id: str) -> Page:
    state = _state()
    if state is None:
        return _not_a_tablet()
    if not _pick_granted(state):
        return redirect(url_for(".lock"), code=303)
    if not PickForm().validate_on_submit():
        abort(400)
    s = db_session()
    programme = _programme_of(state)
    staff = _staff_of(state)
    if programme is None or staff is None:
        return _end_tablet_mode(_("Tablet mode has ended. Log in to start it again."))
    round_ = _round_of(state, programme)
    child = s.scalar(
        select(Child).where(
            Child.public_id == child_id,
            Child.programme_id == programme.id,
            Child.archived_at.is_(None),
        )
    )
    if child is None or round_ is None:
        abort(404)
    now = utcnow()
    states = ops_inv.round_states(s, round_=round_, children=[child], now=now)
    current, invitation = states[child.id]
    if current == InvitationState.COMPLETED:
        return _pick_page(state, 409, _("%(name)s has already answered this round.",
                                         name=child.first_name))
    if current == InvitationState.REVOKED:
        return _pick_page(state, 409, _("%(name)s's invitation was revoked. Ask the coordinator.",
                                         name=child.first_name))
    try:
        if invitation is None:
            invitation = ops_inv.issue(
                s, child=child, round_=round_,
                tokens=InvitationTokens(_config().secret_keys),
                days=_config().invitation_days, code_keys=_config().secret_keys, actor=staff,
                now=now,
            ).invitation
        elif current == InvitationState.EXPIRED:
            ops_inv.extend(s, invitation=invitation, days=_config().invitation_days, now=now)
        ops_inv.mark_opened(invitation, now)
        s.commit()
    except OperationError as exc:
        s.rollback()
        return _pick_page(state, 409, _(exc.message, **exc.params))  # noqa: INT001
    return _begin(invitation)
