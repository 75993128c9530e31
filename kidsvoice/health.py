"""``GET /healthz``: whether this KidsVoice can serve, for a load balancer, a container
orchestrator or the municipality's monitoring.

* ``200 ok`` — the database answers and its schema is at this version's newest migration;
* ``503`` — the database cannot be reached, or its schema is behind or ahead (a deployment
  that forgot ``kidsvoice db upgrade``, or an older version started on a newer database); the
  one-line reason is in the body.

Plain text for a machine, so not translated; nothing personal in it, no session cookie, never
cached.  Anyone may ask (it says nothing a stranger could use).
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Response
from sqlalchemy.exc import SQLAlchemyError

from .access import public
from .migrate import current_revision, head_revision
from .web import database

bp = Blueprint("health", __name__)


@cache
def _newest_migration() -> str | None:
    return head_revision()  # reads the migration scripts: once a process


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


@bp.route("/healthz")
@public
def healthz() -> Response:
    try:
        at = current_revision(database().engine)
    except SQLAlchemyError as exc:
        return _plain(f"database unavailable: {type(exc).__name__}", 503)
    newest = _newest_migration()
    if at != newest:
        return _plain(
            f"database schema at {at}, this version needs {newest}: run kidsvoice db upgrade",
            503,
        )
    return _plain("ok", 200)
