"""The child's journey: link → welcome → one question per screen → review → finish.

Every screen works by plain full-page posts (Post/Redirect/Get); with JavaScript, htmx posts the
same forms and swaps only the conversation, using the same ``child/_step.html`` partial.
Each answer is committed before the next question is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from werkzeug.wrappers import Response as WerkzeugResponse

from ..access import child_route, public
from ..answers import AnswerError, parse_answer
from ..extensions import htmx, limiter
from ..i18n import supported_locales
from ..models import Invitation, Response, RoundKind
from ..operations import OperationError
from ..operations.answers import (
    HIDEABLE_SECTIONS,
    AlreadyAnswered,
    LinkProblem,
    SavedAnswer,
    active_invitation,
    answers_by_key,
    finish,
    first_unanswered,
    open_goals,
    open_link,
    save_answer,
    start_response,
    steps_for,
)
from ..questionnaire import Question
from ..tokens import InvitationTokens
from ..web import db_session, done_writing
from ..worry_mail import tell_coordinators
from . import bp
from . import session as child_session

PageResult = str | WerkzeugResponse | tuple[str, int]


def _tokens() -> InvitationTokens:
    return InvitationTokens(current_app.extensions["kidsvoice.config"].secret_keys)


def _registry() -> Any:
    return current_app.extensions["kidsvoice.questionnaires"]


def _link_problem_page(reason: str) -> tuple[str, int]:
    # Expired and revoked links say "ask the adult"; an unknown or tampered one says the
    # same, with 404 and no hint of why.
    status = 404 if reason == "invalid" else 410
    return render_template("child/link_problem.html"), status


def _already_answered_page() -> str:
    return render_template("child/already.html")


def _redirect(endpoint: str, **values: Any) -> WerkzeugResponse:
    """A 303 to a child page; for htmx, a full-page redirect so the new page loads whole."""
    url = url_for(endpoint, **values)
    if htmx:
        return htmx_response("", 200, redirect=url)
    return redirect(url, code=303)


def with_invitation(view: Callable[..., PageResult]) -> Callable[..., PageResult]:
    """Load the child session's invitation or show the page that explains why not."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> PageResult:
        s = db_session(read_first=True)  # a view that writes asks for the writer itself
        try:
            invitation = active_invitation(s, child_session.current_invitation_id())
        except AlreadyAnswered:
            child_session.end()
            return _already_answered_page()
        except LinkProblem as problem:
            child_session.end()
            return _link_problem_page(problem.reason)
        return view(invitation, *args, **kwargs)

    return wrapper


def _link_failure_limit() -> str:
    return str(current_app.config["KIDSVOICE_LINK_FAILURE_LIMIT"])


@bp.route("/i/<token>")
@child_route
@limiter.limit(_link_failure_limit, deduct_when=lambda r: r.status_code in (404, 410))
def link(token: str) -> PageResult:
    """Exchange the token for a child session and leave the token out of the address bar."""
    s = db_session(write=True)
    try:
        invitation = open_link(s, tokens=_tokens(), token=token)
    except AlreadyAnswered:
        return _already_answered_page()
    except LinkProblem as problem:
        return _link_problem_page(problem.reason)
    s.commit()
    child_session.begin(invitation.public_id)
    if "locale" not in session or child_session.tablet() is None:
        session["locale"] = invitation.child.language
    return redirect(url_for("child.start"), code=303)


@bp.route("/c")
@child_route
@with_invitation
def start(invitation: Invitation) -> PageResult:
    """Welcome, or resume at the first unanswered question."""
    response = invitation.response
    if response is not None:
        s = db_session()
        steps = steps_for(response, _registry())
        answered = answers_by_key(s, response)
        if answered:
            key = first_unanswered(steps, answered)
            return redirect(url_for("child.question", key=key) if key else url_for("child.review"))
    goals = []
    if invitation.round.kind != RoundKind.BASELINE:
        goals = open_goals(invitation.child)
    return render_template(
        "child/welcome.html", child=invitation.child, goals=goals, started=response is not None
    )


@bp.route("/c/start", methods=["POST"])
@child_route
@with_invitation
def begin(invitation: Invitation) -> PageResult:
    s = db_session(write=True)
    questionnaire = _programme_questionnaire(invitation)
    response = start_response(
        s, invitation=invitation, questionnaire=questionnaire,
        language=str(session.get("locale") or invitation.child.language), today=date.today(),
    )
    s.commit()
    steps = steps_for(response, _registry())
    key = first_unanswered(steps, answers_by_key(s, response))
    return redirect(url_for("child.question", key=key) if key else url_for("child.review"), 303)


def _programme_questionnaire(invitation: Invitation) -> Any:
    programme = invitation.child.programme
    return _registry().get(programme.questionnaire_id, programme.questionnaire_version)


@bp.route("/c/sprog/<code>")
@child_route
def language(code: str) -> WerkzeugResponse:
    """Switch language from any child screen (a link, so it works without JavaScript)."""
    if code in supported_locales():
        session["locale"] = code
    back = request.args.get("next", "")
    if not back.startswith("/c") or back.startswith("//"):
        back = url_for("child.start")
    return redirect(back, code=303)


def _response_or_start(invitation: Invitation) -> Response | None:
    return invitation.response


def _context(invitation: Invitation, key: str) -> tuple[Response, tuple[Question, ...], int]:
    response = invitation.response
    if response is None:
        abort(404)
    steps = steps_for(response, _registry())
    index = next((i for i, q in enumerate(steps) if q.key == key), None)
    if index is None:
        abort(404)
    return response, steps, index


