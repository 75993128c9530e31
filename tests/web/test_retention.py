"""Retention and rights: ``kidsvoice purge``, erasure of one child (command and page), and the
access export (command and page); audit entries; nothing linking back after erasure."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kidsvoice.audit import Action, verify_session
from kidsvoice.models import (
    Answer,
    AuditEntry,
    Child,
    Goal,
    Invitation,
    Response,
    child_facilitators,
    utcnow,
)
from tests.conftest import csrf_token
from tests.meeting_data import BASELINE_6_9, BASELINE_10_16, add_goal, complete_round, text


def _count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def _entries(session, action: str) -> list[AuditEntry]:
    session.rollback()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                .order_by(AuditEntry.id)))


# ---- purge -----------------------------------------------------------------------------------


@pytest.fixture
def aged(make, session):
    """Two programmes: one keeping answers 30 days, one the default three years."""
    short = make.programme("Kort 2027", retention_days=30)
    long = make.programme("Lang 2027")
    now = utcnow()
    old = make.child(short, first_name="Gammel", age=8)
    fresh = make.child(short, first_name="Ny", age=8)
    abandoned = make.child(short, first_name="Halv", age=8)
    kept = make.child(long, first_name="Lang", age=8)
    complete_round(session, old, answers=BASELINE_6_9, completed_at=now - timedelta(days=31))
    complete_round(session, fresh, answers=BASELINE_6_9, completed_at=now - timedelta(days=29))
    # never completed: started 40 days ago (complete_round starts it 10 minutes before)
    complete_round(session, abandoned, answers={"W1": text("Noget")},
                   completed_at=now - timedelta(days=40), finished=False)
    complete_round(session, kept, answers=BASELINE_6_9, completed_at=now - timedelta(days=400))
    session.commit()
    return {"short": short, "long": long, "old": old, "fresh": fresh, "abandoned": abandoned,
            "kept": kept}


def _responses_of(session, child) -> int:
    session.rollback()
    return session.scalar(select(func.count(Response.id)).join(Invitation).where(
        Invitation.child_id == child.id))


def test_purge_dry_run_changes_nothing(runner, session, aged) -> None:
    before = _count(session, Answer)
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Kort 2027: Would delete 2 questionnaire(s) with 20 answer(s)" in result.output
    assert "dry run" in result.output
    assert _count(session, Answer) == before
    assert _entries(session, Action.ANSWERS_PURGED) == []


def test_purge_deletes_what_is_past_retention_and_is_idempotent(runner, session, aged) -> None:
    answers_before = _count(session, Answer)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Kort 2027: Deleted 2 questionnaire(s) with 20 answer(s)" in result.output
    assert "Lang 2027" not in result.output
    for name in ("Gammel", "Halv", "Ny", "Noget"):
        assert name not in result.output  # counts only, no personal data
    assert _responses_of(session, aged["old"]) == 0
    assert _responses_of(session, aged["abandoned"]) == 0  # counted from the start
    assert _responses_of(session, aged["fresh"]) == 1
    assert _responses_of(session, aged["kept"]) == 1
    assert _count(session, Answer) == answers_before - 20
    # the children, their invitations and the programme stay
    assert session.get(Child, aged["old"].id) is not None
    assert _count(session, Invitation) == 4
    [entry] = _entries(session, Action.ANSWERS_PURGED)
    assert entry.programme_id == aged["short"].id
    assert entry.subject is None
    assert entry.actor == "cli"
    assert entry.detail["responses"] == 2
    assert entry.detail["answers"] == 20
    assert entry.detail["retention_days"] == 30
    # a second run (tomorrow's cron) finds nothing more
    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0
    assert "Nothing is past its retention period." in again.output
    assert len(_entries(session, Action.ANSWERS_PURGED)) == 1
    assert verify_session(session) == []


def test_purge_with_nothing_to_do(runner, session) -> None:
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0
    assert "Nothing is past its retention period." in result.output


# ---- a child with everything -----------------------------------------------------------------


@pytest.fixture
def family(make, session):
    programme = make.programme("Skolefravær 2027", contact="Karin, tlf. 12 34 56 78")
    karin = make.staff("coordinator", name="Karin", programmes=[programme])
    ole = make.staff("coordinator", name="Ole", programmes=[programme])
    mette = make.staff("coordinator", name="Mette", programmes=[make.programme()])
    facilitator = make.staff("facilitator", name="Frida", programmes=[programme])
    admin = make.staff("admin", name="Ada")
    emma = make.child(programme, first_name="Emma", age=13, coordinator=karin,
                      external_ref="SAG-4711")
    emma.facilitators.append(facilitator)
    response = complete_round(session, emma, answers=BASELINE_10_16, hidden={"W3"})
    response.answers[0].worry = True
    add_goal(session, emma, "Komme i skole hver dag", 3, round_=programme.rounds[0])
    make.invitation(emma, programme.rounds[1])
    # five more children, so that the programme's outcome export shows rows
    others = [make.child(programme, first_name=f"Barn{n}", age=13) for n in range(5)]
    for child in others:
        complete_round(session, child, answers=BASELINE_10_16)
    session.commit()
    return {"programme": programme, "karin": karin, "ole": ole, "mette": mette,
            "facilitator": facilitator, "admin": admin, "emma": emma, "others": others,
            "public_id": emma.public_id, "child_id": emma.id,
            "other_ids": [c.public_id for c in others]}


def _log_in(client, user, make) -> None:
    response = client.post("/login", data={"email": user.email, "password": make.PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302


def _check_export(data: dict, family) -> None:
    emma = family["emma"]
    assert data["format"] == "kidsvoice-access-export"
    assert data["child"]["id"] == emma.public_id
    assert data["child"]["first_name"] == "Emma"
    assert data["child"]["external_reference"] == "SAG-4711"
    assert data["child"]["coordinator"] == "Karin"
    assert data["child"]["facilitators"] == ["Frida"]
    assert data["programme"]["name"] == "Skolefravær 2027"
    assert data["programme"]["answers_kept_days"] == 3 * 365
    assert len(data["invitations"]) == 2
    [response] = data["responses"]
    answers = {a["question"]: a for a in response["answers"]}
    assert set(answers) == set(BASELINE_10_16)
    assert answers["W3"]["text"] == BASELINE_10_16["W3"]["text"]
    assert answers["W3"]["kept_from_meeting"] is True  # kept answers too
    assert answers["W1"]["matched_worry_list"] is True
    assert answers["W1"]["question_text"].startswith("If you could change one thing")
    assert data["goals"][0]["text"] == "Komme i skole hver dag"
    assert data["goals"][0]["start_rating"] == 3
    dumped = json.dumps(data)
    for secret in ("secret_hash", "short_code", "password"):
        assert secret not in dumped
    for other in family["others"]:
        assert other.public_id not in dumped


def test_access_export_command(runner, session, family) -> None:
    result = runner.invoke(args=["access-export", "--child", family["emma"].public_id])
    assert result.exit_code == 0, result.output
    _check_export(json.loads(result.output), family)
    [entry] = _entries(session, Action.ACCESS_EXPORT)
    assert entry.subject == family["emma"].public_id
    assert entry.actor == "cli"


def test_access_export_command_unknown_child(runner, session) -> None:
    result = runner.invoke(args=["access-export", "--child", "nobody"])
    assert result.exit_code != 0
    assert "No child" in result.output


def test_access_export_page_download(client, make, session, family) -> None:
    _log_in(client, family["karin"], make)
    emma = family["emma"]
    page = client.get(f"/rights/children/{emma.public_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Emma" in html
    assert emma.public_id in html
    page_url = f"/rights/children/{emma.public_id}"
    result = client.post(f"{page_url}/export", data={"csrf_token": csrf_token(client, page_url)})
    assert result.status_code == 200
    assert result.mimetype == "application/json"
    assert f"kidsvoice-access-{emma.public_id}.json" in result.headers["Content-Disposition"]
    assert result.headers["Cache-Control"] == "no-store"
    data = json.loads(result.get_data(as_text=True))
    _check_export(data, family)
    [entry] = _entries(session, Action.ACCESS_EXPORT)
    assert entry.actor_id == family["karin"].id
    assert entry.subject == emma.public_id


def test_access_export_page_needs_csrf(client, make, session, family) -> None:
    _log_in(client, family["karin"], make)
    assert client.post(f"/rights/children/{family['emma'].public_id}/export").status_code == 400
    assert _entries(session, Action.ACCESS_EXPORT) == []


@pytest.mark.parametrize("who", ["ole", "mette", "admin", "facilitator"])
def test_access_export_is_for_the_childs_coordinator_only(client, make, session, family,
                                                         who) -> None:
    _log_in(client, family[who], make)
    result = client.post(f"/rights/children/{family['emma'].public_id}/export",
                         data={"csrf_token": csrf_token(client, "/")})
    assert result.status_code == 403
    assert _entries(session, Action.ACCESS_EXPORT) == []


@pytest.mark.parametrize(("who", "status"), [("ole", 403), ("mette", 403), ("facilitator", 403),
                                             ("admin", 200), ("karin", 200)])
def test_who_may_open_the_erase_page(client, make, family, who, status) -> None:
    _log_in(client, family[who], make)
    assert client.get(f"/rights/children/{family['emma'].public_id}/erase").status_code == status


# ---- erasure ---------------------------------------------------------------------------------


def _assert_erased(session, family, before: list[AuditEntry]) -> None:
    public_id, child_id = family["public_id"], family["child_id"]
    session.rollback()
    assert session.scalar(select(Child).where(Child.public_id == public_id)) is None
    assert session.scalar(select(func.count(Invitation.id)).where(
        Invitation.child_id == child_id)) == 0
    assert session.scalar(select(func.count(Goal.id)).where(Goal.child_id == child_id)) == 0
    assert session.scalar(select(func.count()).select_from(child_facilitators).where(
        child_facilitators.c.child_id == child_id)) == 0
    assert session.scalar(select(func.count(Answer.id)).where(
        Answer.text == BASELINE_10_16["W3"]["text"])) == 5  # the other five children's only
    # the audit log: the entries before are unchanged, the chain holds, and nothing in it
    # names the child but the pseudonymous id
    assert verify_session(session) == []
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.hash for e in entries[:len(before)]] == [e.hash for e in before]
    for entry in entries:
        dumped = json.dumps({"actor": entry.actor, "detail": entry.detail,
                             "subject": entry.subject}, ensure_ascii=False)
        assert "Emma" not in dumped
        assert "SAG-4711" not in dumped
        assert entry.subject in (None, public_id) or entry.subject in family["other_ids"]
    [erased] = [e for e in entries if e.action == Action.CHILD_ERASED]
    assert erased.subject == public_id
    assert erased.detail == {"invitations": 2, "responses": 1,
                             "answers": len(BASELINE_10_16), "goals": 1}


def _outcome_export(runner) -> str:
    result = runner.invoke(args=["export", "--programme", "Skolefravær 2027"])
    assert result.exit_code == 0, result.output
    return result.output


def test_erase_command(runner, session, family) -> None:
    public_id = family["public_id"]
    assert public_id in _outcome_export(runner)
    session.rollback()
    before = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    result = runner.invoke(args=["erase", "--child", public_id, "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 questionnaire(s)" in result.output
    assert "Emma" not in result.output
    _assert_erased(session, family, before)
    export = _outcome_export(runner)
    assert public_id not in export  # statistics no longer contain the child
    assert family["other_ids"][0] in export


def test_erase_command_asks_first(runner, session, family) -> None:
    result = runner.invoke(args=["erase", "--child", family["emma"].public_id], input="n\n")
    assert result.exit_code != 0
    session.rollback()
    assert session.get(Child, family["emma"].id) is not None
    assert _entries(session, Action.CHILD_ERASED) == []


def test_erase_command_unknown_child(runner) -> None:
    result = runner.invoke(args=["erase", "--child", "nobody", "--yes"])
    assert result.exit_code != 0
    assert "No child" in result.output


@pytest.mark.parametrize("who", ["karin", "admin"])
def test_erase_page_with_the_first_name_typed(client, make, session, family, who) -> None:
    public_id = family["public_id"]
    session.rollback()
    before = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    _log_in(client, family[who], make)
    url = f"/rights/children/{public_id}/erase"
    page = client.get(url).get_data(as_text=True)
    assert "Emma" in page
    assert "This cannot be undone" in page or "kan ikke fortrydes" in page
    result = client.post(url, data={"csrf_token": csrf_token(client, url),
                                    "first_name": "  emma "})
    assert result.status_code == 303
    assert result.headers["Location"] == "/"
    _assert_erased(session, family, before)
    [erased] = _entries(session, Action.CHILD_ERASED)
    assert erased.actor_id == family[who].id
    # the child's pages are gone: the rights page answers like any unknown id
    assert client.get(f"/rights/children/{public_id}").status_code in (403, 404)


@pytest.mark.parametrize(("typed", "message"), [
    ("", ("Type the child's first name to confirm.", "Skriv barnets fornavn for at bekræfte.")),
    ("Emil", ("That is not the child's first name. Nothing was erased.",
              "Det er ikke barnets fornavn. Intet er slettet.")),
])
def test_erase_page_refuses_a_wrong_or_missing_name(client, make, session, family, typed,
                                                    message) -> None:
    _log_in(client, family["karin"], make)
    url = f"/rights/children/{family['emma'].public_id}/erase"
    result = client.post(url, data={"csrf_token": csrf_token(client, url), "first_name": typed})
    assert result.status_code == 422
    html = result.get_data(as_text=True).replace("&#39;", "'")
    assert any(m in html for m in message)
    session.rollback()
    assert session.get(Child, family["emma"].id) is not None
    assert _entries(session, Action.CHILD_ERASED) == []


def test_erase_page_needs_csrf(client, make, session, family) -> None:
    _log_in(client, family["karin"], make)
    url = f"/rights/children/{family['emma'].public_id}/erase"
    assert client.post(url, data={"first_name": "Emma"}).status_code == 400
    session.rollback()
    assert session.get(Child, family["emma"].id) is not None


def test_erase_page_by_another_programmes_coordinator_is_403(client, make, session,
                                                             family) -> None:
    _log_in(client, family["mette"], make)
    url = f"/rights/children/{family['emma'].public_id}/erase"
    result = client.post(url, data={"csrf_token": csrf_token(client, "/"), "first_name": "Emma"})
    assert result.status_code == 403
    session.rollback()
    assert session.get(Child, family["emma"].id) is not None


# ---- lookup by pseudonymous id ---------------------------------------------------------------


def test_lookup_finds_the_child(client, make, family) -> None:
    _log_in(client, family["admin"], make)
    assert client.get("/rights/").status_code == 200
    result = client.get(f"/rights/?child={family['emma'].public_id}")
    assert result.status_code == 303
    assert result.headers["Location"] == f"/rights/children/{family['emma'].public_id}"


@pytest.mark.parametrize(("value", "status"), [("", 422), ("a b<c>", 422), ("x" * 40, 422),
                                               ("unknown-id", 404)])
def test_lookup_bad_input(client, make, family, value, status) -> None:
    _log_in(client, family["karin"], make)
    result = client.get("/rights/", query_string={"child": value})
    assert result.status_code == status
    assert 'class="field__error"' in result.get_data(as_text=True)


def test_lookup_of_another_programmes_child_is_404_for_a_coordinator(client, make,
                                                                     family) -> None:
    _log_in(client, family["mette"], make)
    assert client.get(f"/rights/?child={family['emma'].public_id}").status_code == 404


@pytest.mark.parametrize("role", ["facilitator", "evaluator"])
def test_rights_pages_are_not_for_other_roles(client, login_as, family, role) -> None:
    login_as(role)
    assert client.get("/rights/").status_code == 403
    assert client.get(f"/rights/children/{family['emma'].public_id}").status_code == 403


def test_the_childs_pages_link_to_the_rights_page(client, make, family) -> None:
    _log_in(client, family["karin"], make)
    emma, programme = family["emma"], family["programme"]
    link = f'href="/rights/children/{family["public_id"]}"'
    page = client.get(f"/programmes/{programme.id}/children/{family['public_id']}")
    assert page.status_code == 200
    assert link in page.get_data(as_text=True)
    page = client.get(f"/children/{family['child_id']}/safeguarding")
    assert page.status_code == 200
    assert link in page.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _log_in(client, family["ole"], make)  # not Emma's own coordinator: no link
    page = client.get(f"/programmes/{programme.id}/children/{emma.public_id}")
    assert page.status_code == 200
    assert link not in page.get_data(as_text=True)
