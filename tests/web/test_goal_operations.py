"""kidsvoice.operations.goals: the rules of shared goals, on every database backend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from kidsvoice.models import Goal, GoalStatus, utcnow
from kidsvoice.operations import OperationError
from kidsvoice.operations.goals import (
    GoalError,
    clean_goal_text,
    edit_goal,
    record_goal,
    set_goal_status,
)

TODAY = date(2027, 3, 10)


def new(session, child, text="Komme i skole", rating=3, **kw):
    return record_goal(session, child=child, text=text, start_rating=rating,
                       agreed_on=kw.pop("agreed_on", TODAY), today=TODAY, **kw)


def test_record_and_read_back(make) -> None:
    child = make.child()
    user = make.staff("facilitator")
    goal = new(make.session, child, "  Læse  en\nbog  ", 0, recorded_by=user,
               round_=child.programme.rounds[0])
    make.session.commit()
    assert (goal.text, goal.start_rating, goal.agreed_on) == ("Læse en bog", 0, TODAY)
    assert goal.status == GoalStatus.OPEN
    assert goal.created_by_id == user.id
    assert goal.round_id == child.programme.rounds[0].id


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": " \t\n "}, "text"),
        ({"text": "x" * 201}, "text"),
        ({"rating": 11}, "start_rating"),
        ({"rating": -1}, "start_rating"),
        ({"rating": True}, "start_rating"),
        ({"rating": "3"}, "start_rating"),
        ({"rating": 2.5}, "start_rating"),
        ({"agreed_on": TODAY + timedelta(days=1)}, "agreed_on"),
        ({"agreed_on": "2027-03-01"}, "agreed_on"),
    ],
)
def test_rule_breaks_store_nothing(make, kwargs, field) -> None:
    child = make.child()
    with pytest.raises(GoalError) as caught:
        new(make.session, child, **kwargs)
    assert caught.value.field == field
    assert isinstance(caught.value, OperationError)
    assert make.session.scalar(select(func.count(Goal.id))) == 0


def test_two_hundred_characters_are_fine(make) -> None:
    assert len(new(make.session, make.child(), "y" * 200).text) == 200


def test_at_most_three_open_goals(make) -> None:
    child = make.child()
    goals = [new(make.session, child, f"Mål {i}") for i in range(3)]
    with pytest.raises(GoalError, match="already has 3 open goals"):
        new(make.session, child, "Mål 4")
    set_goal_status(make.session, goal=goals[0], status="achieved")
    fourth = new(make.session, child, "Mål 4")
    with pytest.raises(GoalError, match="already has 3 open goals"):
        set_goal_status(make.session, goal=goals[0], status=GoalStatus.OPEN)
    set_goal_status(make.session, goal=fourth, status="dropped")
    set_goal_status(make.session, goal=goals[0], status="open")
    make.session.commit()
    assert sorted(g.status.value for g in child.goals) == ["dropped", "open", "open", "open"]


def test_other_childrens_goals_do_not_count(make) -> None:
    a, b = make.child(), make.child()
    for i in range(3):
        new(make.session, a, f"A {i}")
    assert new(make.session, b, "B").child_id == b.id


def test_unknown_status(make) -> None:
    goal = new(make.session, make.child())
    with pytest.raises(GoalError) as caught:
        set_goal_status(make.session, goal=goal, status="deleted")
    assert caught.value.field == "status"


def test_edit(make) -> None:
    goal = new(make.session, make.child())
    edit_goal(make.session, goal=goal, text="Komme i skole hver dag", start_rating=5,
              agreed_on=TODAY - timedelta(days=2), today=TODAY)
    assert (goal.text, goal.start_rating) == ("Komme i skole hver dag", 5)
    with pytest.raises(GoalError):
        edit_goal(make.session, goal=goal, text="", start_rating=5, agreed_on=TODAY, today=TODAY)


def test_archived_child_and_foreign_round(make) -> None:
    child, other = make.child(), make.child()
    with pytest.raises(GoalError, match="another programme"):
        new(make.session, child, round_=other.programme.rounds[0])
    child.archived_at = utcnow()
    with pytest.raises(GoalError, match="archived"):
        new(make.session, child)


def test_clean_goal_text_keeps_the_childs_words() -> None:
    assert clean_goal_text("  Jeg vil  <b>læse</b>\x00 😊 ") == "Jeg vil <b>læse</b> 😊"
    assert clean_goal_text("e\u0301") == "é"  # NFC
