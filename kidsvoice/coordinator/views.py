"""The coordinator's pages: thin views that parse a form, call an operation and render.

Bad input re-renders the form with the message next to the field and a 400; a rule of the
domain that cannot be met (already answered, revoked) answers 409; nothing is ever a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from babel import Locale
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import exists, func, select
from werkzeug.wrappers import Response as WerkzeugResponse

from ..access import roles
from ..extensions import htmx
from ..i18n import LANGUAGE_NAMES, qgettext, supported_locales
from ..invitation_state import LIVE, REISSUABLE, InvitationState
from ..labels import ROUND_KIND_NAMES
from ..mail import MailError, is_configured
from ..mail import send as send_mail
from ..models import Child, Invitation, Programme, Role, Round, RoundKind, StaffUser, utcnow
from ..name_order import by_name
from ..operations import OperationError
from ..operations import invitations as ops_inv
from ..operations import programmes as ops
from ..shortcode import CodeMalformed, ShortCode
from ..shortcode import matches as code_matches
from ..shortcode import parse as parse_code
from ..tokens import InvitationTokens, TokenInvalid
from ..web import db_session
from . import bp, handover
from .forms import (
    BATCH_LOST,
    BulkInviteForm,
    ChildForm,
    ConfirmForm,
    EditProgrammeForm,
    EmailForm,
    ExtendForm,
    FilterForm,
    InviteForm,
    NewProgrammeForm,
    NewRoundForm,
    RoundForm,
    options,
)
from .labels import STATE_NAMES
from .queries import dashboard_page, round_summaries
from .scope import MANAGERS, managed_programmes, me, scoped

Page = str | WerkzeugResponse | tuple[str, int]

#: Which form field an operation's message belongs next to.
FIELD_OF_MESSAGE = {
    "Enter a programme name of at most 120 characters.": "name",
    "A programme with that name already exists.": "name",
    "Keep answers for between 1 month and 10 years.": "retention_months",
    "The contact can be at most %(n)s characters.": "contact",
    "Children have already started answering: the questionnaire can no longer change.":
        "questionnaire",
    "Administrators see every programme already.": "members",
    "Enter the child's first name or nickname (at most %(n)s characters).": "first_name",
    "The questionnaire is made for children aged %(min)s to %(max)s.": "birth_year",
    "Choose one of the languages KidsVoice speaks.": "language",
    "The case reference can be at most %(n)s characters.": "external_ref",
    "Enter a name for the round of at most %(n)s characters.": "label",
    "The baseline is always the programme's first round.": "kind",
    "Add the baseline round first.": "kind",
    "The programme already has a follow-up round.": "kind",
}


# ---- helpers --------------------------------------------------------------------------


def _config() -> Any:
    return current_app.extensions["kidsvoice.config"]


def _tokens() -> InvitationTokens:
    return InvitationTokens(_config().secret_keys)


def message_of(exc: OperationError) -> str:
    return _(exc.message, **exc.params)  # noqa: INT001 - msgids marked with N_ in operations


def _show_error(form: Any, exc: OperationError) -> None:
    """Put an operation's message next to its field (or above the form)."""
    name = FIELD_OF_MESSAGE.get(exc.message)
    field = getattr(form, name, None) if name else None
    if field is None:
        form.form_errors.append(message_of(exc))
    else:
        field.errors = [*field.errors, message_of(exc)]


def _questionnaires() -> list[Any]:
    registry = current_app.extensions.get("kidsvoice.questionnaires")
    return [q for q in registry if not q.module] if registry is not None else []


def _questionnaire_choices(programme: Programme | None) -> list[tuple[str, str]]:
    choices = [
        (f"{q.id}:{q.version}", f"{qgettext(q.title)} ({_('version %(n)s', n=q.version)})")
        for q in _questionnaires()
    ]
    if programme is not None:
        current = f"{programme.questionnaire_id}:{programme.questionnaire_version}"
        if current not in {value for value, _label in choices}:
            choices.insert(0, (current, current))
    if not choices:
        choices = [("kidsvoice-standard:1", "KidsVoice Standard")]
    return choices


def _split_questionnaire(value: str) -> tuple[str, int]:
    qid, _sep, version = value.rpartition(":")
    return qid, int(version)


