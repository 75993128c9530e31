"""The programme dashboard: each child's state per round, counted, filtered and paged —
and the Python rule and its SQL twin always agree."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kidsvoice.coordinator.queries import dashboard_page
from kidsvoice.invitation_state import InvitationState, invitation_state
from kidsvoice.models import Answer, AnswerStatus, Child, Invitation, Response, utcnow
from kidsvoice.operations.invitations import round_states
from tests.web._coordinator import fresh, statements, text

NOW = utcnow()


def test_the_rule_in_order() -> None:
    s = InvitationState
    past, future = NOW - timedelta(days=1), NOW + timedelta(days=1)
    assert invitation_state(exists=False, now=NOW) == s.NOT_INVITED
    assert invitation_state(exists=True, expires_at=future, now=NOW) == s.INVITED
    assert invitation_state(exists=True, expires_at=future, opened_at=past, now=NOW) == s.OPENED
    assert invitation_state(exists=True, expires_at=future, opened_at=past, has_answers=True,
                            now=NOW) == s.IN_PROGRESS
    assert invitation_state(exists=True, expires_at=past, opened_at=past, has_answers=True,
                            now=NOW) == s.EXPIRED
    assert invitation_state(exists=True, expires_at=future, revoked_at=past, has_answers=True,
                            now=NOW) == s.REVOKED
    assert invitation_state(exists=True, expires_at=past, revoked_at=past, completed_at=past,
                            now=NOW) == s.COMPLETED
    assert invitation_state(exists=True, expires_at=NOW, now=NOW) == s.EXPIRED


def _child_in_state(make, session, programme, n: int, opened: bool, answered: bool,
                    completed: bool, revoked: bool, expired: bool, invited: bool) -> Child:
    child = make.child(programme, first_name=f"Barn {n:02d}")
    if not invited:
        return child
    invitation, _token = make.invitation(child)
    if opened:
        invitation.opened_at = NOW - timedelta(hours=2)
    if completed:
        invitation.completed_at = NOW - timedelta(hours=1)
    if revoked:
        invitation.revoked_at = NOW - timedelta(hours=1)
    if expired:
        invitation.expires_at = NOW - timedelta(minutes=1)
    if answered:
        response = Response(invitation_id=invitation.id, questionnaire_id="kidsvoice-standard",
                            questionnaire_version=1, variant="6-9", language="da")
        session.add(response)
        session.flush()
        session.add(Answer(response_id=response.id, question_key="W1",
                           status=AnswerStatus.DECLINED))
    session.flush()
    return child


def test_sql_and_python_agree_on_every_combination(make, session) -> None:
    programme = make.programme()
    round_ = programme.rounds[0]
    combos = [(False,) * 5 + (False,)] + [
        (*flags, True) for flags in itertools.product([False, True], repeat=5)
    ]
    children = [
        _child_in_state(make, session, programme, n, *combo) for n, combo in enumerate(combos)
    ]
    session.commit()
    now = utcnow()
    python = {cid: state for cid, (state, _inv) in round_states(
        session, round_=round_, children=children, now=now).items()}
    page = dashboard_page(session, programme=programme, round_=round_, now=now, page_size=1000)
    sql = {row.child.id: row.state for row in page.rows}
    assert sql == python
    assert set(python.values()) == set(InvitationState)
    for state in InvitationState:
        filtered = dashboard_page(session, programme=programme, round_=round_, now=now,
                                  state=state, page_size=1000)
        assert {row.child.id for row in filtered.rows} == {
            cid for cid, st in python.items() if st == state}
        assert filtered.total == page.counts[state]


def test_filters_and_counts_on_the_page(client, login_as, make, session) -> None:
    programme = make.programme()
    _child_in_state(make, session, programme, 1, False, False, False, False, False, False)
    _child_in_state(make, session, programme, 2, True, True, True, False, False, True)
    _child_in_state(make, session, programme, 3, True, True, False, False, False, True)
    login_as("coordinator", programmes=[programme])
    url = f"/programmes/{programme.id}"
    page = text(client.get(url))
    assert "Barn 01" in page
    assert "Barn 02" in page
    assert "Barn 03" in page
    assert "1 af 3" in page  # one of three has answered the baseline
    completed = text(client.get(url + "?state=completed"))
    assert "Barn 02" in completed
    assert "Barn 01" not in completed
    assert "Barn 03" not in completed
    in_progress = text(client.get(url + f"?state=in_progress&round={programme.rounds[0].id}"))
    assert "Barn 03" in in_progress
    assert "Barn 02" not in in_progress
    follow_up = text(client.get(url + f"?round={programme.rounds[1].id}&state=not_invited"))
    assert all(f"Barn 0{n}" in follow_up for n in (1, 2, 3))
    search = text(client.get(url + "?q=barn+02"))
    assert "Barn 02" in search
    assert "Barn 01" not in search


@pytest.mark.parametrize("query", ["state=happy", "round=999999", "round=abc", "page=0",
                                   "page=x", "archived=maybe", "q=" + "x" * 61])
def test_bad_filters_are_400_not_500(client, login_as, make, query) -> None:
    programme = make.programme()
    login_as("coordinator", programmes=[programme])
    response = client.get(f"/programmes/{programme.id}?{query}")
    assert response.status_code == 400
    page = text(response)
    assert 'aria-invalid="true"' in page or "Den side findes ikke." in page


def _thousand_children(make, session):
    programme = make.programme()
    round_ = programme.rounds[0]
    year = utcnow().year - 10
    children = [Child(programme_id=programme.id, first_name=f"Barn {n:04d}", birth_year=year,
                      language="da") for n in range(1000)]
    session.add_all(children)
    session.flush()
    expires = NOW + timedelta(days=30)
    session.add_all([
        Invitation(child_id=c.id, round_id=round_.id, secret_hash="0" * 64, expires_at=expires,
                   opened_at=NOW if i % 3 == 0 else None,
                   completed_at=NOW if i % 5 == 0 else None)
        for i, c in enumerate(children[:600])
    ])
    return programme, round_


def test_a_thousand_children_cost_the_same_queries_as_one(app, client, login_as, make,
                                                         session) -> None:
    """No N+1: the dashboard's statements do not grow with the programme (its speed at
    municipality scale is measured by bench/scale.py, never here)."""
    small = make.programme()
    make.child(small, first_name="Eneste")
    programme, round_ = _thousand_children(make, session)
    session.commit()
    login_as("coordinator", programmes=[small, programme])
    counts = {}
    for name, p in (("one", small), ("thousand", programme)):
        for query in ("", "?state=completed&q=barn", "?page=3"):
            client.get(f"/programmes/{p.id}{query}")  # warm: the login's own lookups
            with statements(app) as seen:
                assert client.get(f"/programmes/{p.id}{query}").status_code == 200
            counts[name, query] = len(seen)
    for query in ("", "?state=completed&q=barn", "?page=3"):
        assert counts["thousand", query] == counts["one", query], counts
    assert counts["thousand", ""] <= 8, counts  # noqa: PLR2004 - user, settings, programme,
    # membership, rounds, default round, counts of every round, the page's rows


def test_a_thousand_children_are_paged_and_counted(client, login_as, make, session) -> None:
    programme, round_ = _thousand_children(make, session)
    session.commit()
    login_as("coordinator", programmes=[programme])
    url = f"/programmes/{programme.id}"
    page = text(client.get(url))
    assert "Side 1 af 20" in page
    assert page.count('class="inv-state ') == 50
    last = text(client.get(url + "?page=20"))
    assert "Barn 0999" in last
    assert "Side 20 af 20" in last
    not_invited = text(client.get(url + "?state=not_invited"))
    assert re.search(r"400 børn", not_invited)
    assert "Side 1 af 8" in not_invited
    assert "120 af 1000" in page  # completed: every fifth of the first 600
    fresh(session)
    assert session.scalar(select(Invitation.id).where(Invitation.round_id == round_.id)
                          .limit(1)) is not None
