"""The audit log: who looked at, printed, exported, sent or deleted what, and when.

Entries are append-only and chained: each stores the SHA-256 of the previous entry's hash and
its own canonical content, so ``kidsvoice audit verify`` detects a changed, inserted or
removed entry.  Writers are serialised (PostgreSQL: a transaction-level advisory lock;
SQLite: the writer's BEGIN IMMEDIATE), so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .models import AuditEntry, StaffUser, utcnow

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x6B76_6175  # "kvau"


class Action:
    """The actions the log knows (strings, so old entries stay readable)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    TOTP_ENABLED = "totp_enabled"
    TOTP_DISABLED = "totp_disabled"
    TOTP_RESET = "totp_reset"
    SETTING_CHANGED = "setting_changed"
    SHEET_VIEW = "sheet_view"
    SHEET_PRINT = "sheet_print"
    SAFEGUARDING_VIEW = "safeguarding_view"
    EXPORT = "export"
    INVITATION_CREATED = "invitation_created"
    INVITATION_SENT = "invitation_sent"
    INVITATION_REVOKED = "invitation_revoked"
    GOAL_RECORDED = "goal_recorded"
    CHILD_ERASED = "child_erased"
    ANSWERS_PURGED = "answers_purged"
    ACCESS_EXPORT = "access_export"
    WORRY_FLAGGED = "worry_flagged"
    ANSWER_READ = "answer_read"


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "programme_id": entry.programme_id,
        "detail": entry.detail,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + _canonical(entry)).hexdigest()


def record(
    session: Session,
    *,
    action: str,
    actor: StaffUser | None,
    subject: str | None = None,
    programme_id: int | None = None,
    detail: Mapping[str, object] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it is kept only if that commits)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor=actor.email if actor is not None else (actor_label or "system"),
        action=action,
        subject=subject,
        programme_id=programme_id,
        detail=dict(detail or {}),
        prev_hash=last or GENESIS,
    )
    entry.hash = entry_hash(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    reason: str


def verify(entries: Iterable[AuditEntry]) -> list[ChainProblem]:
    """Check the chain in id order; an empty list means it is intact."""
    problems = []
    prev = GENESIS
    for entry in entries:
        if entry.prev_hash != prev:
            problems.append(ChainProblem(entry.id, "does not follow the entry before it"))
        if entry_hash(entry.prev_hash, entry) != entry.hash:
            problems.append(ChainProblem(entry.id, "content was changed"))
        prev = entry.hash
    return problems


def verify_session(session: Session) -> list[ChainProblem]:
    return verify(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def as_utc(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
