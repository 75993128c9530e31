"""Shared goals: agreed at the meeting with the child, in the child's words (DESIGN.md, flow 3).

At most three goals are open at a time (Goal-Based Outcomes); each has the child's starting
rating 0–10 and the date it was agreed.  A goal is edited (a typo, a better wording the child
chose), marked achieved or dropped, or reopened — reopening counts against the three again.

Messages are English msgids marked with ``N_`` (extracted into the catalogs); the views
translate them and show them at the field named by :attr:`GoalError.field`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Child, Goal, GoalStatus, Round, StaffUser
from . import OperationError

MAX_OPEN_GOALS = 3
TEXT_MAX = 200  # Goal.text is String(200)
RATING_MIN, RATING_MAX = 0, 10
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


class GoalError(OperationError):
    """A goal rule was broken; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field


def clean_goal_text(text: str) -> str:
    """The child's words on one line: NFC, whitespace runs made single spaces, no controls."""
    text = unicodedata.normalize("NFC", text or "")
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def _check_text(text: str) -> str:
    cleaned = clean_goal_text(text)
    if not cleaned:
        raise GoalError(N_("Write the goal in the child's own words."), field="text")
    if len(cleaned) > TEXT_MAX:
        raise GoalError(
            N_("Keep the goal to at most %(n)s characters."), field="text", n=TEXT_MAX
        )
    return cleaned


def _check_rating(rating: object) -> int:
    if (
        not isinstance(rating, int)
        or isinstance(rating, bool)
        or not RATING_MIN <= rating <= RATING_MAX
    ):
        raise GoalError(
            N_("The rating is a whole number from %(min)s to %(max)s."),
            field="start_rating",
            min=RATING_MIN,
            max=RATING_MAX,
        )
    return rating


def _check_date(agreed_on: object, today: date) -> date:
    if not isinstance(agreed_on, date):
        raise GoalError(N_("Enter the date the goal was agreed."), field="agreed_on")
    if agreed_on > today:
        raise GoalError(N_("The date cannot be in the future."), field="agreed_on")
    return agreed_on


def _lock_child(session: Session, child: Child) -> None:
    """Serialise goal changes per child (PostgreSQL row lock; SQLite writers are serial)."""
    session.execute(select(Child.id).where(Child.id == child.id).with_for_update())


def open_goal_count(session: Session, child: Child) -> int:
    return session.scalar(
        select(func.count(Goal.id)).where(
            Goal.child_id == child.id, Goal.status == GoalStatus.OPEN
        )
    ) or 0


def _check_room(session: Session, child: Child) -> None:
    if open_goal_count(session, child) >= MAX_OPEN_GOALS:
        raise GoalError(
            N_(
                "The child already has %(n)s open goals. Mark one as achieved or dropped "
                "before adding another."
            ),
            n=MAX_OPEN_GOALS,
        )


def _check_child(child: Child) -> None:
    if child.archived_at is not None:
        raise GoalError(N_("This child's record is archived: goals can no longer be changed."))


def record_goal(
    session: Session,
    *,
    child: Child,
    text: str,
    start_rating: int,
    agreed_on: date,
    today: date,
    round_: Round | None = None,
    recorded_by: StaffUser | None = None,
) -> Goal:
    """Record a new open goal; GoalError when a rule is broken (nothing is stored then)."""
    _check_child(child)
    cleaned = _check_text(text)
    rating = _check_rating(start_rating)
    when = _check_date(agreed_on, today)
    if round_ is not None and round_.programme_id != child.programme_id:
        raise GoalError(N_("That round belongs to another programme."))
    _lock_child(session, child)
    _check_room(session, child)
    goal = Goal(
        child_id=child.id,
        text=cleaned,
        start_rating=rating,
        agreed_on=when,
        status=GoalStatus.OPEN,
        round_id=round_.id if round_ is not None else None,
        created_by_id=recorded_by.id if recorded_by is not None else None,
    )
    session.add(goal)
    session.flush()
    return goal


def edit_goal(
    session: Session,
    *,
    goal: Goal,
    text: str,
    start_rating: int,
    agreed_on: date,
    today: date,
) -> Goal:
    """Correct a goal's words, starting rating or date."""
    _check_child(goal.child)
    goal.text = _check_text(text)
    goal.start_rating = _check_rating(start_rating)
    goal.agreed_on = _check_date(agreed_on, today)
    session.flush()
    return goal


def set_goal_status(session: Session, *, goal: Goal, status: GoalStatus | str) -> Goal:
    """Mark a goal achieved or dropped, or reopen it (within the three open goals)."""
    _check_child(goal.child)
    try:
        new = GoalStatus(status)
    except ValueError:
        raise GoalError(N_("Choose achieved, dropped or open."), field="status") from None
    if new == goal.status:
        return goal
    if new == GoalStatus.OPEN:
        _lock_child(session, goal.child)
        _check_room(session, goal.child)
    goal.status = new
    session.flush()
    return goal
