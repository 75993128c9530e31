"""The child's session: which invitation this browser is answering, and nothing else.

A token link (or a short code typed on a shared tablet) is exchanged for this session; every
child page then works from :func:`current_invitation_id` and never sees the token again.
Starting a child's session clears whatever the browser held before (another child's session
on a shared tablet, a planted cookie), keeping only the language and the tablet-mode marker.
"""

from __future__ import annotations

from typing import Any

from flask import session

CHILD_KEY = "child_invitation"
TABLET_KEY = "tablet"
#: One-time marker: the next page shows the help box (an answer matched the worry list and the
#: answer's post was answered with a redirect, so the help is shown by the page it leads to).
HELP_KEY = "show_help"
_KEEP = ("locale", TABLET_KEY)


def begin(invitation_public_id: str) -> None:
    kept = {key: session[key] for key in _KEEP if key in session}
    session.clear()
    session.update(kept)
    session.permanent = True
    session[CHILD_KEY] = invitation_public_id


def current_invitation_id() -> str | None:
    value = session.get(CHILD_KEY)
    return value if isinstance(value, str) else None


def end() -> None:
    """Forget the child (finish, or the tablet's idle time ran out); keep tablet mode."""
    kept = {key: session[key] for key in _KEEP if key in session}
    session.clear()
    session.update(kept)


def show_help_next() -> None:
    session[HELP_KEY] = True


def take_help() -> bool:
    """True once after :func:`show_help_next`."""
    return bool(session.pop(HELP_KEY, False))


def tablet() -> dict[str, Any] | None:
    """Tablet mode's marker ({"programme_id", "staff_id", ...}) if this browser is a tablet."""
    value = session.get(TABLET_KEY)
    return value if isinstance(value, dict) else None
