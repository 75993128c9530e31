"""The ``staff`` blueprint: login, and the coordinator's and facilitator's pages."""

from flask import Blueprint

bp = Blueprint("staff", __name__, template_folder="../templates")

from . import auth, views  # noqa: E402,F401
