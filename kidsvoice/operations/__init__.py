"""All writes to the database, as functions that take a ``Session`` and plain values.

Views parse input, call an operation and render; operations check the domain's rules and raise
:class:`OperationError` subclasses with a translatable message.  (Indico's ``operations.py``.)
"""

from __future__ import annotations


class OperationError(Exception):
    """A rule of the domain was broken; ``message`` is an English msgid for the person."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
