"""Safeguarding and rights pages.

The ``safeguarding`` blueprint (here and :mod:`.views`): reading every free-text answer.

* ``/safeguarding/`` — the free text the coordinator must read, flagged answers first;
* ``/safeguarding/answers/<id>/read`` — mark one answer as read.

The ``rights`` blueprint (:mod:`.rights`, ``/rights/...``): the access export and erasure of
one child.

Who may see a child's free text is the rule of the meeting's safeguarding page
(:func:`kidsvoice.meeting.access.children_clause` with ``Purpose.SAFEGUARDING``).
"""

from flask import Blueprint

bp = Blueprint("safeguarding", __name__, url_prefix="/safeguarding")

from . import views  # noqa: E402,F401
