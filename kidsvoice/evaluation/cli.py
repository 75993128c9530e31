"""``kidsvoice outcomes`` and ``kidsvoice export``: programme outcomes for evaluators and scripts.

``kidsvoice outcomes [--programme NAME] --json`` prints one JSON object per programme (a list
without ``--programme``); ``kidsvoice export [--programme NAME] --format csv`` writes one row
per child per completed round.  README.md ("Outcomes for evaluators") documents both.

Suppression is the pages' rule: a measure with fewer than 5 children shows ``"suppressed":
true`` and null figures; the export leaves out every round of a programme answered by fewer
than 5 children (so a programme with fewer than 5 children exports no rows) and says so on
stderr.  Every export is recorded in the audit log (actor ``cli``), one entry per programme.
The export streams: rows are written as they are read (:mod:`.export`), in flat memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Programme, Round
from ..name_order import by_name
from ..outcome_data import (
    AGE_BANDS,
    MEASURES,
    ProgrammeOutcomes,
    export_plan,
    iter_export_rows,
    programme_outcomes,
    round_infos,
)
from .data import configured_reliability, registry
from .export import FORMULA_STARTS, csv_chunks, csv_value, record_export, safe_cell

__all__ = ["FORMULA_STARTS", "csv_value", "export_command", "outcomes_command", "safe_cell"]

def _db_session(write: bool = False) -> Session:
    return current_app.extensions["kidsvoice.db"].session(write=write)


def _programmes(session: Session, name: str | None) -> list[Programme]:
    query = select(Programme).order_by(by_name(Programme.name), Programme.id)
    if name is not None:
        programme = session.scalar(query.where(Programme.name == name))
        if programme is None:
            raise click.ClickException(f"No programme named {name!r}.")
        return [programme]
    return list(session.scalars(query))


def _round_id(session: Session, programme: Programme, name: str | None) -> int | None:
    if name is None:
        return None
    rounds = round_infos(session.scalars(select(Round).where(Round.programme_id == programme.id)))
    for rnd in rounds:
        if rnd.name == name:
            return rnd.id
    names = ", ".join(repr(r.name) for r in rounds)
    raise click.ClickException(f"No round {name!r} in {programme.name!r}. Its rounds: {names}.")


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _text_report(outcome: ProgrammeOutcomes) -> Iterable[str]:
    data = outcome.as_json()
    yield f"{data['programme']}: {data['baseline']} -> {data['follow_up']}"
    for name in MEASURES:
        s = data["indices"][name]
        if s["suppressed"]:
            yield f"  {name:<10} fewer than 5"
            continue
        lo, hi = s["ci95"]
        yield (
            f"  {name:<10} n={s['n']:<5} pre={_fmt(s['mean_pre'], 1)}"
            f" post={_fmt(s['mean_post'], 1)}"
            f" change={_fmt(s['mean_change'], 1)} [{_fmt(lo, 1)}; {_fmt(hi, 1)}]"
            f" g_z={_fmt(s['g_z'])} p={_fmt(s['wilcoxon_p'], 4)} ({s['wilcoxon_method']})"
            f" reliably improved={_fmt(s['reliably_improved'])}"
            f" deteriorated={_fmt(s['reliably_deteriorated'])}"
        )
    goals = data["goals"]
    if goals["suppressed"]:
        yield "  goals      fewer than 5"
    else:
        yield (
            f"  goals      n={goals['n']} children={goals['children']}"
            f" median change={_fmt(goals['median_change'], 1)}"
            f" improved by 3 or more={_fmt(goals['share_improved_3'])}"
        )


@click.command("outcomes")
@click.option("--programme", "programme_name", default=None,
              help="The programme's name (default: every programme, as a JSON list).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the documented format).")
@click.option("--baseline", "baseline_name", default=None,
              help="The round to compare from (its name; default: the first baseline round).")
@click.option("--follow-up", "follow_up_name", default=None,
              help="The round to compare to (its name; default: the last follow-up round).")
@click.option("--age-band", type=click.Choice(AGE_BANDS), default="all", show_default=True,
              help="Only children answering this age variant.")
@with_appcontext
def outcomes_command(
    programme_name: str | None, as_json: bool, baseline_name: str | None,
    follow_up_name: str | None, age_band: str,
) -> None:
    """Outcomes per programme: change from baseline to follow-up per index, goals.

    Groups of fewer than 5 children are suppressed: "suppressed": true and no figures.
    """
    if programme_name is None and (baseline_name or follow_up_name):
        raise click.UsageError("--baseline and --follow-up need --programme.")
    reg, configured = registry(), configured_reliability()
    write = current_app.extensions["kidsvoice.db"].transaction
    results = []
    with _db_session() as session:
        for programme in _programmes(session, programme_name):
            try:
                results.append(programme_outcomes(
                    session, programme, reg,
                    baseline_id=_round_id(session, programme, baseline_name),
                    follow_up_id=_round_id(session, programme, follow_up_name),
                    band=age_band,  # type: ignore[arg-type]
                    configured=configured, write=write,
                ))
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
    if as_json:
        payload: Any = [r.as_json() for r in results]
        if programme_name is not None:
            payload = payload[0]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False))
        return
    for result in results:
        for line in _text_report(result):
            click.echo(line)


@click.command("export")
@click.option("--programme", "programme_name", default=None,
              help="The programme's name (default: every programme).")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True,
              help="The file format.")
@click.option("--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Write to this file (default: standard output).")
@with_appcontext
def export_command(programme_name: str | None, fmt: str, output: IO[str]) -> None:
    """Export each child's scores per round as CSV: programme, pseudonymous child id, round,
    age variant, then one column per index (empty when not enough answers).

    Rounds answered by fewer than 5 children are left out (said on stderr).  Every export is
    recorded in the audit log.
    """
    reg = registry()
    db = current_app.extensions["kidsvoice.db"]
    with _db_session() as session:
        plans = [export_plan(session, p) for p in _programmes(session, programme_name)]
    with db.transaction() as session:
        for plan in plans:
            record_export(session, plan, actor=None, actor_label="cli", fmt=fmt)
    written = 0
    with _db_session() as session:
        for number, plan in enumerate(plans):
            for text in csv_chunks(iter_export_rows(session, plan, reg), header=number == 0):
                output.write(text)
            written += plan.rows
        if not plans:
            output.write(next(csv_chunks(())))
    output.flush()
    for plan in plans:
        for name in plan.left_out:
            click.echo(
                f"{plan.programme}, round {name!r}: fewer than 5 children answered; "
                "no rows written.", err=True,
            )
        if not plan.rows and not plan.left_out:
            click.echo(f"{plan.programme}: no completed answers; no rows written.", err=True)
    click.echo(f"{written} rows written.", err=True)
