"""Names in Danish alphabetical order: case ignored, and Æ, Ø and Å after Z, in that order (Ä
and Ö, what a Swedish or German keyboard gives, with Æ and Ø).  One order for every list of
children, staff and programmes, in the database and in Python alike.

In SQL, ``ORDER BY by_name(Child.first_name)`` sorts by :func:`name_key` of the column:

* on SQLite by that very function, registered on each connection (:mod:`kidsvoice.db`);
* on PostgreSQL by the same key built in SQL — ``translate(lower(name), 'æøåäö…', '{|}{|…')``
  compared byte by byte (``COLLATE "C"``): ``{``, ``|`` and ``}`` are the characters right
  after ``z``, whatever the database's own collation does with Danish letters.

Other letters beyond ASCII (é, ü) sort after Å on both; names rarely start with them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

_LOWER_LETTERS = "æøåäö"
_AFTER_Z = "{|}{|"
_KEY = str.maketrans(_LOWER_LETTERS, _AFTER_Z)
SQL_FUNCTION = "kv_name_key"


def name_key(name: str | None) -> str | None:
    """The sort key of a name (``None`` stays ``None``)."""
    return name.lower().translate(_KEY) if name is not None else None


class _NameKey(FunctionElement[str]):
    type = String()
    inherit_cache = True
    name = SQL_FUNCTION


@compiles(_NameKey)
def _as_registered_function(element: _NameKey, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQL_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(_NameKey, "postgresql")
def _in_postgresql(element: _NameKey, compiler: SQLCompiler, **kw: Any) -> str:
    upper = _LOWER_LETTERS.upper()
    return (f"translate(lower({compiler.process(element.clauses, **kw)}), "
            f"'{_LOWER_LETTERS}{upper}', '{_AFTER_Z}{_AFTER_Z}') COLLATE \"C\"")


def by_name(column: Any) -> ColumnElement[str]:
    """The expression to ``ORDER BY`` for names in Danish order (add an id to break ties)."""
    return _NameKey(column)
