"""The child's side: opening a link, starting, saving each answer durably, finishing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import stored_scores
from ..answers import ParsedAnswer
from ..models import (
    Answer,
    AnswerStatus,
    Child,
    Goal,
    GoalStatus,
    Invitation,
    Response,
    Round,
    RoundKind,
    utcnow,
)
from ..msgid import N_
from ..questionnaire import GOAL_KEY_PREFIX, GoalRef, Question, Questionnaire, QuestionnaireRegistry
from ..questionnaire import variant_for_age as _variant_for_age
from ..response_scores import available_modules
from ..safeguarding import is_worrying
from ..sheet import RoundInput
from ..tokens import InvitationTokens, TokenInvalid
from . import OperationError
from .safeguarding import flag_response

#: Answers the child may keep from the meeting sheet: their own words and picture cards.
HIDEABLE_SECTIONS = frozenset({"wishes"})


class LinkProblem(Exception):
    """Why a link cannot be used: ``invalid`` (404), ``expired`` or ``revoked`` (410)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AlreadyAnswered(Exception):
    """The invitation is completed: it opens to a thank-you page and nothing else."""


def open_link(
    session: Session, *, tokens: InvitationTokens, token: str, now: datetime | None = None
) -> Invitation:
    """Check a token against the database; mark the invitation opened on first use."""
    now = now or utcnow()
    try:
        parsed = tokens.parse(token)
    except TokenInvalid:
        raise LinkProblem("invalid") from None
    invitation = session.scalar(select(Invitation).where(Invitation.public_id == parsed.public_id))
    if invitation is None or not parsed.matches(invitation.secret_hash):
        raise LinkProblem("invalid")
    if invitation.completed_at is not None:
        raise AlreadyAnswered
    if invitation.revoked_at is not None:
        raise LinkProblem("revoked")
    if invitation.expires_at <= now:
        raise LinkProblem("expired")
    if invitation.opened_at is None:
        invitation.opened_at = now
    return invitation


# The statements every answer step runs, built once with bound parameters: building a
# statement and its cache key again on every step cost about as much as running it.
_ACTIVE_INVITATION = (
    select(Invitation, Round, Child, Response)
    .join(Invitation.round)
    .join(Invitation.child)
    .outerjoin(Invitation.response)
    .where(Invitation.public_id == bindparam("public_id"))
)


def active_invitation(session: Session, public_id: str | None) -> Invitation:
    """The invitation of a child session, if it may still be answered."""
    if not public_id:
        raise LinkProblem("invalid")
    # One query for what every child screen uses (the round, the response and the child),
    # instead of one lazy load each.  The four are selected side by side and set on the
    # invitation as loaded, not joinedloaded (whose row processing cost more than the query).
    # The child's goals load lazily, and only after the baseline (:func:`steps_for`).
    row = session.execute(_ACTIVE_INVITATION, {"public_id": public_id}).one_or_none()
    if row is None:
        raise LinkProblem("invalid")
    invitation, round_, child, response = row
    set_committed_value(invitation, "round", round_)
    set_committed_value(invitation, "child", child)
    set_committed_value(invitation, "response", response)
    if response is not None:
        set_committed_value(response, "invitation", invitation)
    if invitation.completed_at is not None:
        raise AlreadyAnswered
    if invitation.revoked_at is not None:
        raise LinkProblem("revoked")
    return invitation


def child_age(child: Child, today: date) -> int:
    """Age from the birth year alone (we never store a birth date)."""
    return today.year - child.birth_year


def start_response(
    session: Session,
    *,
    invitation: Invitation,
    questionnaire: Questionnaire,
    language: str,
    today: date,
) -> Response:
    """The invitation's response, created once (two tabs starting at once make one)."""
    if invitation.response is not None:
        return invitation.response
    child = invitation.child
    if child.variant is None:
        # Pinned at the child's first round (INSTRUMENT §2): change needs the same variant.
        child.variant = _variant_for_age(child_age(child, today))
    values = {
        "invitation_id": invitation.id,
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "variant": child.variant,
        "language": language,
        "started_at": utcnow(),
    }
    session.execute(_insert(session, Response).values(**values).on_conflict_do_nothing())
    session.flush()
    session.refresh(invitation)
    response = invitation.response
    if response is None:
        raise RuntimeError("start_response: the invitation has no response after inserting one")
    return response