def _age_range(programme: Programme) -> tuple[int, int]:
    registry = current_app.extensions.get("kidsvoice.questionnaires")
    try:
        q = registry.get(programme.questionnaire_id, programme.questionnaire_version)
    except (AttributeError, KeyError):
        return ops.MIN_AGE, ops.MAX_AGE
    return q.min_age, q.max_age


def _months(days: int) -> int:
    return max(1, round(days * 12 / 365))


def _days(months: int) -> int:
    return round(months * 365 / 12)


def round_name(round_: Round) -> str:
    kind = str(ROUND_KIND_NAMES[round_.kind])
    return round_.label if round_.label == kind else f"{round_.label} ({kind})"


@bp.record_once
def _template_globals(state: Any) -> None:
    # Globals, not a context processor: imported macros see them too.
    state.app.jinja_env.globals.update(
        state_names=STATE_NAMES, round_name=round_name, States=InvitationState,
        language_label=language_label,
    )
    state.app.jinja_env.filters["bdi"] = bdi


def bdi(value: object) -> Markup:
    """A name someone typed, isolated from the sentence around it (any script, any
    direction: an Arabic name in a Danish sentence stays in its place)."""
    return Markup("<bdi>{}</bdi>").format(value)


def language_label(code: str) -> str:
    """A language's name in the page's language ("engelsk" on a Danish page)."""
    try:
        return Locale.parse(code).get_display_name(str(get_locale() or "da")) or code
    except (ValueError, TypeError):
        return code


# ---- programmes -----------------------------------------------------------------------


@bp.route("/")
@roles(*MANAGERS)
def programmes() -> str:
    user = me()
    active = managed_programmes(user)
    archived = managed_programmes(user, archived=True)
    ids = [p.id for p in active + archived]
    counts = dict(
        db_session().execute(
            select(Child.programme_id, func.count(Child.id))
            .where(Child.programme_id.in_(ids), Child.archived_at.is_(None))
            .group_by(Child.programme_id)
        ).all()
    ) if ids else {}
    return render_template(
        "coordinator/programmes.html", programmes=active, archived=archived, counts=counts
    )


@bp.route("/new", methods=["GET", "POST"])
@roles(*MANAGERS)
def programme_new() -> Page:
    form = NewProgrammeForm()
    form.questionnaire.choices = options(_questionnaire_choices(None))
    if request.method == "GET":
        form.questionnaire.data = form.questionnaire.choices[0].value
        return render_template("coordinator/programme_form.html", form=form, programme=None)
    if form.validate_on_submit():
        s = db_session()
        qid, version = _split_questionnaire(form.questionnaire.data or "")
        rounds = [(RoundKind.BASELINE, str(ROUND_KIND_NAMES[RoundKind.BASELINE]),
                   form.baseline_on.data),
                  (RoundKind.FOLLOW_UP, str(ROUND_KIND_NAMES[RoundKind.FOLLOW_UP]),
                   form.follow_up_on.data)]
        try:
            programme = ops.create_programme(
                s, name=form.name.data or "", rounds=rounds, questionnaire_id=qid,
                questionnaire_version=version, retention_days=_days(form.retention_months.data),
                contact=form.contact.data,
            )
            if me().role == Role.COORDINATOR:
                programme.staff.append(me())
            s.commit()
        except OperationError as exc:
            s.rollback()
            _show_error(form, exc)
        else:
            flash(_("The programme %(name)s was created.", name=programme.name), "info")
            return redirect(url_for(".programme", programme_id=programme.id), code=303)
    return render_template("coordinator/programme_form.html", form=form, programme=None), 400


