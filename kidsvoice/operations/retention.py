"""Retention and the rights of a child: purging old answers, erasing one child, and the access
export of everything KidsVoice holds about one child.

**Retention** (:func:`purge`).  Each programme keeps children's answers for
``Programme.retention_days`` days, counted from when the response was *completed* — or, for a
response never completed, from when the child *started* it (an abandoned questionnaire is not
kept longer than a finished one).  A response past that is deleted with all its answers and
its stored scores (:mod:`kidsvoice.stored_scores`).  The invitation row stays (it holds no
answers: round, dates and a hash), so does the child's record and their goals, until the
child is erased.

**Erasure** (:func:`erase_child`).  Deletes the child, their invitations, responses, answers,
stored scores, goals and facilitator assignments.  The audit log keeps its entries about the
child — they name only the pseudonymous id (``Child.public_id``), which after erasure points
at nothing — so the hash chain stays intact and nothing links back to the child.  Outcome
statistics are computed from live data, so from now on they leave the child out; figures
already published in a report are not recomputed.

**Access export** (:func:`access_export`).  A JSON-ready dict of everything held about one
child: the record, programme, invitations (never link secrets or code hashes), every response
and answer (kept-from-the-meeting ones too, with the worry flag and who read them), goals, and
the audit log's entries about the child (who looked, by role; never other children).

Every one of these writes an audit entry with counts only: no name, no answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import audit
from ..audit import Action
from ..instruments import question_of
from ..models import (
    Answer,
    AuditEntry,
    Child,
    Goal,
    Invitation,
    Programme,
    Response,
    Round,
    StaffUser,
    StoredScores,
    child_facilitators,
    utcnow,
)
from ..name_order import by_name
from ..questionnaire import Question, QuestionnaireRegistry

EXPORT_FORMAT = "kidsvoice-access-export"
EXPORT_VERSION = 1


@dataclass(frozen=True)
class PurgedProgramme:
    """What :func:`purge` removed (or would remove) in one programme: counts only."""

    programme_id: int
    programme: str
    retention_days: int
    cutoff: datetime
    responses: int
    answers: int


def _expired_responses(programme: Programme, cutoff: datetime) -> Any:
    return (
        select(Response.id)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Child, Invitation.child_id == Child.id)
        .where(
            Child.programme_id == programme.id,
            func.coalesce(Response.completed_at, Response.started_at) < cutoff,
        )
    )


def purge(
    session: Session,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    actor: StaffUser | None = None,
    actor_label: str = "cli",
) -> list[PurgedProgramme]:
    """Delete every response (and its answers) past its programme's retention period.

    Idempotent: a second run finds nothing more.  ``dry_run`` counts without deleting or
    writing the audit log.  One ``answers_purged`` audit entry per programme that lost answers.
    """
    now = now or utcnow()
    report = []
    programmes = select(Programme).order_by(by_name(Programme.name), Programme.id)
    for programme in session.scalars(programmes):
        cutoff = now - timedelta(days=programme.retention_days)
        ids = list(session.scalars(_expired_responses(programme, cutoff)))
        if not ids:
            continue
        answers = session.scalar(
            select(func.count(Answer.id)).where(Answer.response_id.in_(ids))
        ) or 0
        item = PurgedProgramme(programme.id, programme.name, programme.retention_days, cutoff,
                               len(ids), answers)
        report.append(item)
        if dry_run:
            continue
        session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
        session.execute(delete(StoredScores).where(StoredScores.response_id.in_(ids)))
        session.execute(delete(Response).where(Response.id.in_(ids)))
        audit.record(
            session,
            action=Action.ANSWERS_PURGED,
            actor=actor,
            actor_label=actor_label,
            programme_id=programme.id,
            detail={"responses": len(ids), "answers": answers,
                    "retention_days": programme.retention_days,
                    "completed_or_started_before": cutoff.isoformat(timespec="seconds")},
        )
    session.flush()
    session.expire_all()
    return report


@dataclass(frozen=True)
class Erased:
    """What :func:`erase_child` deleted: counts only."""

    invitations: int
    responses: int
    answers: int
    goals: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def erase_child(
    session: Session,
    *,
    child: Child,
    actor: StaffUser | None = None,
    actor_label: str | None = None,
) -> Erased:
    """Delete the child and everything about them; one ``child_erased`` audit entry."""
    child_id, public_id, programme_id = child.id, child.public_id, child.programme_id
    invitation_ids = list(
        session.scalars(select(Invitation.id).where(Invitation.child_id == child_id))
    )
    response_ids = list(
        session.scalars(select(Response.id).where(Response.invitation_id.in_(invitation_ids)))
    ) if invitation_ids else []
    answers = session.scalar(
        select(func.count(Answer.id)).where(Answer.response_id.in_(response_ids))
    ) if response_ids else 0
    goals = session.scalar(select(func.count(Goal.id)).where(Goal.child_id == child_id)) or 0
    if response_ids:
        session.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
        session.execute(delete(StoredScores).where(StoredScores.response_id.in_(response_ids)))
        session.execute(delete(Response).where(Response.id.in_(response_ids)))
    session.execute(delete(Invitation).where(Invitation.child_id == child_id))
    session.execute(delete(Goal).where(Goal.child_id == child_id))
    session.execute(delete(child_facilitators).where(child_facilitators.c.child_id == child_id))
    session.execute(delete(Child).where(Child.id == child_id))
    session.expunge(child)
    erased = Erased(len(invitation_ids), len(response_ids), answers or 0, goals)
    audit.record(
        session,
        action=Action.CHILD_ERASED,
        actor=actor,
        actor_label=actor_label,
        subject=public_id,
        programme_id=programme_id,
        detail=erased.as_dict(),
    )
    session.expire_all()
    return erased


def _when(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def access_export(
    session: Session,
    *,
    child: Child,
    registry: QuestionnaireRegistry | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Everything held about ``child``, ready for ``json.dumps``."""
    programme = child.programme
    rounds = {r.id: r for r in session.scalars(
        select(Round).where(Round.programme_id == programme.id))}

    def round_of(round_id: int | None) -> dict[str, Any] | None:
        r = rounds.get(round_id) if round_id is not None else None
        return None if r is None else {"label": r.label, "kind": r.kind.value,
                                       "position": r.position}

    invitations = list(session.scalars(
        select(Invitation).where(Invitation.child_id == child.id).order_by(Invitation.id)))
    responses = []
    for invitation in invitations:
        response = invitation.response
        if response is None:
            continue
        answers = session.scalars(
            select(Answer).where(Answer.response_id == response.id).order_by(Answer.id))
        responses.append({
            "round": round_of(invitation.round_id),
            "questionnaire": response.questionnaire_id,
            "questionnaire_version": response.questionnaire_version,
            "age_variant": response.variant,
            "language": response.language,
            "started_at": _when(response.started_at),
            "completed_at": _when(response.completed_at),
            "flagged_at": _when(response.flagged_at),
            "answers": [{
                "question": a.question_key,
                "question_text": _text_of(question_of(registry, response, a.question_key)),
                "status": a.status.value,
                "score": a.score,
                "choices": a.choices,
                "text": a.text,
                "kept_from_meeting": a.hidden_from_meeting,
                "matched_worry_list": a.worry,
                "read_by_coordinator_at": _when(a.read_at),
                "answered_at": _when(a.answered_at),
                "changed_at": _when(a.updated_at),
            } for a in answers],
        })
    goals = session.scalars(select(Goal).where(Goal.child_id == child.id).order_by(Goal.id))
    roles = dict(session.execute(select(StaffUser.id, StaffUser.role)).all())
    log = session.scalars(
        select(AuditEntry).where(AuditEntry.subject == child.public_id).order_by(AuditEntry.id))
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _when(now or utcnow()),
        "about": "Everything KidsVoice holds about one child (access request).",
        "child": {
            "id": child.public_id,
            "first_name": child.first_name,
            "birth_year": child.birth_year,
            "language": child.language,
            "external_reference": child.external_ref,
            "age_variant": child.variant,
            "registered_at": _when(child.created_at),
            "archived_at": _when(child.archived_at),
            "coordinator": child.coordinator.name if child.coordinator else None,
            "facilitators": [f.name for f in child.facilitators],
        },
        "programme": {
            "name": programme.name,
            "contact": programme.contact,
            "answers_kept_days": programme.retention_days,
        },
        "invitations": [{
            "round": round_of(i.round_id),
            "created_at": _when(i.created_at),
            "expires_at": _when(i.expires_at),
            "opened_at": _when(i.opened_at),
            "completed_at": _when(i.completed_at),
            "revoked_at": _when(i.revoked_at),
        } for i in invitations],
        "responses": responses,
        "goals": [{
            "text": g.text,
            "start_rating": g.start_rating,
            "agreed_on": g.agreed_on.isoformat(),
            "status": g.status.value if hasattr(g.status, "value") else str(g.status),
            "round": round_of(g.round_id),
        } for g in goals],
        "log": [{
            "at": _when(e.at),
            "action": e.action,
            "by": (roles[e.actor_id].value if e.actor_id in roles
                   else ("staff" if e.actor_id is not None else e.actor)),
        } for e in log],
    }


def record_access_export(
    session: Session, *, child: Child, actor: StaffUser | None, actor_label: str | None = None,
    what: str = "json",
) -> None:
    audit.record(
        session,
        action=Action.ACCESS_EXPORT,
        actor=actor,
        actor_label=actor_label,
        subject=child.public_id,
        programme_id=child.programme_id,
        detail={"format": what},
    )


def _text_of(question: Question | None) -> str | None:
    return question.text if question is not None else None
