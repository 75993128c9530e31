"""Translated display names for the domain's enumerations (one place, used by every page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import Role, RoundKind

ROLE_NAMES = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.FACILITATOR: _l("Meeting facilitator"),
    Role.EVALUATOR: _l("Evaluator"),
}

ROUND_KIND_NAMES = {
    RoundKind.BASELINE: _l("Baseline"),
    RoundKind.FOLLOW_UP: _l("Follow-up"),
    RoundKind.CHECK_IN: _l("Check-in"),
}
