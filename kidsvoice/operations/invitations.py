"""Invitations: one child × one round, and the token link that opens it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .. import audit, shortcode
from ..audit import Action
from ..invitation_state import InvitationState, invitation_state
from ..models import (
    Answer,
    Child,
    Invitation,
    Programme,
    Response,
    Round,
    StaffUser,
    new_public_id,
    utcnow,
)
from ..msgid import N_
from ..shortcode import ShortCode
from ..tokens import InvitationTokens
from . import OperationError


def invite(
    session: Session,
    *,
    child: Child,
    round_: Round,
    tokens: InvitationTokens,
    days: int,
    created_by: StaffUser | None = None,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Create the child's invitation for the round, or give it a fresh link.

    A fresh link replaces the old one (only one secret hash is kept), re-opens a revoked
    invitation and restarts the expiry; a completed invitation cannot be re-issued.
    Returns the invitation and the token — the only time the token exists in full.
    """
    if round_.programme_id != child.programme_id:
        raise OperationError(N_("That round belongs to another programme."))
    now = now or utcnow()
    invitation = session.scalar(
        select(Invitation).where(Invitation.child_id == child.id, Invitation.round_id == round_.id)
    )
    if invitation is not None and invitation.completed_at is not None:
        raise OperationError(N_("The child has already answered this round."))
    public_id = new_public_id()
    issued = tokens.issue(public_id)
    if invitation is None:
        invitation = Invitation(child=child, round=round_, created_by_id=created_by and created_by.id)
        session.add(invitation)
    invitation.public_id = public_id
    invitation.secret_hash = issued.secret_hash
    invitation.expires_at = now + timedelta(days=days)
    invitation.revoked_at = None
    # A fresh link makes the old letter void, short code included.
    invitation.short_code_selector = None
    invitation.short_code_hash = None
    invitation.short_code_failures = 0
    session.flush()
    return invitation, issued.token


#: The longest an invitation may stay valid, counted from now.
MAX_DAYS = 365
#: Who "new links for everyone who has not finished" reaches: never the revoked (someone
#: chose to stop them) nor the completed.
UNFINISHED = frozenset({
    InvitationState.NOT_INVITED,
    InvitationState.INVITED,
    InvitationState.OPENED,
    InvitationState.IN_PROGRESS,
    InvitationState.EXPIRED,
})
_CODE_ATTEMPTS = 50


@dataclass(frozen=True)
class Issued:
    """A freshly issued invitation: the only moment its link and short code exist in full."""

    invitation: Invitation
    token: str
    short_code: ShortCode


def issue(
    session: Session,
    *,
    child: Child,
    round_: Round,
    tokens: InvitationTokens,
    days: int,
    code_keys: Sequence[str],
    actor: StaffUser | None = None,
    actor_label: str | None = None,
    now: datetime | None = None,
) -> Issued:
    """Create the invitation or give it a fresh link and short code (the old ones stop
    working), and write it to the audit log."""
    now = now or utcnow()
    if not 1 <= days <= MAX_DAYS:
        raise OperationError(N_("An invitation can be valid for 1 to %(n)s days."), n=MAX_DAYS)
    if child.archived_at is not None:
        raise OperationError(N_("The child is archived. Restore the child to invite them."))
    existed = session.scalar(
        select(Invitation.id).where(
            Invitation.child_id == child.id, Invitation.round_id == round_.id
        )
    )
    invitation, token = invite(
        session, child=child, round_=round_, tokens=tokens, days=days, created_by=actor, now=now
    )
    code = _assign_short_code(session, invitation, key=code_keys[-1], now=now)
    audit.record(
        session,
        action=Action.INVITATION_CREATED,
        actor=actor,
        actor_label=actor_label,
        subject=child.public_id,
        programme_id=child.programme_id,
        detail={"round": round_.position, "new_link": existed is not None, "days": days},
    )
    return Issued(invitation, token, code)


