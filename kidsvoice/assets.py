"""Static files: a content hash in every static URL, so browsers may keep them for a year.

``url_for("static", filename=…)`` gains ``?v=<hash of the file>``; a changed file gets a new
URL, so a long ``max-age`` never serves a stale stylesheet, and a child's later questions need
no request for a picture or script they already have.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, g, url_for

from .cookie_session import SessionInterface

ONE_YEAR = 365 * 24 * 3600


@cache
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def file_version(static_folder: str, filename: str) -> str | None:
    path = Path(static_folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(str(path), stat.st_mtime_ns)


def sprite_url() -> str:
    """The icon sprite's URL, built once per request (a question screen shows a dozen icons)."""
    if "sprite_url" not in g:
        g.sprite_url = url_for("static", filename="img/icons.svg")
    url: str = g.sprite_url
    return url


def init_app(app: Flask) -> None:
    app.jinja_env.globals["sprite_url"] = sprite_url
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ONE_YEAR
    app.session_interface = SessionInterface()
    # In debug mode a file edited while the server runs gets its new hash at once; otherwise
    # the files cannot change under a running server, so each is looked at once (a page
    # with a dozen icons would else stat the sprite a dozen times).
    versions: dict[str, str | None] = {}

    def version_of(filename: str) -> str | None:
        if app.debug:
            return file_version(app.static_folder or "", filename)
        if filename not in versions:
            versions[filename] = file_version(app.static_folder or "", filename)
        return versions[filename]

    @app.url_defaults
    def _version_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = version_of(values["filename"])
            if version:
                values["v"] = version
