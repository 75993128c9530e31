"""The ``meeting`` blueprint: the child's answer sheet, the all-rounds view, the coordinator's
safeguarding page and the shared goals (DESIGN.md, flow 3).

Who may open what is decided in one place, :mod:`kidsvoice.meeting.access`; every view loads
the child through :func:`~kidsvoice.meeting.access.load_child_for`.
"""

from flask import Blueprint

bp = Blueprint("meeting", __name__, url_prefix="/children")

from . import views  # noqa: E402,F401
