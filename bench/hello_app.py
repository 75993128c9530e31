"""The ceiling for ``bench/load.py``: a bare Flask "hello world" served under the same
gunicorn settings as KidsVoice, so the ratio between the two says what KidsVoice's own work
(templates, sessions, CSRF, the database) costs on this machine."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, world!"