def open_goals(child: Child) -> list[GoalRef]:
    return [GoalRef(g.id, g.text) for g in child.goals if g.status == GoalStatus.OPEN]


def steps_for(response: Response, registry: QuestionnaireRegistry) -> tuple[Question, ...]:
    questionnaire = registry.get(response.questionnaire_id, response.questionnaire_version)
    invitation = response.invitation
    kind = invitation.round.kind
    # Goals are agreed at the meeting after the baseline: a baseline round never asks about
    # them, so its steps need not load the child's goals (a query on every answer).
    goals = open_goals(invitation.child) if kind is not RoundKind.BASELINE else []
    return questionnaire.steps(
        response.variant,  # type: ignore[arg-type]
        kind.value,  # type: ignore[arg-type]
        goals,
    )


@dataclass(frozen=True)
class SavedAnswer:
    """What the child has said to one question, as their screens show it back: the stored
    row's values, without the ORM object (a child's screen reads every answer given so far,
    on every step, and never changes them)."""

    question_key: str
    status: AnswerStatus
    score: int | None
    choices: list[str] | None
    text: str | None
    hidden_from_meeting: bool

    @classmethod
    def of(cls, key: str, parsed: ParsedAnswer, *, hidden: bool = False) -> SavedAnswer:
        """The answer just saved from ``parsed`` (the upsert keeps the row's hidden flag)."""
        choices = list(parsed.choices) if parsed.choices is not None else None
        return cls(key, AnswerStatus(parsed.status), parsed.score, choices, parsed.text, hidden)


_SAVED_ANSWERS = select(
    Answer.question_key, Answer.status, Answer.score, Answer.choices, Answer.text,
    Answer.hidden_from_meeting,
).where(Answer.response_id == bindparam("response_id"))


def answers_by_key(session: Session, response: Response) -> dict[str, SavedAnswer]:
    """Every answer the child has given in this response, by question key (read-only).

    Run on the session's connection, past the ORM's statement handling: plain rows, nothing
    for the ORM to track (nor any pending change of the session's to flush first).
    """
    rows = session.connection().execute(_SAVED_ANSWERS, {"response_id": response.id})
    return {row.question_key: SavedAnswer(*row) for row in rows}


def save_answer(
    session: Session, *, response: Response, question: Question, parsed: ParsedAnswer
) -> bool:
    """Store one answer: an upsert on (response, question), so a double submit, two tabs or
    the back button never make two answers for one question.

    Returns True when the answer's free text matched the safeguarding list of worry words
    (:mod:`kidsvoice.safeguarding`): the answer is flagged (``Answer.worry``, never cleared by a
    later edit — the coordinator was told), the response too (:func:`flag_response`), and the
    child is shown where to get help.  Changed words are unread again.
    """
    if response.completed_at is not None or response.invitation.completed_at is not None:
        raise AlreadyAnswered
    goal_id = None
    if question.key.startswith(GOAL_KEY_PREFIX):
        goal_id = int(question.key.removeprefix(GOAL_KEY_PREFIX))
        if session.get(Goal, goal_id) is None:
            raise OperationError(N_("That question is no longer part of your questionnaire."))
    now = utcnow()
    worry = is_worrying(parsed.text)
    values = {
        "status": parsed.status,
        "score": parsed.score,
        "choices": list(parsed.choices) if parsed.choices is not None else None,
        "text": parsed.text,
        "goal_id": goal_id,
        "updated_at": now,
    }
    statement = _upsert_answer(session.get_bind().dialect.name)
    # A Core statement on the session's connection (its transaction), past the ORM's handling
    # of statements, which cost more than the upsert itself.
    result = session.connection().execute(statement, {
        "response_id": response.id, "question_key": question.key, "answered_at": now,
        "hidden_from_meeting": False, "worry": worry, "invitation_id": response.invitation_id,
        **values,
    })
    if result.first() is None:
        # What was loaded may predate this transaction (a child view reads before it
        # writes): the upsert stores nothing once another tab has finished meanwhile.
        raise AlreadyAnswered
    if worry:
        flag_response(session, response=response, question_key=question.key, now=now)
    return worry


@dataclass(frozen=True)
class Progress:
    position: int  # 1-based position of the question
    total: int
    first_unanswered: str | None


def first_unanswered(steps: Iterable[Question], answered: Iterable[str]) -> str | None:
    done = set(answered)
    return next((q.key for q in steps if q.key not in done), None)


