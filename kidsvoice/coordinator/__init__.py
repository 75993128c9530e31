"""The ``coordinator`` blueprint: programmes, their rounds and children, and invitations.

For coordinators (only the programmes they are members of) and administrators (all).
Every view loads what it works on through :mod:`.scope`, which answers 404 for anything
outside the person's programmes, whatever id is put in the address.
"""

from flask import Blueprint

bp = Blueprint("coordinator", __name__, url_prefix="/programmes")

from . import views  # noqa: E402,F401
