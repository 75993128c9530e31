"""``kidsvoice demo``: demo data to try KidsVoice with, made idempotently.

Creates a demo programme with a baseline and a follow-up round, one account per staff role
and a handful of children, then prints the logins and one fresh invitation link per child
who has not finished the baseline (printing a link replaces that child's previous one: only
a hash of a link is ever stored, so a link cannot be shown twice).  Refuses to run in
production, where well-known demo passwords must never exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Child, Programme, Role, RoundKind, StaffUser
from .operations.invitations import issue
from .operations.programmes import create_programme, register_child
from .operations.staff import create_staff_user
from .tokens import InvitationTokens

PROGRAMME_NAME = "Demo: Skolefravær 2027"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    password: str


DEMO_USERS = (
    DemoUser(
        "koordinator@demo.kidsvoice.dk", "Karin Koordinator", Role.COORDINATOR, "demo-koordinator"
    ),
    DemoUser(
        "facilitator@demo.kidsvoice.dk", "Frank Facilitator", Role.FACILITATOR, "demo-facilitator"
    ),
    DemoUser("evaluator@demo.kidsvoice.dk", "Eva Evaluator", Role.EVALUATOR, "demo-evaluator-1"),
    DemoUser("admin@demo.kidsvoice.dk", "Anna Admin", Role.ADMIN, "demo-administrator"),
)

#: (first name, age this year, language)
DEMO_CHILDREN = (
    ("Ida", 7, "da"),
    ("Noah", 14, "da"),
    ("Sofie", 11, "da"),
    ("Emil", 9, "da"),
    ("Amira", 13, "en"),
)


@dataclass(frozen=True)
class DemoLink:
    child: str
    age: int
    url: str
    code: str


def load_demo(session: Session, *, tokens: InvitationTokens, base_url: str, days: int,
              today: date, locales: tuple[str, ...],
              code_keys: tuple[str, ...]) -> list[DemoLink]:
    """Create what is missing and return a fresh baseline link per unfinished child."""
    users: dict[Role, StaffUser] = {}
    for demo_user in DEMO_USERS:
        user = session.scalar(select(StaffUser).where(StaffUser.email == demo_user.email))
        if user is None:
            user = create_staff_user(
                session, email=demo_user.email, name=demo_user.name, role=demo_user.role,
                password=demo_user.password,
            )
        users[demo_user.role] = user

    programme = session.scalar(select(Programme).where(Programme.name == PROGRAMME_NAME))
    if programme is None:
        programme = create_programme(
            session,
            name=PROGRAMME_NAME,
            rounds=[
                (RoundKind.BASELINE, "Før", today),
                (RoundKind.FOLLOW_UP, "Efter", None),
            ],
        )
    for role in (Role.COORDINATOR, Role.FACILITATOR, Role.EVALUATOR):
        if users[role] not in programme.staff:
            programme.staff.append(users[role])

    existing = {c.first_name: c for c in programme.children}
    for first_name, age, language in DEMO_CHILDREN:
        if first_name not in existing:
            existing[first_name] = register_child(
                session, programme=programme, first_name=first_name,
                birth_year=today.year - age, language=language, supported_languages=locales,
                today=today, coordinator=users[Role.COORDINATOR],
                facilitators=[users[Role.FACILITATOR]],
            )

    baseline = programme.rounds[0]
    links = []
    for first_name, age, _language in DEMO_CHILDREN:
        child: Child = existing[first_name]
        done = any(
            inv.round_id == baseline.id and inv.completed_at is not None
            for inv in child.invitations
        )
        if done:
            continue
        issued = issue(
            session, child=child, round_=baseline, tokens=tokens, days=days,
            code_keys=code_keys, actor=users[Role.COORDINATOR],
        )
        links.append(DemoLink(first_name, age, f"{base_url}/i/{issued.token}",
                              str(issued.short_code)))
    return links


@click.command("demo")
@click.option("--simulate", "simulate_n", type=click.IntRange(1, 100_000), default=None,
              metavar="N", help="Also add the programme 'Simulation N' with N simulated "
              "children who answered the baseline and the follow-up (for outcomes).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Seed of the simulation: the same seed gives the same answers.")
@click.option("--who5", is_flag=True, help="Simulated 10-16-year-olds answer the WHO-5 module.")
@with_appcontext
def demo_command(simulate_n: int | None, seed: int, who5: bool) -> None:
    """Create demo data and print the logins and the children's links."""
    config = current_app.extensions["kidsvoice.config"]
    if config.production:
        raise click.ClickException("The demo data must never be loaded in production.")
    with current_app.extensions["kidsvoice.db"].transaction() as session:
        links = load_demo(
            session,
            tokens=InvitationTokens(config.secret_keys),
            base_url=config.base_url,
            days=config.invitation_days,
            today=date.today(),
            locales=config.locales,
            code_keys=config.secret_keys,
        )
    click.echo(f"\nKidsVoice demo — {config.base_url}/login\n")
    click.echo("Staff logins (e-mail / password):")
    for user in DEMO_USERS:
        click.echo(f"  {user.role.value:<12} {user.email:<34} {user.password}")
    click.echo(f"\nChildren's links (and tablet codes) for the baseline of '{PROGRAMME_NAME}':")
    for link in links:
        click.echo(f"  {link.child:<6} ({link.age:>2} years)  {link.code}  {link.url}")
    if not links:
        click.echo("  (every demo child has answered the baseline)")
    click.echo("")
    if simulate_n is not None:
        add_simulation(simulate_n, seed=seed, who5=who5)


def add_simulation(n: int, *, seed: int, who5: bool) -> None:
    """``demo --simulate N``: the programme "Simulation N" (see :mod:`kidsvoice.simulate`), with
    the demo coordinator and evaluator as members so that they can look at its outcomes."""
    from .simulate import simulate

    with current_app.extensions["kidsvoice.db"].transaction() as session:
        members = list(session.scalars(select(StaffUser).where(StaffUser.email.in_(
            [u.email for u in DEMO_USERS if u.role in (Role.COORDINATOR, Role.EVALUATOR)]))))
        result = simulate(
            session, n=n, registry=current_app.extensions["kidsvoice.questionnaires"],
            today=date.today(), seed=seed, who5=who5, staff=members,
        )
    if result.created:
        click.echo(f"Added '{result.programme.name}': {result.children} simulated children, "
                   f"{result.responses} responses, {result.answers} answers.")
    else:
        click.echo(f"'{result.programme.name}' exists already; nothing added.")
