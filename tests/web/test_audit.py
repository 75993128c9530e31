"""The audit log's hash chain detects changed, removed and inserted entries."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from kidsvoice.audit import GENESIS, Action, NewEntry, record, record_many, verify_session
from kidsvoice.models import AuditEntry, utcnow


def _three(session, make) -> list[AuditEntry]:
    user = make.staff("coordinator")
    entries = [
        record(session, action=Action.SHEET_VIEW, actor=user, subject="child-a",
               detail={"round": 1}),
        record(session, action=Action.SHEET_PRINT, actor=user, subject="child-a"),
        record(session, action=Action.EXPORT, actor=None, actor_label="cli", detail={"rows": 3}),
    ]
    session.commit()
    return entries


def test_an_untouched_chain_verifies(session, make) -> None:
    entries = _three(session, make)
    assert entries[1].prev_hash == entries[0].hash
    session.rollback()
    assert verify_session(session) == []


def test_a_changed_entry_is_detected(session, make) -> None:
    entries = _three(session, make)
    session.execute(update(AuditEntry).where(AuditEntry.id == entries[1].id)
                    .values(subject="child-b"))
    session.commit()
    session.rollback()
    problems = verify_session(session)
    assert [p.entry_id for p in problems] == [entries[1].id]


def test_a_removed_entry_is_detected(session, make) -> None:
    entries = _three(session, make)
    session.execute(delete(AuditEntry).where(AuditEntry.id == entries[1].id))
    session.commit()
    session.rollback()
    problems = verify_session(session)
    assert [p.entry_id for p in problems] == [entries[2].id]


def test_entries_are_kept_in_order(session, make) -> None:
    _three(session, make)
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["sheet_view", "sheet_print", "export"]


def test_audit_verify_command(runner, session, make) -> None:
    entries = _three(session, make)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 3 entries" in result.output
    session.execute(update(AuditEntry).where(AuditEntry.id == entries[0].id)
                    .values(action="export"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"entry {entries[0].id}: content was changed" in result.output


# ---- record_many: the batch form -----------------------------------------------------------


def _batch() -> list[NewEntry]:
    return [
        NewEntry(Action.INVITATION_CREATED, subject="child-a", programme_id=1,
                 detail={"round": 1, "new_link": False, "days": 30}),
        NewEntry(Action.INVITATION_CREATED, subject="child-æ", programme_id=1,
                 detail={"round": 1, "new_link": True, "days": 30}),
        NewEntry(Action.EXPORT),
    ]


def test_record_many_chains_exactly_as_record_one_by_one(session, make) -> None:
    user = make.staff("coordinator")
    record(session, action=Action.LOGIN, actor=user)  # something to follow
    session.commit()
    at = utcnow()
    one_by_one = [
        record(session, action=e.action, actor=user, subject=e.subject,
               programme_id=e.programme_id, detail=e.detail, at=at).hash
        for e in _batch()
    ]
    session.rollback()  # the same entries again, after the same entry, in one batch
    hashes = record_many(session, _batch(), actor=user, at=at)
    session.commit()
    assert hashes == one_by_one
    stored = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.hash for e in stored[1:]] == one_by_one
    assert [e.prev_hash for e in stored[1:]] == [stored[0].hash, *one_by_one[:-1]]
    assert [(e.actor, e.actor_id) for e in stored[1:]] == [(user.email, user.id)] * 3
    assert stored[2].detail == {"round": 1, "new_link": True, "days": 30}
    assert verify_session(session) == []


def test_record_many_and_record_interleave_into_one_chain(session, runner) -> None:
    assert record_many(session, [], actor=None) == []
    record_many(session, _batch(), actor=None, actor_label="cli")  # the very first entries
    record(session, action=Action.EXPORT, actor=None, actor_label="cli")
    record_many(session, _batch()[:2], actor=None)
    session.commit()
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.actor for e in entries] == ["cli"] * 4 + ["system"] * 2
    assert entries[0].prev_hash == GENESIS
    assert verify_session(session) == []
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 6 entries" in result.output
    session.execute(update(AuditEntry).where(AuditEntry.id == entries[1].id)
                    .values(subject="child-b"))
    session.commit()
    assert [p.entry_id for p in verify_session(session)] == [entries[1].id]
