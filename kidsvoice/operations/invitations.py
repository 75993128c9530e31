"""Invitations: one child × one round, and the token link that opens it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Child, Invitation, Round, StaffUser, new_public_id, utcnow
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
        raise OperationError("That round belongs to another programme.")
    now = now or utcnow()
    invitation = session.scalar(
        select(Invitation).where(Invitation.child_id == child.id, Invitation.round_id == round_.id)
    )
    if invitation is not None and invitation.completed_at is not None:
        raise OperationError("The child has already answered this round.")
    public_id = new_public_id()
    issued = tokens.issue(public_id)
    if invitation is None:
        invitation = Invitation(child=child, round=round_, created_by_id=created_by and created_by.id)
        session.add(invitation)
    invitation.public_id = public_id
    invitation.secret_hash = issued.secret_hash
    invitation.expires_at = now + timedelta(days=days)
    invitation.revoked_at = None
    session.flush()
    return invitation, issued.token
