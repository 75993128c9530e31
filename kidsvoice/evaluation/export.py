"""The outcomes CSV, shared by ``kidsvoice export`` and the outcome page's download.

One row per child per completed round (:func:`kidsvoice.outcome_data.iter_export_rows`),
written as it is read: :func:`csv_chunks` turns the rows into text a few hundred rows at a
time, so neither the command nor the download holds the export in memory.  Cells that a
spreadsheet would read as a formula are defused (:func:`safe_cell`).  Every export is
recorded in the audit log, one entry per programme (:func:`record_export`), before its rows
are written.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from typing import Any, Final

from sqlalchemy.orm import Session

from ..audit import Action, record
from ..models import StaffUser
from ..outcome_data import EXPORT_COLUMNS, ExportPlan

#: A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

#: Rows per piece of text :func:`csv_chunks` yields.
ROWS_PER_CHUNK: Final = 500


def safe_cell(value: str) -> str:
    """Defuse spreadsheet formulas (CSV injection): prefix such a cell with a single quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_value(value: object) -> str:
    """A CSV cell: '' for None, the shortest round-tripping form for a float, else the text."""
    if value is None:
        return ""
    if isinstance(value, float):
        # a number we computed: never a formula, and it must stay a number
        return repr(value) if math.isfinite(value) else ""
    return safe_cell(str(value))


def csv_chunks(
    rows: Iterable[dict[str, Any]], *, header: bool = True, every: int = ROWS_PER_CHUNK
) -> Iterator[str]:
    """The CSV text of ``rows`` (the header first), ``every`` rows per piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(EXPORT_COLUMNS)
    pending = 0
    for row in rows:
        writer.writerow([csv_value(row[column]) for column in EXPORT_COLUMNS])
        pending += 1
        if pending >= every:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    text = buffer.getvalue()
    if text:
        yield text


def record_export(
    session: Session, plan: ExportPlan, *, actor: StaffUser | None,
    actor_label: str | None = None, fmt: str = "csv",
) -> None:
    """The audit entry of one programme's export: counts only."""
    record(
        session, action=Action.EXPORT, actor=actor, actor_label=actor_label,
        programme_id=plan.programme_id,
        detail={"what": "outcomes", "format": fmt, "rows": plan.rows,
                "rounds_left_out": len(plan.left_out)},
    )
