"""The ``evaluation`` blueprint: a programme's outcomes for evaluators (see :mod:`.views`)."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/outcomes")

from . import views  # noqa: E402,F401
