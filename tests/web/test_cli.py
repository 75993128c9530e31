"""The ``kidsvoice`` console commands."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from kidsvoice.models import Child, Invitation, Programme, StaffUser


def test_users_create(runner, session) -> None:
    result = runner.invoke(args=[
        "users", "create", "--email", "New@Example.org", "--name", "Nina", "--role", "facilitator",
        "--password", "a-long-password-1",
    ])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(StaffUser).where(StaffUser.email == "new@example.org"))
    assert user is not None
    assert user.role == "facilitator"
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_refuses_bad_input(runner) -> None:
    result = runner.invoke(args=["users", "create", "--email", "not-an-email", "--name", "N",
                                 "--role", "admin", "--password", "a-long-password-1"])
    assert result.exit_code != 0
    assert "valid e-mail" in result.output
    result = runner.invoke(args=["users", "create", "--email", "a@b.dk", "--name", "N",
                                 "--role", "admin", "--password", "short"])
    assert result.exit_code != 0
    assert "12 characters" in result.output


def test_demo_is_idempotent_and_prints_working_links(runner, session, app) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert session.scalar(select(func.count(Programme.id))) == 1
    assert session.scalar(select(func.count(Child.id))) == 5
    assert session.scalar(select(func.count(StaffUser.id))) == 4
    assert session.scalar(select(func.count(Invitation.id))) == 5
    assert "koordinator@demo.kidsvoice.dk" in second.output
    links = re.findall(r"http://localhost/i/(\S+)", second.output)
    assert len(links) == 5
    # the links printed last are the valid ones
    client = app.test_client()
    response = client.get(f"/i/{links[0]}")
    assert response.status_code == 303
