"""The ``child`` blueprint: the token link and the child's journey.  Never imports ``staff``."""

from flask import Blueprint

from . import options

bp = Blueprint("child", __name__)
bp.record_once(lambda state: options.init_app(state.app))

from . import views  # noqa: E402,F401
