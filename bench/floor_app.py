"""The least an answer step can be under Flask, for ``bench/floor.py``: each route reads the
invitation, stores one answer durably and renders the next question from a small template,
with none of KidsVoice's sessions, CSRF, translations, access rules or ORM.

* ``/raw`` — the standard library's ``sqlite3``: ``BEGIN IMMEDIATE``, a SELECT, an INSERT, a
  COMMIT with ``synchronous=FULL`` (an fsync, as KidsVoice's);
* ``/core`` — the same through a SQLAlchemy ``Session`` and textual SQL, reading Flask's
  signed session cookie as every KidsVoice request does.

``FLOOR_DB`` names the SQLite file (made by ``bench/floor.py``).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
from typing import Any

from flask import Flask, request, session
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

DATABASE = os.environ["FLOOR_DB"]
app = Flask(__name__)
app.secret_key = os.environ.get("FLOOR_SECRET", "floor-" + "x" * 40)
NEXT_QUESTION = app.jinja_env.from_string(
    '<form method="post" action="/q/{{ n }}" class="answer-form">'
    '<h2 id="question">{{ text }}</h2>'
    '{% for o in options %}<label><input type="radio" name="answer" value="{{ o }}"> {{ o }}'
    "</label>{% endfor %}<button>Næste</button></form>"
)
QUESTION = {"n": 2, "text": "Hvordan har du det i skolen?", "options": ["1", "2", "3", "4", "5"]}
_local = threading.local()
_numbers = itertools.count()


def _pragmas(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=10000")


def _connection() -> sqlite3.Connection:
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(DATABASE, isolation_level=None, check_same_thread=False)
        _pragmas(connection)
        _local.connection = connection
    return connection


engine = create_engine(f"sqlite:///{DATABASE}")


@event.listens_for(engine, "connect")
def _connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    _pragmas(dbapi_connection)


@event.listens_for(engine, "begin")
def _begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@app.route("/")
def hello() -> str:
    return "Hello, world!"


@app.route("/raw", methods=["POST"])
def raw() -> str:
    answer = request.form.get("answer", "")
    connection = _connection()
    connection.execute("BEGIN IMMEDIATE")
    (invitation,) = connection.execute("SELECT id FROM invitations WHERE id = 1").fetchone()
    connection.execute("INSERT INTO answers (invitation_id, number, value) VALUES (?, ?, ?)",
                       (invitation, next(_numbers), answer))
    connection.execute("COMMIT")
    return NEXT_QUESTION.render(**QUESTION)


@app.route("/core", methods=["POST"])
def core() -> str:
    answer = request.form.get("answer", "")
    session.get("invitation")
    with Session(engine) as s:
        invitation = s.execute(text("SELECT id FROM invitations WHERE id = 1")).scalar_one()
        s.execute(text("INSERT INTO answers (invitation_id, number, value) VALUES (:i, :n, :v)"),
                  {"i": invitation, "n": next(_numbers), "v": answer})
        s.commit()
    return NEXT_QUESTION.render(**QUESTION)
