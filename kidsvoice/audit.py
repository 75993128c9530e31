"""The audit log: who looked at, printed, exported, sent or deleted what, and when.

Entries are append-only and chained: each stores the SHA-256 of the previous entry's hash and
its own canonical content, so ``kidsvoice audit verify`` detects a changed, inserted or
removed entry.  Writers are serialised (PostgreSQL: a transaction-level advisory lock;
SQLite: the writer's BEGIN IMMEDIATE), so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
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
    TABLET_ADULT = "tablet_adult"
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
    return _canonical_of(entry.at, entry.actor_id, entry.actor, entry.action, entry.subject,
                         entry.programme_id, entry.detail)


def _canonical_of(at: datetime, actor_id: int | None, actor: str, action: str,
                  subject: str | None, programme_id: int | None, detail: object) -> bytes:
    body = {
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor": actor,
        "action": action,
        "subject": subject,
        "programme_id": programme_id,
        "detail": detail,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + _canonical(entry)).hexdigest()


@dataclass(frozen=True)
class NewEntry:
    """One entry for :func:`record_many` (the actor is the batch's)."""

    action: str
    subject: str | None = None
    programme_id: int | None = None
    detail: Mapping[str, object] | None = None


def _lock_and_last_hash(session: Session) -> str:
    """Serialise the writers (PostgreSQL) and read the hash the next entry follows."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return last or GENESIS


def _actor_fields(actor: StaffUser | None, actor_label: str | None) -> tuple[int | None, str]:
    if actor is not None:
        return actor.id, actor.email
    return None, actor_label or "system"


def _chain(prev_hash: str, entries: Iterable[NewEntry], *, actor_id: int | None, actor: str,
           at: datetime) -> list[dict[str, Any]]:
    """The rows of ``entries``, each chained to the one before (the first to ``prev_hash``)."""
    rows = []
    for new in entries:
        detail = dict(new.detail or {})
        digest = hashlib.sha256(prev_hash.encode("ascii") + _canonical_of(
            at, actor_id, actor, new.action, new.subject, new.programme_id, detail)).hexdigest()
        rows.append({"at": at, "actor_id": actor_id, "actor": actor, "action": new.action,
                     "subject": new.subject, "programme_id": new.programme_id,
                     "detail": detail, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    return rows


def record(
    session: Session,
    *,
    action: str,
    actor: StaffUser | None,
    subject: str | None = None,
    programme_id: int | None = None,
    detail: Mapping[str, object] | None = None,
    actor_label: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it is kept only if that commits)."""
    prev_hash = _lock_and_last_hash(session)
    actor_id, actor_name = _actor_fields(actor, actor_label)
    [row] = _chain(prev_hash, [NewEntry(action, subject, programme_id, detail)],
                   actor_id=actor_id, actor=actor_name, at=at or utcnow())
    entry = AuditEntry(**row)
    session.add(entry)
    session.flush()
    return entry


def record_many(
    session: Session,
    entries: Sequence[NewEntry],
    *,
    actor: StaffUser | None,
    actor_label: str | None = None,
    at: datetime | None = None,
) -> list[str]:
    """Append many entries by one actor at once, in this order, in the caller's transaction.

    The same chain as :func:`record` called once per entry (with the same ``at``), but the
    previous hash is read once, the entries are chained in memory and inserted in one
    executemany.  Returns their hashes.
    """
    if not entries:
        return []
    session.flush()  # anything pending (an entry, say) goes in first
    prev_hash = _lock_and_last_hash(session)
    actor_id, actor_name = _actor_fields(actor, actor_label)
    rows = _chain(prev_hash, entries, actor_id=actor_id, actor=actor_name, at=at or utcnow())
    session.execute(insert(AuditEntry.__table__), rows)
    return [row["hash"] for row in rows]


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
