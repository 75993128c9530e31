"""The ``staff`` blueprint: login (with two-factor login), and the staff start page."""

from flask import Blueprint

bp = Blueprint("staff", __name__, template_folder="../templates")

from . import auth, twofactor, views  # noqa: E402,F401