def _member_choices(programme: Programme) -> list[tuple[int, str]]:
    users = db_session().scalars(
        select(StaffUser)
        .where(StaffUser.role != Role.ADMIN)
        .where((StaffUser.active.is_(True)) | StaffUser.id.in_([u.id for u in programme.staff]))
        .order_by(StaffUser.role, by_name(StaffUser.name), StaffUser.id)
    )
    from ..labels import ROLE_NAMES

    return [(u.id, f"{u.name} ({ROLE_NAMES[u.role]})") for u in users]


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@roles(*MANAGERS)
@scoped
def programme_edit(programme: Programme) -> Page:
    form = EditProgrammeForm(
        name=programme.name,
        questionnaire=f"{programme.questionnaire_id}:{programme.questionnaire_version}",
        retention_months=_months(programme.retention_days),
        contact=programme.contact,
        members=[u.id for u in programme.staff],
    )
    form.questionnaire.choices = options(_questionnaire_choices(programme))
    form.members.choices = options(_member_choices(programme))
    if request.method == "GET":
        return render_template("coordinator/programme_form.html", form=form, programme=programme)
    if form.validate_on_submit():
        s = db_session()
        user = me()
        chosen = set(form.members.data or [])
        if user.role == Role.COORDINATOR and user.id not in chosen:
            form.members.errors = [
                *form.members.errors,
                _("You cannot take yourself out of the programme. Ask an administrator."),
            ]
        else:
            qid, version = _split_questionnaire(form.questionnaire.data or "")
            try:
                ops.update_programme(
                    s, programme=programme, name=form.name.data or "", questionnaire_id=qid,
                    questionnaire_version=version,
                    retention_days=_days(form.retention_months.data), contact=form.contact.data,
                )
                members = list(s.scalars(select(StaffUser).where(StaffUser.id.in_(chosen))))
                ops.set_programme_staff(s, programme=programme, staff=members)
                s.commit()
            except OperationError as exc:
                s.rollback()
                _show_error(form, exc)
            else:
                flash(_("The programme was saved."), "info")
                return redirect(url_for(".programme", programme_id=programme.id), code=303)
    return render_template("coordinator/programme_form.html", form=form, programme=programme), 400


@bp.route("/<int:programme_id>/archive", methods=["POST"])
@roles(*MANAGERS)
@scoped
def programme_archive(programme: Programme) -> Page:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    archived = request.form.get("archived") == "1"
    ops.set_programme_archived(db_session(), programme=programme, archived=archived)
    db_session().commit()
    flash(_("The programme was archived.") if archived else _("The programme is active again."),
          "info")
    return redirect(url_for(".programme", programme_id=programme.id), code=303)


def _default_round(programme: Programme) -> Round:
    """The newest round anyone was invited to, else the first."""
    invited = db_session().scalar(
        select(Round)
        .where(Round.programme_id == programme.id,
               exists().where(Invitation.round_id == Round.id))
        .order_by(Round.position.desc())
        .limit(1)
    )
    return invited or programme.rounds[0]


@bp.route("/<int:programme_id>")
@roles(*MANAGERS)
@scoped
def programme(programme: Programme) -> Page:
    s = db_session()
    if not programme.rounds:
        return render_template("coordinator/programme.html", programme=programme, page=None,
                               form=None, round_=None, summaries={}, confirm=ConfirmForm())
    default_round = _default_round(programme)
    form = FilterForm(formdata=request.args, round=default_round.id)
    form.round.choices = options([(r.id, round_name(r)) for r in programme.rounds])
    status = 200
    if not form.validate():
        status = 400
        form_round = default_round
        state = None
        search = None
        archived = False
        page_no = 1
    else:
        form_round = next(r for r in programme.rounds if r.id == form.round.data)
        state = InvitationState(form.state.data) if form.state.data else None
        search = form.search
        archived = form.archived.data == "1"
        page_no = form.page.data or 1
    now = utcnow()
    summaries = round_summaries(s, programme=programme, now=now)
    page = dashboard_page(
        s, programme=programme, round_=form_round, now=now, state=state, search=search,
        archived=archived, page=page_no, counts=summaries[form_round.id],
    )
    return render_template(
        "coordinator/programme.html",
        programme=programme,
        form=form,
        round_=form_round,
        page=page,
        state=state,
        summaries=summaries,
        invite_form=InviteForm(days=_default_days()),
        confirm=ConfirmForm(),
        filters=_filter_args(),
        live=LIVE,
        reissuable=REISSUABLE,
    ), status


def _filter_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in {"round", "state", "q", "archived"} and v}


def _default_days() -> int:
    from .forms import VALIDITY_DAYS

    days = _config().invitation_days
    return days if days in VALIDITY_DAYS else 30


# ---- rounds ---------------------------------------------------------------------------


