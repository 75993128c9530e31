"""The free text a coordinator must read, with when each is due.

* **Flagged** answers (they matched the worry list) are urgent whatever the working-day rule:
  the municipality must assess a concern within 24 hours of learning of it, so each is due 24
  hours after its response was first flagged, and overdue after that.
* **Every other** free-text answer is due within ``KIDSVOICE_READ_WITHIN_WORKING_DAYS`` working
  days (default 2, Monday to Friday; :mod:`kidsvoice.workdays`) of when the child first gave it.

Order on the page: flagged answers first, newest first; then the rest, the coordinator's own
children first, earliest due first.  Kept-from-the-meeting answers are in the list like any
other: the coordinator reads everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..instruments import question_of
from ..meeting.access import Purpose, children_clause
from ..models import Answer, Child, Invitation, Programme, Response, Round, StaffUser
from ..questionnaire import Question, QuestionnaireRegistry
from ..workdays import read_deadline

URGENT_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class FreeText:
    answer: Answer
    response: Response
    child: Child
    round: Round
    programme: Programme
    question: Question | None
    due_at: datetime
    overdue: bool
    own: bool  # the reader is the child's own coordinator

    @property
    def worry(self) -> bool:
        return self.answer.worry

    @property
    def kept(self) -> bool:
        return self.answer.hidden_from_meeting


@dataclass(frozen=True)
class Counts:
    unread: int
    flagged: int
    overdue: int


def _due(answer: Answer, response: Response, working_days: int) -> datetime:
    if answer.worry:
        return (response.flagged_at or answer.answered_at) + URGENT_WITHIN
    return read_deadline(answer.answered_at, working_days)


def _sort_key(item: FreeText) -> tuple[int, float, int, float]:
    if item.worry:
        return (0, -item.answer.answered_at.timestamp(), 0, 0.0)
    return (1, 0.0, 0 if item.own else 1, item.due_at.timestamp())


def unread_free_text(
    session: Session,
    user: StaffUser,
    *,
    now: datetime,
    working_days: int,
    registry: QuestionnaireRegistry | None = None,
    answer_ids: Iterable[int] | None = None,
) -> list[FreeText]:
    """The unread free text ``user`` must read, in page order."""
    query = (
        select(Answer, Response, Child, Round, Programme)
        .join(Response, Answer.response_id == Response.id)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Child, Invitation.child_id == Child.id)
        .join(Round, Invitation.round_id == Round.id)
        .join(Programme, Child.programme_id == Programme.id)
        .where(
            Answer.read_at.is_(None),
            or_(Answer.text.is_not(None), Answer.worry.is_(True)),
            children_clause(user, Purpose.SAFEGUARDING),
        )
    )
    if answer_ids is not None:
        query = query.where(Answer.id.in_(list(answer_ids)))
    items = []
    for answer, response, child, round_, programme in session.execute(query).all():
        due = _due(answer, response, working_days)
        items.append(FreeText(
            answer=answer, response=response, child=child, round=round_, programme=programme,
            question=question_of(registry, response, answer.question_key), due_at=due,
            overdue=now > due, own=child.coordinator_id == user.id,
        ))
    return sorted(items, key=_sort_key)


def count(items: Iterable[FreeText]) -> Counts:
    items = list(items)
    return Counts(
        unread=len(items),
        flagged=sum(1 for i in items if i.worry),
        overdue=sum(1 for i in items if i.overdue),
    )
