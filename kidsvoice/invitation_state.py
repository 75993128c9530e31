"""The state of one child's invitation for one round, as the coordinator sees it.  Pure.

Computed, never stored: from the invitation's timestamps and whether its response holds at
least one answer.  The order of the checks is the rule (first match wins):

1. no invitation → ``not_invited``
2. ``completed_at`` → ``completed`` (a finished round stays finished)
3. ``revoked_at`` → ``revoked``
4. ``expires_at`` passed → ``expired``
5. an answer exists → ``in_progress``
6. ``opened_at`` → ``opened``
7. otherwise → ``invited``

:func:`kidsvoice.coordinator.queries.state_expression` is the same rule in SQL, for filtering
and counting a thousand children in one query; a test keeps the two in step.
"""

from __future__ import annotations

import enum
from datetime import datetime


class InvitationState(enum.StrEnum):
    NOT_INVITED = "not_invited"
    INVITED = "invited"
    OPENED = "opened"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EXPIRED = "expired"
    REVOKED = "revoked"


#: The order states are listed in (a child's way through a round, then the dead ends).
ORDER = tuple(InvitationState)

#: States in which a fresh link may be issued (completed never; the rest may get a new link).
REISSUABLE = frozenset(ORDER) - {InvitationState.COMPLETED}
#: States whose link still works.
LIVE = frozenset({InvitationState.INVITED, InvitationState.OPENED, InvitationState.IN_PROGRESS})


def invitation_state(
    *,
    exists: bool,
    opened_at: datetime | None = None,
    completed_at: datetime | None = None,
    revoked_at: datetime | None = None,
    expires_at: datetime | None = None,
    has_answers: bool = False,
    now: datetime,
) -> InvitationState:
    if not exists:
        return InvitationState.NOT_INVITED
    if completed_at is not None:
        return InvitationState.COMPLETED
    if revoked_at is not None:
        return InvitationState.REVOKED
    if expires_at is not None and expires_at <= now:
        return InvitationState.EXPIRED
    if has_answers:
        return InvitationState.IN_PROGRESS
    if opened_at is not None:
        return InvitationState.OPENED
    return InvitationState.INVITED