def _kind_choices(programme: Programme) -> list[tuple[str, str]]:
    kinds = {r.kind for r in programme.rounds}
    choices = []
    if not kinds:
        choices.append((RoundKind.BASELINE.value, str(ROUND_KIND_NAMES[RoundKind.BASELINE])))
    else:
        if RoundKind.FOLLOW_UP not in kinds:
            choices.append(
                (RoundKind.FOLLOW_UP.value, str(ROUND_KIND_NAMES[RoundKind.FOLLOW_UP]))
            )
        choices.append((RoundKind.CHECK_IN.value, str(ROUND_KIND_NAMES[RoundKind.CHECK_IN])))
    return choices


@bp.route("/<int:programme_id>/rounds/new", methods=["GET", "POST"])
@roles(*MANAGERS)
@scoped
def round_new(programme: Programme) -> Page:
    form = NewRoundForm()
    form.kind.choices = options(_kind_choices(programme))
    if request.method == "GET":
        return render_template("coordinator/round_form.html", form=form, programme=programme,
                               round_=None)
    if form.validate_on_submit():
        s = db_session()
        try:
            ops.add_round(s, programme=programme, kind=RoundKind(form.kind.data),
                          label=form.label.data or "", planned_on=form.planned_on.data)
            s.commit()
        except OperationError as exc:
            s.rollback()
            _show_error(form, exc)
        else:
            flash(_("The round was added."), "info")
            return redirect(url_for(".programme", programme_id=programme.id), code=303)
    return render_template("coordinator/round_form.html", form=form, programme=programme,
                           round_=None), 400


