"""The ``admin`` blueprint: staff accounts (programmes and retention follow)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import security, views  # noqa: E402,F401
