"""Finding a child by what staff type in a list's search box: part of the first name or of the
case reference, in any case.  One clause for every list that has the box (the coordinator's
dashboard, the meeting list), so they find the same children."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_

from .models import Child


def name_or_reference(search: str) -> ColumnElement[bool]:
    """``Child`` rows whose first name or case reference contains ``search`` (``%`` and ``_``
    are matched as themselves)."""
    needle = search.lower()
    return or_(
        func.lower(Child.first_name).contains(needle, autoescape=True),
        func.lower(Child.external_ref).contains(needle, autoescape=True),
    )