@bp.route("/<int:programme_id>/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles(*MANAGERS)
@scoped
def round_edit(programme: Programme, round_: Round) -> Page:
    form = RoundForm(label=round_.label, planned_on=round_.planned_on)
    if request.method == "GET":
        return render_template("coordinator/round_form.html", form=form, programme=programme,
                               round_=round_, confirm=ConfirmForm())
    if form.validate_on_submit():
        s = db_session()
        try:
            ops.update_round(s, round_=round_, label=form.label.data or "",
                             planned_on=form.planned_on.data)
            s.commit()
        except OperationError as exc:
            s.rollback()
            _show_error(form, exc)
        else:
            flash(_("The round was saved."), "info")
            return redirect(url_for(".programme", programme_id=programme.id), code=303)
    return render_template("coordinator/round_form.html", form=form, programme=programme,
                           round_=round_, confirm=ConfirmForm()), 400


@bp.route("/<int:programme_id>/rounds/<int:round_id>/delete", methods=["POST"])
@roles(*MANAGERS)
@scoped
def round_delete(programme: Programme, round_: Round) -> Page:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    s = db_session()
    try:
        ops.delete_round(s, round_=round_)
        s.commit()
    except OperationError as exc:
        s.rollback()
        flash(message_of(exc), "error")
        form = RoundForm(label=round_.label, planned_on=round_.planned_on)
        return render_template("coordinator/round_form.html", form=form, programme=programme,
                               round_=round_, confirm=ConfirmForm()), 409
    flash(_("The round was removed."), "info")
    return redirect(url_for(".programme", programme_id=programme.id), code=303)


# ---- children -------------------------------------------------------------------------


def _child_form(programme: Programme, child: Child | None = None) -> ChildForm:
    if child is None:
        form = ChildForm(
            language=_config().default_locale,
            coordinator=me().id if me().role == Role.COORDINATOR else 0,
        )
    else:
        form = ChildForm(
            first_name=child.first_name, birth_year=child.birth_year, language=child.language,
            external_ref=child.external_ref, coordinator=child.coordinator_id or 0,
            facilitators=[f.id for f in child.facilitators],
        )
    form.language.choices = options(
        (code, LANGUAGE_NAMES.get(code, code)) for code in supported_locales()
    )
    members = sorted(programme.staff, key=lambda u: u.name.lower())
    coordinators = [u for u in members if u.role == Role.COORDINATOR]
    if child is not None and child.coordinator and child.coordinator not in coordinators:
        coordinators.append(child.coordinator)
    form.coordinator.choices = options(
        [(0, _("Nobody yet"))] + [(u.id, u.name) for u in coordinators]
    )
    facilitators = [u for u in members if u.role == Role.FACILITATOR]
    for f in child.facilitators if child is not None else []:
        if f not in facilitators:
            facilitators.append(f)
    form.facilitators.choices = options([(u.id, u.name) for u in facilitators])
    return form


def _staff_by_ids(ids: list[int]) -> list[StaffUser]:
    if not ids:
        return []
    return list(db_session().scalars(select(StaffUser).where(StaffUser.id.in_(ids))))


def _child_values(form: ChildForm, programme: Programme) -> dict[str, Any]:
    min_age, max_age = _age_range(programme)
    coordinator = _staff_by_ids([form.coordinator.data]) if form.coordinator.data else []
    return {
        "first_name": form.first_name.data or "",
        "birth_year": form.birth_year.data,
        "language": form.language.data or "",
        "supported_languages": supported_locales(),
        "today": date.today(),
        "external_ref": form.external_ref.data,
        "coordinator": coordinator[0] if coordinator else None,
        "facilitators": _staff_by_ids(list(form.facilitators.data or [])),
        "min_age": min_age,
        "max_age": max_age,
    }


@bp.route("/<int:programme_id>/children/new", methods=["GET", "POST"])
@roles(*MANAGERS)
@scoped
def child_new(programme: Programme) -> Page:
    form = _child_form(programme)
    age_range = _age_range(programme)
    if request.method == "GET":
        return render_template("coordinator/child_form.html", form=form, programme=programme,
                               child=None, age_range=age_range)
    if form.validate_on_submit():
        s = db_session()
        try:
            child = ops.register_child(s, programme=programme, **_child_values(form, programme))
            s.commit()
        except OperationError as exc:
            s.rollback()
            _show_error(form, exc)
        else:
            flash(_("%(name)s was added to the programme.", name=child.first_name), "info")
            if request.form.get("then") == "another":
                return redirect(url_for(".child_new", programme_id=programme.id), code=303)
            return redirect(url_for(".child", programme_id=programme.id, child_id=child.public_id),
                            code=303)
    return render_template("coordinator/child_form.html", form=form, programme=programme,
                           child=None, age_range=age_range), 400


@bp.route("/<int:programme_id>/children/<child_id>/edit", methods=["GET", "POST"])
@roles(*MANAGERS)
@scoped
def child_edit(programme: Programme, child: Child) -> Page:
    form = _child_form(programme, child)
    age_range = _age_range(programme)
    if request.method == "GET":
        return render_template("coordinator/child_form.html", form=form, programme=programme,
                               child=child, age_range=age_range)
    if form.validate_on_submit():
        s = db_session()
        try:
            ops.update_child(s, child=child, **_child_values(form, programme))
            s.commit()
        except OperationError as exc:
            s.rollback()
            _show_error(form, exc)
        else:
            flash(_("The child's details were saved."), "info")
            return redirect(url_for(".child", programme_id=programme.id, child_id=child.public_id),
                            code=303)
    return render_template("coordinator/child_form.html", form=form, programme=programme,
                           child=child, age_range=age_range), 400


def _child_page(programme: Programme, child: Child, status: int = 200) -> tuple[str, int]:
    s = db_session()
    now = utcnow()
    rows = []
    invitations = {
        inv.round_id: inv
        for inv in s.scalars(select(Invitation).where(Invitation.child_id == child.id))
    }
    answered = ops_inv.has_answers(s, [inv.id for inv in invitations.values()])
    for round_ in programme.rounds:
        inv = invitations.get(round_.id)
        state = ops_inv.state_of(inv, answered=inv is not None and inv.id in answered, now=now)
        rows.append((round_, inv, state))
    return render_template(
        "coordinator/child.html",
        programme=programme,
        child=child,
        rows=rows,
        invite_form=InviteForm(days=_default_days()),
        extend_form=ExtendForm(days=14),
        confirm=ConfirmForm(),
        live=LIVE,
        reissuable=REISSUABLE,
    ), status


@bp.route("/<int:programme_id>/children/<child_id>")
@roles(*MANAGERS)
@scoped
def child(programme: Programme, child: Child) -> Page:
    return _child_page(programme, child)


@bp.route("/<int:programme_id>/children/<child_id>/archive", methods=["POST"])
@roles(*MANAGERS)
@scoped
def child_archive(programme: Programme, child: Child) -> Page:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    s = db_session()
    if request.form.get("restore") == "1":
        ops.restore_child(s, child=child)
        flash(_("%(name)s is back on the programme's list.", name=child.first_name), "info")
    else:
        ops.archive_child(s, child=child, now=utcnow())
        flash(_("%(name)s was archived.", name=child.first_name), "info")
    s.commit()
    return redirect(url_for(".child", programme_id=programme.id, child_id=child.public_id),
                    code=303)


# ---- invitations ----------------------------------------------------------------------


@bp.route("/<int:programme_id>/children/<child_id>/rounds/<int:round_id>/invite",
          methods=["POST"])
@roles(*MANAGERS)
@scoped
def invite(programme: Programme, child: Child, round_: Round) -> Page:
    form = InviteForm()
    if not form.validate_on_submit():
        flash(_("Choose how long the link is valid."), "error")
        return _child_page(programme, child, 400)
    s = db_session()
    try:
        issued = ops_inv.issue(
            s, child=child, round_=round_, tokens=_tokens(), days=form.days.data,
            code_keys=_config().secret_keys, actor=me(),
        )
        s.commit()
    except OperationError as exc:
        s.rollback()
        flash(message_of(exc), "error")
        return _child_page(programme, child, 409)
    return render_template(
        "coordinator/handover.html",
        programme=programme,
        handover=handover.build(issued),
        email_form=_email_form(issued.token, issued.short_code),
        mail_ready=is_configured(_config()),
    )


def _email_form(token: str, code: ShortCode) -> EmailForm:
    form = EmailForm(formdata=None, token=token, code=code.code)
    return form


def _invitation_for(programme: Programme, child: Child, round_: Round) -> Invitation:
    invitation = db_session().scalar(
        select(Invitation).where(Invitation.child_id == child.id, Invitation.round_id == round_.id)
    )
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/<int:programme_id>/children/<child_id>/rounds/<int:round_id>/revoke",
          methods=["POST"])