def _assign_short_code(
    session: Session, invitation: Invitation, *, key: str, now: datetime
) -> ShortCode:
    """A new code whose selector no other answerable invitation uses."""
    for _attempt in range(_CODE_ATTEMPTS):
        code = shortcode.generate()
        clash = session.scalar(
            select(Invitation.id)
            .where(
                Invitation.short_code_selector == code.selector,
                Invitation.id != invitation.id,
                Invitation.completed_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .limit(1)
        )
        if clash is None:
            invitation.short_code_selector = code.selector
            invitation.short_code_hash = shortcode.hash_code(code, key)
            invitation.short_code_failures = 0
            return code
    raise OperationError(N_("No free short code was found. Please try again."))  # pragma: no cover


def revoke(
    session: Session,
    *,
    invitation: Invitation,
    actor: StaffUser | None = None,
    now: datetime | None = None,
) -> None:
    """Stop the link and short code at once (a new link can be issued later)."""
    if invitation.completed_at is not None:
        raise OperationError(N_("The child has already answered this round."))
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = now or utcnow()
    invitation.short_code_selector = None
    invitation.short_code_hash = None
    session.flush()
    audit.record(
        session,
        action=Action.INVITATION_REVOKED,
        actor=actor,
        subject=invitation.child.public_id,
        programme_id=invitation.child.programme_id,
        detail={"round": invitation.round.position},
    )


def extend(
    session: Session, *, invitation: Invitation, days: int, now: datetime | None = None
) -> datetime:
    """Push the expiry ``days`` further (from now, if it has passed); the link stays the same."""
    now = now or utcnow()
    if invitation.completed_at is not None:
        raise OperationError(N_("The child has already answered this round."))
    if invitation.revoked_at is not None:
        raise OperationError(N_("The invitation was revoked. Send a new link instead."))
    if not 1 <= days <= MAX_DAYS:
        raise OperationError(N_("An invitation can be valid for 1 to %(n)s days."), n=MAX_DAYS)
    new_expiry = max(invitation.expires_at, now) + timedelta(days=days)
    if new_expiry > now + timedelta(days=MAX_DAYS):
        raise OperationError(
            N_("An invitation can be valid for at most %(n)s days from today."), n=MAX_DAYS
        )
    invitation.expires_at = new_expiry
    session.flush()
    return new_expiry


def record_sent(
    session: Session, *, invitation: Invitation, actor: StaffUser | None, channel: str
) -> None:
    """Log that the link was sent (never to whom: the address is not kept)."""
    audit.record(
        session,
        action=Action.INVITATION_SENT,
        actor=actor,
        subject=invitation.child.public_id,
        programme_id=invitation.child.programme_id,
        detail={"round": invitation.round.position, "channel": channel},
    )


def mark_opened(invitation: Invitation, now: datetime | None = None) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = now or utcnow()


def has_answers(session: Session, invitation_ids: Iterable[int]) -> set[int]:
    """Which of these invitations have a response with at least one answer."""
    ids = list(invitation_ids)
    if not ids:
        return set()
    rows = session.scalars(
        select(Response.invitation_id)
        .where(Response.invitation_id.in_(ids))
        .where(exists().where(Answer.response_id == Response.id))
    )
    return set(rows)


def state_of(invitation: Invitation | None, *, answered: bool, now: datetime) -> InvitationState:
    if invitation is None:
        return invitation_state(exists=False, now=now)
    return invitation_state(
        exists=True,
        opened_at=invitation.opened_at,
        completed_at=invitation.completed_at,
        revoked_at=invitation.revoked_at,
        expires_at=invitation.expires_at,
        has_answers=answered,
        now=now,
    )


def round_states(
    session: Session, *, round_: Round, children: Sequence[Child], now: datetime
) -> dict[int, tuple[InvitationState, Invitation | None]]:
    """Each child's state in the round (by child id), in two queries."""
    ids = [c.id for c in children]
    invitations = {
        inv.child_id: inv
        for inv in session.scalars(
            select(Invitation).where(Invitation.round_id == round_.id, Invitation.child_id.in_(ids))
        )
    } if ids else {}
    answered = has_answers(session, [inv.id for inv in invitations.values()])
    result = {}
    for child in children:
        inv = invitations.get(child.id)
        result[child.id] = (state_of(inv, answered=inv is not None and inv.id in answered,
                                     now=now), inv)
    return result


def bulk_issue(
    session: Session,
    *,
    programme: Programme,
    round_: Round,
    tokens: InvitationTokens,
    days: int,
    code_keys: Sequence[str],
    states: Iterable[InvitationState],
    actor: StaffUser | None = None,
    actor_label: str | None = None,
    now: datetime | None = None,
) -> list[Issued]:
    """Invite every current child of the programme whose state in the round is in ``states``
    (completed and archived children never), in name order."""
    now = now or utcnow()
    if round_.programme_id != programme.id:
        raise OperationError(N_("That round belongs to another programme."))
    wanted = set(states) - {InvitationState.COMPLETED}
    children = list(
        session.scalars(
            select(Child)
            .where(Child.programme_id == programme.id, Child.archived_at.is_(None))
            .order_by(Child.first_name, Child.id)
        )
    )
    current = round_states(session, round_=round_, children=children, now=now)
    issued = []
    for child in children:
        if current[child.id][0] in wanted:
            issued.append(
                issue(
                    session, child=child, round_=round_, tokens=tokens, days=days,
                    code_keys=code_keys, actor=actor, actor_label=actor_label, now=now,
                )
            )
    return issued


@dataclass(frozen=True)
class CodeResult:
    """What a typed short code found: ``ok`` (with the invitation), ``unknown``, ``locked``
    (too many wrong codes: a new letter is needed), ``completed``, ``revoked``, ``expired``."""

    reason: str
    invitation: Invitation | None = None


def find_by_short_code(
    session: Session,
    *,
    programme_id: int,
    code: ShortCode,
    keys: Sequence[str],
    now: datetime | None = None,
) -> CodeResult:
    """Find the invitation of a code typed on a tablet of this programme.

    A code that selects an invitation but does not match counts a failure on it; after
    :data:`~kidsvoice.shortcode.MAX_INVITATION_FAILURES` even the right code is refused.
    """
    now = now or utcnow()
    candidates = list(
        session.scalars(
            select(Invitation)
            .join(Child, Invitation.child_id == Child.id)
            .where(
                Child.programme_id == programme_id,
                Child.archived_at.is_(None),
                Invitation.short_code_selector == code.selector,
                Invitation.short_code_hash.is_not(None),
            )
        )
    )
    for invitation in candidates:
        assert invitation.short_code_hash is not None  # noqa: S101 - narrowed by the query
        if not shortcode.matches(code, invitation.short_code_hash, keys):
            continue
        if invitation.short_code_failures >= shortcode.MAX_INVITATION_FAILURES:
            return CodeResult("locked")
        if invitation.completed_at is not None:
            return CodeResult("completed")
        if invitation.revoked_at is not None:
            return CodeResult("revoked")
        if invitation.expires_at <= now:
            return CodeResult("expired")
        invitation.short_code_failures = 0
        session.flush()
        return CodeResult("ok", invitation)
    for invitation in candidates:
        if invitation.completed_at is None and invitation.revoked_at is None:
            invitation.short_code_failures += 1
    session.flush()
    return CodeResult("unknown")
