"""``kidsvoice invite``: create invitations from the command line and print one link per child.

For scripting (a municipality's own mail merge, say).  The links exist only in this output:
like the coordinator's page, it is the one moment they can be read.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..invitation_state import InvitationState
from ..models import Child, Programme, Round, RoundKind
from ..operations import OperationError
from ..operations import invitations as ops_inv
from ..tokens import InvitationTokens


def find_round(programme: Programme, ref: str) -> Round:
    """A round by position (``1``), kind (``baseline``, ``follow_up``, ``check_in``) or label."""
    ref = ref.strip()
    if ref.isdigit():
        found = [r for r in programme.rounds if r.position == int(ref)]
    else:
        kind = ref.replace("-", "_").lower()
        found = [r for r in programme.rounds if r.kind.value == kind] if kind in {
            k.value for k in RoundKind} else []
        if not found:
            found = [r for r in programme.rounds if r.label.casefold() == ref.casefold()]
    if len(found) != 1:
        rounds = ", ".join(f"{r.position} ({r.kind.value}, {r.label})" for r in programme.rounds)
        problem = "several rounds match" if found else "no such round"
        raise click.ClickException(f"{problem}: {ref!r}. The programme's rounds: {rounds}")
    return found[0]


def find_child(session: Session, programme: Programme, ref: str) -> Child:
    query = select(Child).where(Child.programme_id == programme.id)
    child = session.scalar(query.where(Child.public_id == ref))
    if child is None and ref.isdigit():
        child = session.scalar(query.where(Child.id == int(ref)))
    if child is None:
        raise click.ClickException(f"No child {ref!r} in {programme.name!r}.")
    return child


@click.command("invite")
@click.option("--programme", "programme_name", required=True, help="The programme's name.")
@click.option("--round", "round_ref", required=True,
              help="The round: its number (1, 2, …), kind (baseline, follow_up) or name.")
@click.option("--child", "child_ref", default=None,
              help="Only this child (public id, or database id); gives them a new link.")
@click.option("--days", type=click.IntRange(1, ops_inv.MAX_DAYS), default=None,
              help="Days the links work (default: KIDSVOICE_INVITATION_DAYS).")
@click.option("--reissue", is_flag=True,
              help="Also give new links to children who have one but have not finished "
                   "(their old links stop working).")
@with_appcontext
def invite_command(programme_name: str, round_ref: str, child_ref: str | None,
                   days: int | None, reissue: bool) -> None:
    """Create invitations and print one line per child: id, name, code and link (tab-separated).

    Without --child, invites every current child not yet invited to the round.
    """
    config = current_app.extensions["kidsvoice.config"]
    tokens = InvitationTokens(config.secret_keys)
    days = days or config.invitation_days
    with current_app.extensions["kidsvoice.db"].transaction() as session:
        programme = session.scalar(select(Programme).where(Programme.name == programme_name))
        if programme is None:
            raise click.ClickException(f"No programme named {programme_name!r}.")
        round_ = find_round(programme, round_ref)
        try:
            if child_ref is not None:
                issued = [ops_inv.issue(
                    session, child=find_child(session, programme, child_ref), round_=round_,
                    tokens=tokens, days=days, code_keys=config.secret_keys, actor_label="cli",
                )]
            else:
                states = ops_inv.UNFINISHED if reissue else {InvitationState.NOT_INVITED}
                issued = ops_inv.bulk_issue(
                    session, programme=programme, round_=round_, tokens=tokens, days=days,
                    code_keys=config.secret_keys, states=states, actor_label="cli",
                ).issued
        except OperationError as exc:
            raise click.ClickException(str(exc)) from exc
        lines = [
            "\t".join((i.invitation.child.public_id, i.invitation.child.first_name,
                       i.short_code.display, f"{config.base_url}/i/{i.token}"))
            for i in issued
        ]
    for line in lines:
        click.echo(line)
    click.echo(f"{len(lines)} invitation(s) for {round_.label!r} of {programme_name!r}.", err=True)
