"""Test data as plain functions on one object: ``make.staff("coordinator")``, ``make.child()``."""

from __future__ import annotations

import itertools
from datetime import date
from functools import cache
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from kidsvoice.models import Child, Programme, Role, Round, RoundKind, StaffUser
from kidsvoice.operations.invitations import invite
from kidsvoice.operations.programmes import create_programme, register_child
from kidsvoice.operations.staff import create_staff_user
from kidsvoice.passwords import hash_password
from kidsvoice.tokens import InvitationTokens

_counter = itertools.count(1)


@cache
def _password_hash(password: str) -> str:
    # argon2 is slow on purpose; hash the shared test password once per run.
    return hash_password(password)


class Factory:
    PASSWORD = "correct horse battery staple"  # noqa: S105

    def __init__(self, app: Flask, session: Session) -> None:
        self.app = app
        self.session = session
        self.config = app.extensions["kidsvoice.config"]
        self.tokens = InvitationTokens(self.config.secret_keys)

    def staff(
        self, role: str = "coordinator", *, programmes: list[Programme] | None = None, **kw: Any
    ) -> StaffUser:
        n = next(_counter)
        user = create_staff_user(
            self.session,
            email=kw.pop("email", f"{role}{n}@example.org"),
            name=kw.pop("name", f"{Role(role).value.title()} {n}"),
            role=role,
            password_hash=_password_hash(self.PASSWORD),
        )
        for programme in programmes or []:
            user.programmes.append(programme)
        self.session.flush()
        return user

    def programme(self, name: str | None = None, **kw: Any) -> Programme:
        return create_programme(
            self.session,
            name=name or f"Programme {next(_counter)}",
            rounds=kw.pop(
                "rounds",
                [(RoundKind.BASELINE, "Before", None), (RoundKind.FOLLOW_UP, "After", None)],
            ),
            **kw,
        )

    def child(
        self,
        programme: Programme | None = None,
        *,
        first_name: str = "Ida",
        age: int = 8,
        language: str = "da",
        **kw: Any,
    ) -> Child:
        programme = programme or self.programme()
        today = date.today()
        return register_child(
            self.session,
            programme=programme,
            first_name=first_name,
            birth_year=today.year - age,
            language=language,
            supported_languages=self.config.locales,
            today=today,
            **kw,
        )

    def invitation(self, child: Child | None = None, round_: Round | None = None,
                   days: int = 30) -> tuple[Any, str]:
        child = child or self.child()
        round_ = round_ or child.programme.rounds[0]
        return invite(self.session, child=child, round_=round_, tokens=self.tokens, days=days)
