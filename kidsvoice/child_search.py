"""Finding a child by what staff type in a list's search box: part of the first name or of the
case reference, in any case.  One clause for every list that has the box (the coordinator's
dashboard, the meeting list; the tablet's list by first name only), so they find the same
children."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_

from .models import Child


def name_or_reference(search: str) -> ColumnElement[bool]:
    """``Child`` rows whose first name or case reference contains ``search`` (``%`` and ``_``
    are matched as themselves)."""
    return or_(name_contains(search), _contains(Child.external_ref, search))


def name_contains(search: str) -> ColumnElement[bool]:
    """``Child`` rows whose first name contains ``search`` (the tablet's list, where the
    adult looks for a name only)."""
    return _contains(Child.first_name, search)


def _contains(column: ColumnElement[str | None], search: str) -> ColumnElement[bool]:
    return func.lower(column).contains(search.lower(), autoescape=True)
