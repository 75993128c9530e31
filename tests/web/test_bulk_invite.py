"""Inviting a whole programme in bulk: a constant number of statements, unique short codes,
fresh links and codes on re-inviting, one audit entry per invitation, an intact chain."""

from __future__ import annotations

from sqlalchemy import func, select

from kidsvoice import shortcode
from kidsvoice.audit import Action, verify_session
from kidsvoice.invitation_state import InvitationState
from kidsvoice.models import AuditEntry, Invitation
from kidsvoice.operations import invitations as ops_inv
from kidsvoice.shortcode import ShortCode
from tests.web._coordinator import fresh, post, statements, text


def _programme(make, session, children: int):
    programme = make.programme()
    for n in range(children):
        make.child(programme, first_name=f"Child {n:03d}", language="en" if n % 2 else "da")
    session.commit()
    return programme


def _bulk(make, session, programme, *, states=frozenset({InvitationState.NOT_INVITED}),
          round_=None):
    issued = ops_inv.bulk_issue(
        session, programme=programme, round_=round_ or programme.rounds[0], tokens=make.tokens,
        days=30, code_keys=make.config.secret_keys, states=states, actor_label="test",
    )
    session.commit()
    return issued


def test_bulk_issue_runs_as_many_statements_for_50_children_as_for_1(app, make, session) -> None:
    one, fifty = _programme(make, session, 1), _programme(make, session, 50)
    counts = {}
    for name, programme, size in (("one", one, 1), ("fifty", fifty, 50)):
        with statements(app) as seen:
            assert len(_bulk(make, session, programme)) == size
        counts[name] = len(seen)
        with statements(app) as seen:  # everyone again: a fresh link and code each
            _bulk(make, session, programme, states=ops_inv.UNFINISHED)
        counts[f"{name} again"] = len(seen)
    # Equal but for a rare second draw of short codes (two of 50 random selectors clashing).
    assert counts["one"] <= 10, counts
    assert counts["one again"] <= 10, counts
    assert counts["fifty"] <= counts["one"] + 1, counts
    assert counts["fifty again"] <= counts["one again"] + 1, counts


def test_bulk_issue_codes_links_and_audit(app, make, session) -> None:
    programme = _programme(make, session, 30)
    first = _bulk(make, session, programme)
    assert [i.invitation.child.first_name for i in first] == [f"Child {n:03d}" for n in range(30)]
    keys = make.config.secret_keys
    selectors = [i.short_code.selector for i in first]
    assert len(set(selectors)) == 30
    for item in first:
        assert item.invitation.short_code_selector == item.short_code.selector
        assert shortcode.matches(item.short_code, item.invitation.short_code_hash, keys)
        assert item.invitation.round_id == programme.rounds[0].id
        assert make.tokens.parse(item.token).public_id == item.invitation.public_id

    again = _bulk(make, session, programme, states=ops_inv.UNFINISHED)
    assert [i.invitation.id for i in again] == [i.invitation.id for i in first]
    public_ids = set(fresh(session).scalars(select(Invitation.public_id)))
    for old, new in zip(first, again, strict=True):
        assert old.token != new.token
        assert make.tokens.parse(old.token).public_id not in public_ids  # the old link stopped
        assert make.tokens.parse(new.token).public_id in public_ids
        found = ops_inv.find_by_short_code(session, programme_id=programme.id,
                                           code=old.short_code, keys=keys)
        assert found.reason == "unknown" or old.short_code.selector == new.short_code.selector
        found = ops_inv.find_by_short_code(session, programme_id=programme.id,
                                           code=new.short_code, keys=keys)
        assert found.reason == "ok"
        assert found.invitation is not None
        assert found.invitation.id == new.invitation.id
    # A wrong code counts a failure against the invitation it names (a write): end this
    # session's transaction before the app, in another connection, writes too.
    session.commit()
    browser = app.test_client()
    assert browser.get(f"/i/{first[0].token}").status_code == 404
    assert browser.get(f"/i/{again[0].token}").status_code == 303

    s = fresh(session)
    assert s.scalar(select(func.count(Invitation.id))) == 30
    entries = list(s.scalars(select(AuditEntry).where(
        AuditEntry.action == Action.INVITATION_CREATED).order_by(AuditEntry.id)))
    assert len(entries) == 60
    subjects = [i.invitation.child.public_id for i in first]
    assert [e.subject for e in entries] == subjects * 2
    assert [e.detail["new_link"] for e in entries] == [False] * 30 + [True] * 30
    assert {(e.actor, e.programme_id, e.detail["round"], e.detail["days"]) for e in entries} == {
        ("test", programme.id, 1, 30)}
    assert verify_session(s) == []


def test_only_clashing_codes_are_drawn_again(app, make, session, monkeypatch) -> None:
    programme = _programme(make, session, 3)
    other = _programme(make, session, 1)
    [held] = _bulk(make, session, other)  # an answerable invitation holds a selector
    taken = held.short_code.selector
    free = [c for c in shortcode.ALPHABET if c * 3 != taken][:3]
    draws = iter([
        ShortCode(taken + "22222"),      # clashes with the other programme's invitation
        ShortCode(free[0] * 3 + "33333"),
        ShortCode(free[0] * 3 + "44444"),  # clashes with the one above, in the same batch
        ShortCode(free[1] * 3 + "55555"),  # second round: only the two clashes
        ShortCode(free[2] * 3 + "66666"),
    ])
    monkeypatch.setattr(shortcode, "generate", lambda: next(draws))
    with statements(app) as seen:
        issued = _bulk(make, session, programme)
    assert next(draws, None) is None  # five draws, no more
    assert sum("short_code_selector IN" in s for s in seen) == 2  # one query per round
    assert sorted(i.short_code.selector for i in issued) == sorted(c * 3 for c in free)


def test_the_whole_programme_web_request_does_not_grow_with_the_children(
        client, login_as, make, session, app) -> None:
    small, large = _programme(make, session, 1), _programme(make, session, 30)
    login_as("coordinator", programmes=[small, large])
    counts = []
    for programme in (small, large):
        url = f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/invite"
        with statements(app) as seen:
            page = text(post(client, url, {"which": "new", "days": "30"}, token_from=url))
        counts.append(len(seen))
        assert page.count('class="letter"') == len(programme.children)
    assert counts[1] <= counts[0] + 2, counts
