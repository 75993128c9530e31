"""``kidsvoice purge``, ``kidsvoice erase`` and ``kidsvoice access-export``.

* ``kidsvoice purge [--dry-run]`` — delete the answers past each programme's retention period
  (see :mod:`kidsvoice.operations.retention`).  Safe to run daily from cron: idempotent, one
  transaction, quiet exit 0 when there is nothing to do.  Prints counts per programme, never a
  name or an answer.
* ``kidsvoice erase --child PUBLIC_ID [--yes]`` — erase one child on request.
* ``kidsvoice access-export --child PUBLIC_ID [--output FILE]`` — everything held about one
  child, as JSON (an access request).

Every change is in the audit log, actor ``cli``.
"""

from __future__ import annotations

import json
from typing import IO

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Child
from .operations.retention import access_export, erase_child, purge, record_access_export


def _child(session: Session, public_id: str) -> Child:
    child = session.scalar(select(Child).where(Child.public_id == public_id.strip()))
    if child is None:
        raise click.ClickException(f"No child with the id {public_id!r}.")
    return child


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Delete children's answers past their programme's retention period.

    The period counts from when a questionnaire was completed, or from when it was started if
    it never was.  Safe to run daily (e.g. from cron); a second run deletes nothing more.
    """
    db = current_app.extensions["kidsvoice.db"]
    with db.transaction() as session:
        report = purge(session, dry_run=dry_run, actor_label="cli")
    verb = "Would delete" if dry_run else "Deleted"
    for item in report:
        click.echo(
            f"{item.programme}: {verb} {item.responses} "
            f"questionnaire(s) with {item.answers} answer(s) completed or started before "
            f"{item.cutoff:%Y-%m-%d} (kept {item.retention_days} days)."
        )
    total_r = sum(i.responses for i in report)
    total_a = sum(i.answers for i in report)
    if not report:
        click.echo("Nothing is past its retention period.")
    else:
        click.echo(f"{verb} {total_r} questionnaire(s) and {total_a} answer(s) in all"
                   + (" (dry run: nothing was changed)." if dry_run else "."))


@click.command("erase")
@click.option("--child", "public_id", required=True, help="The child's pseudonymous id.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_command(public_id: str, yes: bool) -> None:
    """Erase one child and everything about them (a request to erase)."""
    db = current_app.extensions["kidsvoice.db"]
    with db.transaction() as session:
        child = _child(session, public_id)
        if not yes:
            click.confirm(
                f"Erase child {child.public_id} of {child.programme.name!r} and all their "
                "answers, invitations and goals? This cannot be undone", abort=True,
            )
        erased = erase_child(session, child=child, actor_label="cli")
    click.echo(
        f"Erased child {public_id}: {erased.invitations} invitation(s), {erased.responses} "
        f"questionnaire(s), {erased.answers} answer(s), {erased.goals} goal(s). "
        "The audit log keeps only the pseudonymous id."
    )


@click.command("access-export")
@click.option("--child", "public_id", required=True, help="The child's pseudonymous id.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Where to write the JSON (default: standard output).")
@with_appcontext
def access_export_command(public_id: str, output: IO[str]) -> None:
    """Write everything held about one child as JSON (an access request)."""
    db = current_app.extensions["kidsvoice.db"]
    with db.transaction() as session:
        child = _child(session, public_id)
        data = access_export(session, child=child,
                             registry=current_app.extensions["kidsvoice.questionnaires"])
        record_access_export(session, child=child, actor=None, actor_label="cli")
    output.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    output.flush()
