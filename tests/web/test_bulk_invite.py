"""Inviting a whole programme in bulk: a constant number of statements, unique short codes,
fresh links and codes on re-inviting, one audit entry per invitation, an intact chain."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from kidsvoice import shortcode
from kidsvoice.audit import Action, verify_session
from kidsvoice.invitation_state import InvitationState
from kidsvoice.models import AuditEntry, Invitation
from kidsvoice.name_order import name_key
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
    ).issued
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


def _batch(make, session, programme, *, states, after=0, limit=4):
    done = ops_inv.bulk_issue(
        session, programme=programme, round_=programme.rounds[0], tokens=make.tokens,
        days=30, code_keys=make.config.secret_keys, states=states, actor_label="test",
        limit=limit, after_child_id=after,
    )
    session.commit()
    return done


def test_batches_invite_everyone_once_each(app, make, session) -> None:
    """Ten children four at a time: three batches, each in name order, nobody twice, and when
    re-inviting everyone unfinished, nobody re-invited by the batch after theirs."""
    programme = make.programme()
    for name in ["Jens", "alma", "Bo", "Ida", "Carl", "Freja", "Emil", "Hugo", "Gry", "Dina"]:
        make.child(programme, first_name=name)
    session.commit()
    for states in ({InvitationState.NOT_INVITED}, ops_inv.UNFINISHED):
        seen: list[str] = []
        after, remaining = 0, []
        while True:
            done = _batch(make, session, programme, states=states, after=after)
            names = [i.invitation.child.first_name for i in done.issued]
            assert names == sorted(names, key=name_key)
            seen += names
            remaining.append(done.remaining)
            if not done.remaining:
                break
            after = done.last_child_id
        assert remaining == [6, 2, 0]
        assert sorted(seen) == sorted(c.first_name for c in programme.children)
    entries = session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == Action.INVITATION_CREATED))
    assert entries == 20  # noqa: PLR2004


def test_a_batch_skips_children_who_answered_or_left_meanwhile(app, make, session) -> None:
    programme = _programme(make, session, 6)
    first = _batch(make, session, programme, states={InvitationState.NOT_INVITED}, limit=2)
    children = sorted(programme.children, key=lambda c: c.id)
    children[3].archived_at = children[3].created_at  # archived between the batches
    session.commit()
    second = _batch(make, session, programme, states={InvitationState.NOT_INVITED},
                    after=first.last_child_id, limit=10)
    assert [i.invitation.child.id for i in second.issued] == [
        c.id for c in children[2:] if c is not children[3]]
    assert second.remaining == 0
    assert second.last_child_id == children[-1].id


def test_the_web_request_makes_links_a_batch_at_a_time(
        client, login_as, make, session, app, monkeypatch) -> None:
    from kidsvoice.coordinator import views

    monkeypatch.setattr(views, "BULK_BATCH_SIZE", 3)
    programme = _programme(make, session, 7)
    login_as("coordinator", programmes=[programme])
    url = f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/invite"
    assert "Links laves 3 ad gangen" in text(client.get(url))
    page = text(post(client, url, {"which": "new", "days": "14"}, token_from=url))
    letters = [page.count('class="letter"')]
    while "Lav de næste" in page or "Lav det næste" in page:
        assert "mere mangler et link" in page
        after = re.search(r'name="after" type="hidden" value="(\d+)"', page)
        assert after is not None
        assert 'name="days" value="14"' in page
        page = text(post(client, url, {"which": "new", "days": "14", "after": after.group(1)},
                         token_from=url))
        letters.append(page.count('class="letter"'))
    assert letters == [3, 3, 1]
    s = fresh(session)
    assert s.scalar(select(func.count(Invitation.id))) == 7  # noqa: PLR2004
    # everyone has a link now: a further request makes none
    page = text(post(client, url, {"which": "new", "days": "14"}, token_from=url))
    assert page.count('class="letter"') == 0


def test_a_tampered_batch_start_is_refused_in_danish(client, login_as, make, session) -> None:
    programme = _programme(make, session, 2)
    login_as("coordinator", programmes=[programme])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    url = f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/invite"
    for after in ("-1", "x"):
        response = post(client, url, {"which": "new", "days": "14", "after": after},
                        token_from=url)
        assert response.status_code == 400
        assert "De næste links kunne ikke laves" in text(response)
    s = fresh(session)
    assert s.scalar(select(func.count(Invitation.id))) == 0
