"""The audit log's hash chain detects changed, removed and inserted entries."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from kidsvoice.audit import Action, record, verify_session
from kidsvoice.models import AuditEntry


def _three(session, make) -> list[AuditEntry]:
    user = make.staff("coordinator")
    entries = [
        record(session, action=Action.SHEET_VIEW, actor=user, subject="child-a", detail={"round": 1}),
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
