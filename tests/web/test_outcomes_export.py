"""The outcome page's CSV download (``/outcomes/<id>/export.csv``) and the streaming export
behind it and ``kidsvoice export``: who may download, suppression, the content (the command's,
byte for byte), the audit entry, and that rows are read and written a chunk at a time.

Memory and speed are measured by the benchmarks, never here."""

from __future__ import annotations

import csv
import io
import types
from typing import Any

import pytest
from sqlalchemy import select

from kidsvoice import outcome_data
from kidsvoice.evaluation.export import csv_chunks, safe_cell
from kidsvoice.models import AuditEntry, RoundKind
from kidsvoice.outcome_data import EXPORT_COLUMNS, export_plan, iter_export_rows
from tests.outcomes_data import add_children


@pytest.fixture
def programme(make: Any) -> Any:
    programme = make.programme("Eksport 2027", rounds=[
        (RoundKind.BASELINE, "Før", None), (RoundKind.FOLLOW_UP, "Efter", None)])
    add_children(make, programme, 4, seed=3, goals=True)
    add_children(make, programme, 3, seed=4, age=12)
    make.session.commit()
    return programme


def _url(programme: Any) -> str:
    return f"/outcomes/{programme.id}/export.csv"


def _rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_evaluator_downloads_what_the_command_exports(
    client: Any, login_as: Any, runner: Any, programme: Any
) -> None:
    login_as("evaluator", programmes=[programme])
    response = client.get(_url(programme))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="kidsvoice-outcomes-{programme.id}.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.is_streamed
    command = runner.invoke(args=["export", "--programme", programme.name])
    assert command.exit_code == 0, command.output
    rows = _rows(response)
    assert rows == list(csv.DictReader(io.StringIO(command.stdout, newline="")))
    assert len(rows) == 14
    assert [row["round"] for row in rows] == ["Før"] * 7 + ["Efter"] * 7
    ids = sorted(c.public_id for c in programme.children)  # code-point order, as exported
    assert [row["child"] for row in rows[:7]] == [safe_cell(i) for i in ids]
    assert all(row["programme"] == "Eksport 2027" for row in rows)
    assert all(float(row["school"]) >= 0 for row in rows if row["school"])
    assert "Barn" not in response.get_data(as_text=True)  # no names, pseudonymous ids only


def test_the_page_links_to_the_download(client: Any, login_as: Any, programme: Any) -> None:
    login_as("evaluator", programmes=[programme])
    html = client.get(f"/outcomes/{programme.id}?lang=en").get_data(as_text=True)
    assert f'href="{_url(programme)}"' in html
    assert "Download scores (CSV)" in html


def test_every_download_is_audited_as_the_command_does(
    client: Any, login_as: Any, session: Any, programme: Any
) -> None:
    user = login_as("coordinator", programmes=[programme])
    client.get(_url(programme)).get_data()
    client.get(_url(programme)).get_data()
    session.rollback()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert len(entries) == 2
    entry = entries[0]
    assert (entry.actor, entry.actor_id, entry.programme_id) == (user.email, user.id, programme.id)
    assert entry.detail == {"what": "outcomes", "format": "csv", "rows": 14, "rounds_left_out": 0}


def test_admin_downloads_any_programme(client: Any, login_as: Any, programme: Any) -> None:
    login_as("admin")
    assert len(_rows(client.get(_url(programme)))) == 14


def test_others_may_not_download(
    client: Any, login_as: Any, make: Any, session: Any, programme: Any
) -> None:
    anonymous = client.get(_url(programme))
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    other = make.programme("Andet")
    make.session.commit()
    login_as("evaluator", programmes=[other])
    assert client.get(_url(programme)).status_code == 403
    assert client.get("/outcomes/999999/export.csv").status_code == 403
    session.rollback()
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all() == []


def test_facilitator_may_not_download(client: Any, login_as: Any, programme: Any) -> None:
    login_as("facilitator", programmes=[programme])
    assert client.get(_url(programme)).status_code == 403


def test_fewer_than_5_children_export_no_rows(
    client: Any, login_as: Any, make: Any, session: Any
) -> None:
    small = make.programme("Fire")
    add_children(make, small, 4, seed=1)
    make.session.commit()
    login_as("evaluator", programmes=[small])
    response = client.get(_url(small))
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines() == [",".join(EXPORT_COLUMNS)]
    session.rollback()
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert entry.detail == {"what": "outcomes", "format": "csv", "rows": 0, "rounds_left_out": 2}


def test_a_round_with_fewer_than_5_children_is_left_out(
    client: Any, login_as: Any, make: Any
) -> None:
    programme = make.programme("Halvvejs")
    add_children(make, programme, 3, seed=1)
    add_children(make, programme, 4, seed=2, follow_up=False)
    make.session.commit()
    login_as("evaluator", programmes=[programme])
    rows = _rows(client.get(_url(programme)))
    assert [row["round"] for row in rows] == [programme.rounds[0].label] * 7


# --------------------------------------------------------------------------- streaming


def test_the_export_is_a_generator_reading_a_chunk_at_a_time(
    app: Any, make: Any, programme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    score = outcome_data._Scorer.score

    def recording(self: Any, rows: Any) -> Any:
        batches.append(len(rows))
        return score(self, rows)

    monkeypatch.setattr(outcome_data._Scorer, "score", recording)
    registry = app.extensions["kidsvoice.questionnaires"]
    plan = export_plan(make.session, programme)
    assert plan.rows == 14
    rows = iter_export_rows(make.session, plan, registry, chunk=4)
    assert isinstance(rows, types.GeneratorType)
    assert batches == []  # nothing read before the first row is asked for
    first = next(rows)
    assert batches == [4]  # one chunk read and scored, not the whole programme
    rest = list(rows)
    assert batches == [4, 4, 4, 2]
    assert len([first, *rest]) == 14


def test_csv_text_comes_in_pieces() -> None:
    produced: list[int] = []

    def rows() -> Any:
        for i in range(5):
            produced.append(i)
            yield dict.fromkeys(EXPORT_COLUMNS, f"x{i}")

    pieces = csv_chunks(rows(), every=2)
    assert isinstance(pieces, types.GeneratorType)
    first = next(pieces)
    assert produced == [0, 1]  # the third row is not read before the first piece is out
    assert first.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    assert len(first.splitlines()) == 3
    assert sum(len(p.splitlines()) for p in [first, *pieces]) == 6


def test_a_download_gives_its_database_connection_back(
    app: Any, client: Any, login_as: Any, programme: Any
) -> None:
    """The rows are read after the view returned (and the request's session was closed): the
    stream's own session must end with the stream, or its connection stays in a transaction."""
    pool = app.extensions["kidsvoice.db"].engine.pool
    if not hasattr(pool, "checkedout"):
        pytest.skip("SQLite opens a connection per session (NullPool): nothing is pooled")
    login_as("evaluator", programmes=[programme])
    before = pool.checkedout()
    response = client.get(_url(programme))
    assert len(_rows(response)) == 14
    response.close()
    assert pool.checkedout() == before
