"""Programmes, their rounds, and the children registered in them."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Child, Invitation, Programme, Response, Role, Round, RoundKind, StaffUser
from ..msgid import N_
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
    contact: str | None = None,
) -> Programme:
    name = clean_name(name)
    if not name or len(name) > 120:
        raise OperationError(N_("Enter a programme name of at most 120 characters."))
    if session.scalar(select(Programme.id).where(Programme.name == name)) is not None:
        raise OperationError(N_("A programme with that name already exists."))
    contact = clean_name(contact) or None
    if contact is not None and len(contact) > CONTACT_MAX:
        raise OperationError(N_("The contact can be at most %(n)s characters."), n=CONTACT_MAX)
    programme = Programme(
        name=name,
        questionnaire_id=questionnaire_id,
        questionnaire_version=questionnaire_version,
        retention_days=retention_days,
        contact=contact,
    )
    for position, (kind, label, planned_on) in enumerate(rounds, start=1):
        programme.rounds.append(
            Round(kind=kind, label=clean_name(label), position=position, planned_on=planned_on)
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
    min_age: int = MIN_AGE,
    max_age: int = MAX_AGE,
) -> Child:
    first_name = _child_fields(
        first_name=first_name, birth_year=birth_year, language=language,
        supported_languages=supported_languages, today=today, external_ref=external_ref,
        min_age=min_age, max_age=max_age,
    )
    child = Child(
        programme=programme,
        first_name=first_name,
        birth_year=birth_year,
        language=language,
        external_ref=clean_name(external_ref) or None,
        coordinator=coordinator,
    )
    child.facilitators.extend(facilitators)
    session.add(child)
    session.flush()
    return child


EXTERNAL_REF_MAX = 60
CONTACT_MAX = 200
#: Kept inside names: the zero-width joiner holds emoji sequences (👩‍👧) together.
_KEEP_FORMAT = {"\u200d"}


def clean_name(value: str | None) -> str:
    """A name or label as people see it: NFC, single spaces, and no invisible control or
    format characters — a right-to-left override could turn the page around it, and a
    zero-width space makes "Ida" and "I\u200bda" two children who look the same."""
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(
        c for c in text
        if c in _KEEP_FORMAT or unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cs", "Cn"}
        or c.isspace()
    )
    return " ".join(text.split())
ROUND_LABEL_MAX = 80
RETENTION_DAYS_RANGE = (30, 10 * 366)


def _child_fields(
    *,
    first_name: str,
    birth_year: int,
    language: str,
    supported_languages: Sequence[str],
    today: date,
    external_ref: str | None,
    min_age: int,
    max_age: int,
) -> str:
    """Check a child's details; returns the first name with its spaces tidied."""
    first_name = clean_name(first_name)
    if not first_name or len(first_name) > NAME_MAX:
        raise OperationError(
            N_("Enter the child's first name or nickname (at most %(n)s characters)."), n=NAME_MAX
        )
    if not birth_year_fits(birth_year, today=today, min_age=min_age, max_age=max_age):
        raise OperationError(
            N_("The questionnaire is made for children aged %(min)s to %(max)s."),
            min=min_age,
            max=max_age,
        )
    if language not in supported_languages:
        raise OperationError(N_("Choose one of the languages KidsVoice speaks."))
    if len(clean_name(external_ref)) > EXTERNAL_REF_MAX:
        raise OperationError(
            N_("The case reference can be at most %(n)s characters."), n=EXTERNAL_REF_MAX
        )
    return first_name


def birth_year_fits(birth_year: int, *, today: date, min_age: int, max_age: int) -> bool:
    """Only the birth year is known, so a child aged ``min_age`` this year may still be one
    year younger today."""
    age = today.year - birth_year
    return min_age - 1 <= age <= max_age


def update_child(
    session: Session,
    *,
    child: Child,
    first_name: str,
    birth_year: int,
    language: str,
    supported_languages: Sequence[str],
    today: date,
    external_ref: str | None = None,
    coordinator: StaffUser | None = None,
    facilitators: Sequence[StaffUser] = (),
    min_age: int = MIN_AGE,
    max_age: int = MAX_AGE,
) -> Child:
    child.first_name = _child_fields(
        first_name=first_name, birth_year=birth_year, language=language,
        supported_languages=supported_languages, today=today, external_ref=external_ref,
        min_age=min_age, max_age=max_age,
    )
    child.birth_year = birth_year
    child.language = language
    child.external_ref = clean_name(external_ref) or None
    child.coordinator = coordinator
    child.facilitators = list(facilitators)
    session.flush()
    return child


