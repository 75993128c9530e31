"""The ``tablet`` blueprint: a shared school tablet that children take turns on.

A coordinator starts tablet mode for a programme; the staff login ends on that browser and
the session keeps only ``session["tablet"]``.  Between children the tablet shows a neutral
lock screen: a child types the short code from their letter, or an adult (with the staff
password) picks the child.  At the finish, or after the idle time, the tablet returns to the
lock screen, which ends the child's session.  Leaving tablet mode needs the staff password.
"""

from flask import Blueprint

bp = Blueprint("tablet", __name__, url_prefix="/tablet")

from . import views  # noqa: E402,F401
