"""The ``kidsvoice`` console script: a Flask ``FlaskGroup`` with KidsVoice's commands.

``kidsvoice run``, ``kidsvoice db upgrade``, ``kidsvoice demo``, ``kidsvoice users create``,
``kidsvoice invite``, ``kidsvoice outcomes``, ``kidsvoice export``.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app


def _make_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_version_option=False)
def cli() -> None:
    """KidsVoice: hearing children in social work."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(users_group)
    from .demo import demo_command

    app.cli.add_command(demo_command)
    from .coordinator.cli import invite_command

    app.cli.add_command(invite_command)
    from .retention_cli import access_export_command, erase_command, purge_command

    app.cli.add_command(purge_command)
    app.cli.add_command(erase_command)
    app.cli.add_command(access_export_command)
    from .evaluation.cli import export_command, outcomes_command

    app.cli.add_command(outcomes_command)
    app.cli.add_command(export_command)
    app.cli.add_command(audit_group)


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the audit log's hash chain: exit 1 and name each entry that was changed,
    removed or inserted."""
    from sqlalchemy import func, select

    from .audit import verify_session
    from .models import AuditEntry

    with current_app.extensions["kidsvoice.db"].session() as session:
        count = session.scalar(select(func.count(AuditEntry.id))) or 0
        problems = verify_session(session)
    for problem in problems:
        click.echo(f"entry {problem.entry_id}: {problem.reason}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"The audit log is intact: {count} entries, every link of the chain checked.")


@click.group("db")
def db_group() -> None:
    """Database migrations."""


def _engine():  # type: ignore[no-untyped-def]
    return current_app.extensions["kidsvoice.db"].engine


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    from .migrate import current_revision, upgrade

    upgrade(_engine(), revision)
    click.echo(f"Database at revision {current_revision(_engine())}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database back to REVISION."""
    from .migrate import current_revision, downgrade

    downgrade(_engine(), revision)
    click.echo(f"Database at revision {current_revision(_engine())}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database's revision."""
    from .migrate import current_revision, head_revision

    click.echo(f"{current_revision(_engine())} (newest: {head_revision()})")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the models' changes (for developers)."""
    from .migrate import revision

    revision(_engine(), message)


@click.group("users")
def users_group() -> None:
    """Staff accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "coordinator", "facilitator", "evaluator"]),
    required=True,
)
@click.option("--programme", "programmes", multiple=True, help="Programme name (repeatable).")
@click.password_option(help="At least 12 characters; asked for when not given.")
@with_appcontext
def users_create(
    email: str, name: str, role: str, programmes: tuple[str, ...], password: str
) -> None:
    """Create a staff account."""
    from sqlalchemy import select

    from .models import Programme
    from .operations import OperationError
    from .operations.staff import create_staff_user

    with current_app.extensions["kidsvoice.db"].transaction() as session:
        try:
            user = create_staff_user(
                session, email=email, name=name, role=role, password=password
            )
        except OperationError as exc:
            raise click.ClickException(str(exc)) from exc
        for programme_name in programmes:
            programme = session.scalar(select(Programme).where(Programme.name == programme_name))
            if programme is None:
                raise click.ClickException(f"No programme named {programme_name!r}.")
            user.programmes.append(programme)
    click.echo(f"Created {role} {user.email}.")
