"""Stored scores of completed responses (table ``response_scores``): outcomes and the export read
one small row per response instead of its answers.

**What is stored.**  Per completed response, exactly what :func:`kidsvoice.response_scores.
score_response` computes from its answers — every measure's value, form and index items — and
the goal ratings (:func:`kidsvoice.response_scores.goal_ratings`), as
:func:`kidsvoice.response_scores.encode`'s text, with the ``scoring_version`` and the ``basis``
it was computed with.  The basis is a digest of what else decides the scores: the
questionnaire version's file digest, the round's kind and the optional modules available
(their versions and digests).  Published questionnaire files never change in place
(:mod:`kidsvoice.instruments`), so a row is valid while its version is
``SCORING_VERSION`` and its basis is the one the registry gives now.

**Who writes it.**

* :func:`kidsvoice.operations.answers.finish`, in the transaction that completes the response;
* :func:`kidsvoice.simulate.simulate`, with its bulk insert;
* outcomes, *lazily*: a response whose row is missing (completed before migration 0005,
  or written by a test's factory), stale (an older ``SCORING_VERSION``) or of another basis
  is scored from its answers on the fly — the figures never depend on the stored rows — and,
  when the caller hands :func:`kidsvoice.outcome_data.programme_outcomes` a way to write
  (the outcome page and ``kidsvoice outcomes`` do), stored in a short transaction of its own.
  So after an upgrade or a scoring change the first outcome page of a programme is as slow as
  it used to be and the next ones are fast.  The CSV export only reads (it streams and never
  writes).  There is no rebuild command: nothing needs one.

**Deleting.**  The row goes with its response: ``ON DELETE CASCADE``, and
:mod:`kidsvoice.operations.retention` deletes it explicitly as well before deleting responses.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import StoredScores
from .questionnaire import Questionnaire
from .response_scores import SCORING_VERSION, encode, goal_ratings, score_response
from .sheet import RoundInput, StoredAnswer

__all__ = ["SCORING_VERSION", "basis", "row_for", "store"]

log = logging.getLogger(__name__)

#: Rows per INSERT statement.
CHUNK: Final = 2_000


def basis(questionnaire: Questionnaire, kind: str, modules: Sequence[Questionnaire]) -> str:
    """The digest of what, besides the answers and the code, decides a response's scores."""
    parts = [questionnaire.id, str(questionnaire.version), questionnaire.digest, str(kind)]
    parts += [f"{m.id}@{m.version}:{m.digest}" for m in modules]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def row_for(response_id: int, rnd: RoundInput) -> dict[str, Any]:
    """The ``response_scores`` row of one completed response (``rnd``: its round and answers)."""
    return {
        "response_id": response_id,
        "scoring_version": SCORING_VERSION,
        "basis": basis(rnd.questionnaire, rnd.kind, rnd.modules),
        "data": encode(score_response(rnd), goal_ratings(rnd.answers)),
    }


def stored_answers(rows: Iterable[Any]) -> dict[str, StoredAnswer]:
    """Answer rows (``Answer`` objects, or rows with the same attributes) as the sheet takes
    them, the way :mod:`kidsvoice.outcome_data` reads them."""
    result = {}
    for a in rows:
        status = getattr(a.status, "value", a.status)
        result[a.question_key] = StoredAnswer(
            key=a.question_key, status=str(status), score=a.score,
            choices=tuple(a.choices or ()) if a.score is None else (),
            hidden=bool(a.hidden_from_meeting),
        )
    return result


def store(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert or replace these rows (an upsert: two writers storing the same row is fine)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = StoredScores.__table__
    for start in range(0, len(rows), CHUNK):
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.response_id],
            set_={
                "scoring_version": statement.excluded.scoring_version,
                "basis": statement.excluded.basis,
                "data": statement.excluded.data,
            },
        )
        session.execute(statement, [dict(r) for r in rows[start:start + CHUNK]])