def finish(
    session: Session, *, response: Response, hidden_keys: Iterable[str],
    steps: tuple[Question, ...], registry: QuestionnaireRegistry | None = None,
) -> None:
    """Complete the response: keep the chosen answers from the meeting, close the link, and
    store the response's scores for outcomes (:mod:`kidsvoice.stored_scores`).

    ``registry`` is the app's questionnaires; without it, the app's own when there is an
    app context, else the scores are left to be computed when outcomes first need them.
    """
    invitation = response.invitation
    if invitation.completed_at is not None:
        raise AlreadyAnswered
    hideable = {q.key for q in steps if q.section in HIDEABLE_SECTIONS}
    hidden = set(hidden_keys) & hideable
    answers = {a.question_key: a for a in session.scalars(
        select(Answer).where(Answer.response_id == response.id))}
    for answer in answers.values():
        answer.hidden_from_meeting = answer.question_key in hidden
    now = utcnow()
    response.completed_at = now
    invitation.completed_at = now
    registry = registry or _app_registry()
    if registry is not None:
        _store_scores(session, response, answers.values(), registry)


def _app_registry() -> QuestionnaireRegistry | None:
    from flask import current_app, has_app_context  # only the web app finishes responses

    if not has_app_context():
        return None
    found: QuestionnaireRegistry | None = current_app.extensions.get("kidsvoice.questionnaires")
    return found


def _store_scores(
    session: Session, response: Response, answers: Iterable[Answer],
    registry: QuestionnaireRegistry,
) -> None:
    try:
        questionnaire = registry.get(response.questionnaire_id, response.questionnaire_version)
    except KeyError:  # a version this installation does not have: scored when it is there
        return
    rnd = RoundInput(
        round_id=response.invitation.round_id, position=0,
        kind=str(response.invitation.round.kind.value), label="", variant=response.variant,
        questionnaire=questionnaire, answers=stored_scores.stored_answers(answers),
        modules=available_modules(registry),
    )
    session.flush()
    stored_scores.store(session, [stored_scores.row_for(response.id, rnd)])


#: The columns an answer's upsert sets, each from the bound parameter of the same name.
_ANSWER_VALUES = ("response_id", "question_key", "status", "score", "choices", "text",
                  "goal_id", "answered_at", "updated_at", "hidden_from_meeting", "worry")


@cache
def _upsert_answer(dialect: str) -> Any:
    """The answer upsert, built once per database kind (building it, with its ``excluded``
    table, cost more than running it); every value is a bound parameter.

    On conflict the new values replace the old, except that ``worry`` is never cleared (the
    coordinator was told) and changed words are unread again.  Nothing is stored when the
    invitation (``invitation_id``) has been completed meanwhile, checked inside the statement
    (``INSERT … SELECT … WHERE``): then it returns no row.
    """
    # The table, not the entity: a plain INSERT, not the ORM's bulk insert (which would
    # leave out the columns whose new value is None).
    if dialect == "postgresql":
        statement = pg_insert(Answer.__table__)
    elif dialect == "sqlite":
        statement = sqlite_insert(Answer.__table__)
    else:  # pragma: no cover
        raise OperationError(N_("Unsupported database."))
    table = Answer.__table__.c
    still_open = (
        select(Invitation.completed_at)
        .where(Invitation.id == bindparam("invitation_id"))
        .scalar_subquery()
        .is_(None)
    )
    statement = statement.from_select(
        _ANSWER_VALUES,
        select(*[bindparam(name, type_=table[name].type) for name in _ANSWER_VALUES])
        .where(still_open),
    )
    new = statement.excluded
    changed = table.text.is_distinct_from(new.text)
    return statement.on_conflict_do_update(
        index_elements=[Answer.response_id, Answer.question_key],
        set_={
            **{name: new[name] for name in (
                "status", "score", "choices", "text", "goal_id", "updated_at")},
            "worry": or_(table.worry, new.worry),
            "read_at": case((changed, None), else_=table.read_at),
            "read_by_id": case((changed, None), else_=table.read_by_id),
        },
    ).returning(table.id)


def _insert(session: Session, model: type) -> object:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(model)
    if dialect == "sqlite":
        return sqlite_insert(model)
    raise OperationError(N_("Unsupported database."))  # pragma: no cover