@roles(*MANAGERS)
@scoped
def revoke(programme: Programme, child: Child, round_: Round) -> Page:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    invitation = _invitation_for(programme, child, round_)
    s = db_session()
    try:
        ops_inv.revoke(s, invitation=invitation, actor=me())
        s.commit()
    except OperationError as exc:
        s.rollback()
        flash(message_of(exc), "error")
        return _child_page(programme, child, 409)
    flash(_("The link and code for %(round)s no longer work.", round=round_name(round_)), "info")
    return redirect(url_for(".child", programme_id=programme.id, child_id=child.public_id),
                    code=303)


@bp.route("/<int:programme_id>/children/<child_id>/rounds/<int:round_id>/extend",
          methods=["POST"])
@roles(*MANAGERS)
@scoped
def extend(programme: Programme, child: Child, round_: Round) -> Page:
    form = ExtendForm()
    if not form.validate_on_submit():
        flash(_("Choose how many days to add."), "error")
        return _child_page(programme, child, 400)
    invitation = _invitation_for(programme, child, round_)
    s = db_session()
    try:
        until = ops_inv.extend(s, invitation=invitation, days=form.days.data)
        s.commit()
    except OperationError as exc:
        s.rollback()
        flash(message_of(exc), "error")
        return _child_page(programme, child, 409)
    flash(_("The same link and code now work until %(date)s.", date=format_date(until, "long")),
          "info")
    return redirect(url_for(".child", programme_id=programme.id, child_id=child.public_id),
                    code=303)


#: Links one "invite everyone" request makes: each needs a QR code and a letter, about 4 ms
#: each, so a batch stays well inside gunicorn's 30 s timeout and a page a browser prints.  The
#: result page offers the next batch.
BULK_BATCH_SIZE = 1_000


