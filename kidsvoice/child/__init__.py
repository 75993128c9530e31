"""The ``child`` blueprint: the token link and the child's journey.  Never imports ``staff``."""

from flask import Blueprint

bp = Blueprint("child", __name__)

from . import views  # noqa: E402,F401
