"""Translated names of the invitation states (one place, used by every page and filter)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..invitation_state import InvitationState

STATE_NAMES = {
    InvitationState.NOT_INVITED: _l("Not invited"),
    InvitationState.INVITED: _l("Invited"),
    InvitationState.OPENED: _l("Opened"),
    InvitationState.IN_PROGRESS: _l("In progress"),
    InvitationState.COMPLETED: _l("Completed"),
    InvitationState.EXPIRED: _l("Expired"),
    InvitationState.REVOKED: _l("Revoked"),
}
