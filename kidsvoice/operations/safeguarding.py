"""Safeguarding writes: flagging a response whose free text matched the worry list, and marking
a child's free text as read.

Neither writes the child's words anywhere but the answer itself: the audit entries name the
child by pseudonymous id and the question by its key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..audit import Action
from ..models import Answer, Child, Response, Role, StaffUser, programme_staff, utcnow


def flag_response(
    session: Session, *, response: Response, question_key: str, now: datetime | None = None
) -> bool:
    """Record that an answer of ``response`` matched the worry list.

    Sets ``Response.flagged_at`` the first time and returns True then (the caller tells the
    coordinator); a later match in the same response returns False.  Every match is in the
    audit log.
    """
    first = response.flagged_at is None
    if first:
        response.flagged_at = now or utcnow()
    child = response.invitation.child
    audit.record(
        session,
        action=Action.WORRY_FLAGGED,
        actor=None,
        actor_label="system",
        subject=child.public_id,
        programme_id=child.programme_id,
        detail={"question": question_key, "round": response.invitation.round.position,
                "first": first},
    )
    session.flush()
    return first


def mark_read(
    session: Session, *, answer: Answer, user: StaffUser, now: datetime | None = None
) -> bool:
    """Mark a child's free text as read by ``user``; False if it already was (nothing changes)."""
    if answer.read_at is not None:
        return False
    answer.read_at = now or utcnow()
    answer.read_by_id = user.id
    child = answer.response.invitation.child
    audit.record(
        session,
        action=Action.ANSWER_READ,
        actor=user,
        subject=child.public_id,
        programme_id=child.programme_id,
        detail={"question": answer.question_key,
                "round": answer.response.invitation.round.position, "worry": answer.worry},
    )
    session.flush()
    return True


def responsible_coordinators(session: Session, child: Child) -> list[StaffUser]:
    """Who must read the child's free text: the child's own coordinator when one is assigned
    (and active, and still in the programme), otherwise every active coordinator of the
    programme — the rule of the safeguarding pages (:mod:`kidsvoice.meeting.access`)."""
    members = list(
        session.scalars(
            select(StaffUser)
            .join(programme_staff, programme_staff.c.staff_id == StaffUser.id)
            .where(
                programme_staff.c.programme_id == child.programme_id,
                StaffUser.role == Role.COORDINATOR,
                StaffUser.active.is_(True),
            )
            .order_by(StaffUser.id)
        )
    )
    own = [user for user in members if user.id == child.coordinator_id]
    return own or members
