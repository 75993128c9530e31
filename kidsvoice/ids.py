"""Database ids in addresses and forms: never larger than a database column holds.

Every id column is an ``Integer``: 32 bits on PostgreSQL (``integer``), 64 on SQLite.  A
larger number typed into an address (``/children/99999999999999999999/sheet``) or a form names
nothing, and the databases do not say so by finding no row: PostgreSQL refuses the comparison
("integer out of range") and SQLite's driver cannot even send it.  So such a number is turned
away before any query: the ``int`` converter of every route answers 404, and forms that carry
an id check :data:`MAX_ID` with their other rules.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

#: The largest id a column holds on every database KidsVoice runs on (PostgreSQL's ``integer``).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a whole number from 0 to :data:`MAX_ID`."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