def archive_child(session: Session, *, child: Child, now: datetime) -> None:
    """Take a child off the programme's lists (their answers stay until the retention ends)."""
    if child.archived_at is None:
        child.archived_at = now
    session.flush()


def restore_child(session: Session, *, child: Child) -> None:
    child.archived_at = None
    session.flush()


def update_programme(
    session: Session,
    *,
    programme: Programme,
    name: str,
    questionnaire_id: str,
    questionnaire_version: int,
    retention_days: int,
    contact: str | None = None,
) -> Programme:
    name = clean_name(name)
    if not name or len(name) > 120:
        raise OperationError(N_("Enter a programme name of at most 120 characters."))
    clash = session.scalar(
        select(Programme.id).where(Programme.name == name, Programme.id != programme.id)
    )
    if clash is not None:
        raise OperationError(N_("A programme with that name already exists."))
    if not RETENTION_DAYS_RANGE[0] <= retention_days <= RETENTION_DAYS_RANGE[1]:
        raise OperationError(N_("Keep answers for between 1 month and 10 years."))
    contact = clean_name(contact) or None
    if contact is not None and len(contact) > CONTACT_MAX:
        raise OperationError(N_("The contact can be at most %(n)s characters."), n=CONTACT_MAX)
    changed_questionnaire = (questionnaire_id, questionnaire_version) != (
        programme.questionnaire_id,
        programme.questionnaire_version,
    )
    if changed_questionnaire and has_responses(session, programme):
        raise OperationError(
            N_("Children have already started answering: the questionnaire can no longer change.")
        )
    programme.name = name
    programme.questionnaire_id = questionnaire_id
    programme.questionnaire_version = questionnaire_version
    programme.retention_days = retention_days
    programme.contact = contact
    session.flush()
    return programme


def has_responses(session: Session, programme: Programme) -> bool:
    return (
        session.scalar(
            select(Response.id)
            .join(Invitation, Response.invitation_id == Invitation.id)
            .join(Child, Invitation.child_id == Child.id)
            .where(Child.programme_id == programme.id)
            .limit(1)
        )
        is not None
    )


def set_programme_archived(session: Session, *, programme: Programme, archived: bool) -> None:
    programme.archived = archived
    session.flush()


def set_programme_staff(
    session: Session, *, programme: Programme, staff: Sequence[StaffUser]
) -> None:
    """The programme's members: who sees it (coordinators, facilitators, evaluators)."""
    if any(user.role == Role.ADMIN for user in staff):
        raise OperationError(N_("Administrators see every programme already."))
    programme.staff = list(dict.fromkeys(staff))
    session.flush()


def _round_label(label: str) -> str:
    label = clean_name(label)
    if not label or len(label) > ROUND_LABEL_MAX:
        raise OperationError(
            N_("Enter a name for the round of at most %(n)s characters."), n=ROUND_LABEL_MAX
        )
    return label


def add_round(
    session: Session,
    *,
    programme: Programme,
    kind: RoundKind,
    label: str,
    planned_on: date | None = None,
) -> Round:
    """Add a round at the end: a programme has one baseline, first, and at most one follow-up."""
    label = _round_label(label)
    kinds = [r.kind for r in programme.rounds]
    if kind == RoundKind.BASELINE and kinds:
        raise OperationError(N_("The baseline is always the programme's first round."))
    if kind != RoundKind.BASELINE and RoundKind.BASELINE not in kinds:
        raise OperationError(N_("Add the baseline round first."))
    if kind == RoundKind.FOLLOW_UP and RoundKind.FOLLOW_UP in kinds:
        raise OperationError(N_("The programme already has a follow-up round."))
    position = max((r.position for r in programme.rounds), default=0) + 1
    round_ = Round(kind=kind, label=label, position=position, planned_on=planned_on)
    programme.rounds.append(round_)
    session.flush()
    return round_


def update_round(
    session: Session, *, round_: Round, label: str, planned_on: date | None
) -> Round:
    round_.label = _round_label(label)
    round_.planned_on = planned_on
    session.flush()
    return round_


def delete_round(session: Session, *, round_: Round) -> None:
    """Only a round nobody has been invited to can go; the baseline goes last."""
    invited = session.scalar(select(Invitation.id).where(Invitation.round_id == round_.id).limit(1))
    if invited is not None:
        raise OperationError(N_("Children have been invited to this round: it cannot be removed."))
    programme = round_.programme
    if round_.kind == RoundKind.BASELINE and len(programme.rounds) > 1:
        raise OperationError(N_("Remove the later rounds before the baseline."))
    programme.rounds.remove(round_)
    session.flush()
