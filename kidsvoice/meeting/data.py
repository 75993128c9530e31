"""Loading one child's completed rounds and goals into the plain values of :mod:`kidsvoice.sheet`.

Only *completed* responses are read: until the child finishes, they may still keep answers
from the meeting, so an unfinished response is never shown on a sheet.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Answer, Child, Goal, Invitation, Response, Round
from ..questionnaire import Questionnaire, QuestionnaireRegistry, load_registry
from ..sheet import GoalInfo, RoundInput, StoredAnswer


@cache
def _registry_from_files() -> QuestionnaireRegistry:
    return load_registry(Path(__file__).resolve().parent.parent / "questionnaires")


def registry() -> QuestionnaireRegistry:
    """The questionnaires loaded at start-up (``app.extensions``), else read from the files."""
    loaded = current_app.extensions.get("kidsvoice.questionnaires")
    return loaded if loaded is not None else _registry_from_files()


def modules(reg: QuestionnaireRegistry) -> tuple[Questionnaire, ...]:
    """The newest version of every optional module."""
    newest: dict[str, Questionnaire] = {}
    for q in reg:
        if q.module and (q.id not in newest or q.version > newest[q.id].version):
            newest[q.id] = q
    return tuple(newest.values())


def completed_rounds(session: Session, child: Child) -> list[RoundInput]:
    """The child's completed rounds, in programme order, with their answers."""
    rows = session.execute(
        select(Response, Round)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Round, Invitation.round_id == Round.id)
        .where(Invitation.child_id == child.id, Response.completed_at.is_not(None))
        .order_by(Round.position)
    ).all()
    if not rows:
        return []
    answers: dict[int, dict[str, StoredAnswer]] = defaultdict(dict)
    for a in session.scalars(
        select(Answer).where(Answer.response_id.in_([r.id for r, _ in rows]))
    ):
        answers[a.response_id][a.question_key] = StoredAnswer(
            key=a.question_key,
            status=str(a.status),
            score=a.score,
            choices=tuple(a.choices or ()),
            text=a.text,
            goal_id=a.goal_id,
            hidden=a.hidden_from_meeting,
        )
    reg = registry()
    available = modules(reg)
    result = []
    for response, round_ in rows:
        completed_on = response.completed_at.date() if response.completed_at else None
        result.append(
            RoundInput(
                round_id=round_.id,
                position=round_.position,
                kind=str(round_.kind),
                label=round_.label,
                variant=response.variant,
                questionnaire=reg.get(response.questionnaire_id, response.questionnaire_version),
                answers=answers[response.id],
                completed_on=completed_on,
                modules=available,
            )
        )
    return result


def goal_infos(session: Session, child: Child) -> list[GoalInfo]:
    rows = session.execute(
        select(Goal, Round.position)
        .outerjoin(Round, Goal.round_id == Round.id)
        .where(Goal.child_id == child.id)
        .order_by(Goal.id)
    ).all()
    return [
        GoalInfo(
            id=goal.id,
            text=goal.text,
            start_rating=goal.start_rating,
            agreed_on=goal.agreed_on,
            status=str(goal.status),
            round_position=position,
        )
        for goal, position in rows
    ]
