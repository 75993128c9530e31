"""Programmes, their rounds, and the children registered in them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Child, Programme, Round, RoundKind, StaffUser
from . import OperationError

MIN_AGE, MAX_AGE = 6, 16
NAME_MAX = 60


def create_programme(
    session: Session,
    *,
    name: str,
    rounds: Sequence[tuple[RoundKind, str, date | None]] = (),
    questionnaire_id: str = "kidsvoice-standard",
    questionnaire_version: int = 1,
    retention_days: int = 3 * 365,
) -> Programme:
    name = name.strip()
    if not name or len(name) > 120:
        raise OperationError("Enter a programme name of at most 120 characters.")
    if session.scalar(select(Programme.id).where(Programme.name == name)) is not None:
        raise OperationError("A programme with that name already exists.")
    programme = Programme(
        name=name,
        questionnaire_id=questionnaire_id,
        questionnaire_version=questionnaire_version,
        retention_days=retention_days,
    )
    for position, (kind, label, planned_on) in enumerate(rounds, start=1):
        programme.rounds.append(
            Round(kind=kind, label=label, position=position, planned_on=planned_on)
        )
    session.add(programme)
    session.flush()
    return programme


def register_child(
    session: Session,
    *,
    programme: Programme,
    first_name: str,
    birth_year: int,
    language: str,
    supported_languages: Sequence[str],
    today: date,
    external_ref: str | None = None,
    coordinator: StaffUser | None = None,
    facilitators: Sequence[StaffUser] = (),
) -> Child:
    first_name = " ".join(first_name.split())
    if not first_name or len(first_name) > NAME_MAX:
        raise OperationError(
            "Enter the child's first name or nickname (at most %(n)s characters).", n=NAME_MAX
        )
    age = today.year - birth_year
    if not MIN_AGE - 1 <= age <= MAX_AGE:
        raise OperationError(
            "The questionnaire is made for children aged %(min)s to %(max)s.",
            min=MIN_AGE,
            max=MAX_AGE,
        )
    if language not in supported_languages:
        raise OperationError("Choose one of the languages KidsVoice speaks.")
    child = Child(
        programme=programme,
        first_name=first_name,
        birth_year=birth_year,
        language=language,
        external_ref=(external_ref or "").strip() or None,
        coordinator=coordinator,
    )
    child.facilitators.extend(facilitators)
    session.add(child)
    session.flush()
    return child