@bp.route("/<int:programme_id>/rounds/<int:round_id>/invite", methods=["GET", "POST"])
@roles(*MANAGERS)
@scoped
def bulk_invite(programme: Programme, round_: Round) -> Page:
    s = db_session()
    now = utcnow()
    counts = round_summaries(s, programme=programme, now=now)[round_.id]
    form = BulkInviteForm(days=_default_days())
    if request.method == "POST":
        if form.validate_on_submit():
            states = {InvitationState.NOT_INVITED}
            if form.which.data == "all":
                states = set(ops_inv.UNFINISHED)
            try:
                done = ops_inv.bulk_issue(
                    s, programme=programme, round_=round_, tokens=_tokens(),
                    days=form.days.data, code_keys=_config().secret_keys, states=states,
                    actor=me(), now=now, limit=BULK_BATCH_SIZE, after_child_id=form.after.data or 0,
                )
                s.commit()
            except OperationError as exc:
                s.rollback()
                form.form_errors.append(message_of(exc))
            else:
                handovers = [handover.build(i, fast=len(done.issued) > 1) for i in done.issued]
                return render_template(
                    "coordinator/bulk_result.html",
                    programme=programme,
                    round_=round_,
                    handovers=handovers,
                    email_forms={h.invitation.id: _email_form(h.token, h.code) for h in handovers},
                    mail_ready=is_configured(_config()),
                    remaining=done.remaining,
                    next_form=BulkInviteForm(
                        which=form.which.data, days=form.days.data, after=done.last_child_id),
                    batch_size=BULK_BATCH_SIZE,
                )
        if form.after.errors:  # a hidden field: say it above the form
            form.form_errors.append(str(BATCH_LOST))
        return render_template("coordinator/bulk_invite.html", programme=programme,
                               round_=round_, form=form, counts=counts,
                               batch_size=BULK_BATCH_SIZE), 400
    return render_template("coordinator/bulk_invite.html", programme=programme, round_=round_,
                           form=form, counts=counts, batch_size=BULK_BATCH_SIZE)


def _render_email(programme: Programme, hand: handover.Handover | None, form: EmailForm,
                  *, sent_to: str | None = None, problem: str | None = None,
                  status: int = 200) -> tuple[str, int]:
    context: Mapping[str, Any] = {
        "programme": programme,
        "handover": hand,
        "email_form": form,
        "sent_to": sent_to,
        "mail_problem": problem,
        "mail_ready": is_configured(_config()),
    }
    if htmx or hand is None:
        return render_template("coordinator/_email.html", **context), status
    return render_template("coordinator/handover.html", **context), status


@bp.route("/<int:programme_id>/send", methods=["POST"])
@roles(*MANAGERS)
@scoped
def send(programme: Programme) -> Page:
    """E-mail a link just issued (the form carries it back: the server never kept it)."""
    form = EmailForm()
    s = db_session()
    token = request.form.get("token", "")
    try:
        parsed = _tokens().parse(token)
        code: ShortCode | None = parse_code(request.form.get("code", ""))
    except (TokenInvalid, CodeMalformed):
        abort(400)
    invitation = s.scalar(select(Invitation).where(Invitation.public_id == parsed.public_id))
    if invitation is not None and invitation.child.programme_id != programme.id:
        abort(404)
    valid = (
        invitation is not None
        and parsed.matches(invitation.secret_hash)
        and invitation.short_code_hash is not None
        and code_matches(code, invitation.short_code_hash, _config().secret_keys)
    )
    if not valid or invitation is None:
        return _render_email(programme, None, form, status=410,
                             problem=_("A newer link was issued since, so this one no longer "
                                       "works. Send the newest link instead."))
    hand = handover.from_parts(invitation, token, code)
    state = ops_inv.state_of(
        invitation, answered=bool(ops_inv.has_answers(s, [invitation.id])), now=utcnow()
    )
    if state not in LIVE:
        return _render_email(programme, hand, form, status=409,
                             problem=_("This link no longer works (%(state)s).",
                                       state=STATE_NAMES[state]))
    if not form.validate_on_submit():
        return _render_email(programme, hand, form, status=400)
    if not is_configured(_config()):
        return _render_email(programme, hand, form, status=503,
                             problem=_("E-mail is not set up on this server."))
    subject, body = handover.mail(hand)
    address = (form.email.data or "").strip()
    try:
        send_mail(_config(), to=address, subject=subject, body=body)
    except MailError:
        current_app.logger.warning("invitation e-mail failed", exc_info=True)
        return _render_email(programme, hand, form, status=503,
                             problem=_("The e-mail could not be sent. Check the address, or try "
                                       "again in a moment."))
    ops_inv.record_sent(s, invitation=invitation, actor=me(), channel="email")
    s.commit()
    return _render_email(programme, hand, EmailForm(formdata=None, token=token, code=code.code),
                         sent_to=address)
