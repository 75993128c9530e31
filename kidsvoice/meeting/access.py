"""Who may see a child's meeting pages — one guard, used by every query of the blueprint.

Decided (and documented in the module of the views that use it):

* **Answer sheet, all-rounds view, goals**: a *facilitator assigned to the child*
  (``Child.facilitators``) and a *coordinator of the child's programme* (``Programme.staff``
  with the role coordinator).
* **Safeguarding page** (the answers the child kept from the meeting): coordinators only — the
  child's own coordinator (``Child.coordinator``) when one is assigned, otherwise every
  coordinator of the programme, so that what a child kept back is always read by someone
  responsible for them and by no one else.  Facilitators never see these answers.  An own
  coordinator who is deactivated or has left the programme counts as none assigned: the
  programme's coordinators take over rather than nobody reading.  The "Free text to read" page
  (:mod:`kidsvoice.safeguarding_views`) uses the same rule.
* **Admins and evaluators** see no child's answers at all: an admin manages accounts and
  programmes, not children (DESIGN.md), and an evaluator sees only suppressed aggregates.

Anyone else gets 403 — for a child of another programme and for an id that does not exist
alike, so that trying ids tells nothing.
"""

from __future__ import annotations

import enum

from flask import abort
from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import False_

from ..models import Child, Role, StaffUser, child_facilitators, programme_staff


class Purpose(enum.StrEnum):
    SHEET = "sheet"
    GOALS = "goals"
    SAFEGUARDING = "safeguarding"


def _in_programme(user: StaffUser) -> ColumnElement[bool]:
    # IN (the user's programmes), not a correlated EXISTS: the database then finds the
    # children through their programme's index instead of testing every child it holds.
    return Child.programme_id.in_(
        select(programme_staff.c.programme_id).where(programme_staff.c.staff_id == user.id)
    )


def _own_coordinator_present() -> ColumnElement[bool]:
    """The child's own coordinator is an active coordinator of the child's programme."""
    own = aliased(StaffUser)
    return exists().where(
        own.id == Child.coordinator_id,
        own.active.is_(True),
        own.role == Role.COORDINATOR,
        programme_staff.c.programme_id == Child.programme_id,
        programme_staff.c.staff_id == own.id,
    )


def children_clause(user: StaffUser, purpose: Purpose) -> ColumnElement[bool]:
    """A WHERE clause on ``Child`` selecting exactly the children ``user`` may see for
    ``purpose``; ``false()`` for anyone else."""
    if not user.is_active:
        return false()
    if user.role == Role.FACILITATOR and purpose in (Purpose.SHEET, Purpose.GOALS):
        return exists().where(
            child_facilitators.c.child_id == Child.id,
            child_facilitators.c.staff_id == user.id,
        )
    if user.role == Role.COORDINATOR:
        if purpose == Purpose.SAFEGUARDING:
            return and_(
                _in_programme(user),
                or_(
                    Child.coordinator_id.is_(None),
                    Child.coordinator_id == user.id,
                    ~_own_coordinator_present(),
                ),
            )
        return _in_programme(user)
    return false()


def may_see(session: Session, user: StaffUser, child_id: int, purpose: Purpose) -> bool:
    clause = children_clause(user, purpose)
    if isinstance(clause, False_):  # never for this role: no need to ask the database
        return False
    query = select(Child.id).where(Child.id == child_id, clause)
    return session.scalar(query) is not None


def load_child_for(session: Session, user: StaffUser, child_id: int, purpose: Purpose) -> Child:
    """The child, if ``user`` may see it for ``purpose``; otherwise 403 (never 404)."""
    child = session.scalar(
        select(Child).where(Child.id == child_id, children_clause(user, purpose))
    )
    if child is None:
        abort(403)
    return child