def _render_step(
    response: Response, steps: tuple[Question, ...], index: int, answers: dict[str, SavedAnswer],
    *, error: str | None = None, status: int = 200, from_review: bool = False,
    push: bool = False, worry_help: bool = False,
) -> PageResult:
    question = steps[index]
    previous = steps[index - 1] if index > 0 else None
    context = {
        "question": question,
        "position": index + 1,
        "total": len(steps),
        "answer": answers.get(question.key),
        "previous": previous,
        "previous_answer": answers.get(previous.key) if previous else None,
        "back_url": url_for("child.question", key=previous.key) if previous else url_for(
            "child.start_again"),
        "error": error,
        "from_review": from_review,
        "child": response.invitation.child,
        "worry_help": worry_help,
    }
    if htmx and not htmx.history_restore_request:
        html = render_template("child/_step.html", **context, swap=True)
        if push:
            url = url_for("child.question", key=question.key)
            return htmx_response(html, status, push_url=url)
        return html, status
    return render_template("child/step.html", **context), status


@bp.route("/c/igen")
@child_route
@with_invitation
def start_again(invitation: Invitation) -> PageResult:
    """"Back" from the first question: the welcome screen, even after answers exist."""
    goals = open_goals(invitation.child) if invitation.round.kind != RoundKind.BASELINE else []
    return render_template("child/welcome.html", child=invitation.child, goals=goals,
                           started=invitation.response is not None)


@bp.route("/c/q/<key>", methods=["GET", "POST"])
@child_route
@with_invitation
def question(invitation: Invitation, key: str) -> PageResult:
    if invitation.response is None:
        return redirect(url_for("child.start"), code=303)
    s = db_session()
    response, steps, index = _context(invitation, key)
    from_review = request.values.get("from") == "review"
    if request.method == "GET":
        return _render_step(response, steps, index, answers_by_key(s, response),
                            from_review=from_review, worry_help=child_session.take_help())
    current = steps[index]
    already_flagged = response.flagged_at is not None
    # What the child said before, read with the rest before the write; the answer saved
    # below is added to it, so the next screen needs no second read.
    answers = answers_by_key(s, response)
    try:
        parsed = parse_answer(current, request.form)
        s = db_session(write=True)  # the write lock from here to the commit, no longer
        worry = save_answer(s, response=response, question=current, parsed=parsed)
        s.commit()  # durable before the next question is shown
        done_writing()  # the next question is rendered without holding the write lock
    except AnswerError as exc:
        s.rollback()
        message = _(exc.message, **exc.params)  # noqa: INT001 - msgids from answers.py
        return _render_step(response, steps, index, answers,
                            error=message, status=422, from_review=from_review)
    except OperationError as exc:
        s.rollback()
        return _render_step(response, steps, index, answers,
                            error=_(exc.message), status=422)  # noqa: INT001
    except AlreadyAnswered:
        s.rollback()
        child_session.end()
        return _redirect("child.start")
    if worry and not already_flagged:
        tell_coordinators(response.invitation.child)
    before = answers.get(current.key)
    answers[current.key] = SavedAnswer.of(
        current.key, parsed, hidden=before.hidden_from_meeting if before else False)
    next_key = None if from_review else first_unanswered(steps[index + 1:], answers)
    if next_key is None and not from_review:
        next_key = first_unanswered(steps, answers)
    if next_key is None:
        if worry:
            child_session.show_help_next()
        return _redirect("child.review")
    if htmx:
        next_index = next(i for i, q in enumerate(steps) if q.key == next_key)
        return _render_step(response, steps, next_index, answers, push=True, worry_help=worry)
    if worry:
        child_session.show_help_next()  # the redirect's page shows it, once
    return redirect(url_for("child.question", key=next_key), code=303)


def _review_items(
    steps: tuple[Question, ...], answers: dict[str, SavedAnswer]
) -> list[dict[str, Any]]:
    return [
        {"question": q, "answer": answers.get(q.key), "hideable": q.section in HIDEABLE_SECTIONS}
        for q in steps
    ]


@bp.route("/c/svar", methods=["GET", "POST"])
@child_route
@with_invitation
def review(invitation: Invitation) -> PageResult:
    response = invitation.response
    if response is None:
        return redirect(url_for("child.start"), code=303)
    s = db_session()
    steps = steps_for(response, _registry())
    answers = answers_by_key(s, response)
    if request.method == "POST":
        s = db_session(write=True)
        try:
            finish(s, response=response, hidden_keys=request.form.getlist("hide"), steps=steps)
        except AlreadyAnswered:
            s.rollback()
            child_session.end()
            return _redirect("child.start")
        s.commit()
        child_session.end()
        return _redirect("child.done")
    return render_template("child/review.html", items=_review_items(steps, answers),
                           child=invitation.child, worry_help=child_session.take_help())


@bp.route("/c/tak")
@public
def done() -> str:
    """The finish screen: thanks, what happens next, and where to get help."""
    lock_url = None
    if child_session.tablet() is not None and "tablet.lock" in current_app.view_functions:
        lock_url = url_for("tablet.lock")
    return render_template("child/done.html", lock_url=lock_url)


@bp.route("/c/hjaelp")
@public
def help() -> str:  # noqa: A001 - the page's name
    return render_template("child/help.html", has_session=child_session.current_invitation_id()
                           is not None)
