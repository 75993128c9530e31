"""kidsvoice.outcome_data against the database: what counts as a pair, goals, reliability
sources, a fixed number of queries whatever the size, and ``demo --simulate``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select

from kidsvoice.models import Answer, Child, Programme, Response, RoundKind, utcnow
from kidsvoice.outcome_data import default_pair, programme_outcomes, round_infos
from kidsvoice.simulate import simulate
from tests.meeting_data import add_goal, complete_round, score
from tests.outcomes_data import add_children, answers


def _outcomes(app: Any, session: Any, programme: Programme, **kw: Any) -> Any:
    return programme_outcomes(session, programme, app.extensions["kidsvoice.questionnaires"], **kw)


def test_only_completed_same_variant_pairs_count(app: Any, make: Any) -> None:
    import random

    programme = make.programme("Par")
    add_children(make, programme, 5, seed=1)
    rng = random.Random(2)
    # a sixth child who changed variant between the rounds: not a pair
    moved = make.child(programme, first_name="Flyttet", age=9)
    complete_round(make.session, moved, programme.rounds[0], answers=answers(rng, "6-9"),
                   variant="6-9")
    complete_round(make.session, moved, programme.rounds[1], answers=answers(rng, "10-16"),
                   variant="10-16")
    # a seventh who has not finished the follow-up: not a pair either
    unfinished = make.child(programme, first_name="Halv", age=8)
    complete_round(make.session, unfinished, programme.rounds[0], answers=answers(rng, "6-9"))
    complete_round(make.session, unfinished, programme.rounds[1], answers=answers(rng, "6-9"),
                   finished=False)
    make.session.commit()
    result = _outcomes(app, make.session, programme)
    assert result.indices["school"].summary.n == 5
    assert {p.child for p in result.indices["school"].pairs} == {
        c.public_id for c in programme.children if c.first_name.startswith("Barn")}


def test_archived_children_still_count(app: Any, make: Any) -> None:
    programme = make.programme("Arkiv")
    children = add_children(make, programme, 5, seed=1)
    children[0].archived_at = utcnow()
    make.session.commit()
    assert _outcomes(app, make.session, programme).indices["school"].summary.n == 5


def test_round_pairs_and_names() -> None:
    class R:  # a Round without the database
        def __init__(self, id: int, position: int, kind: str, label: str) -> None:
            self.id, self.position, self.kind, self.label = id, position, kind, label

    rounds = round_infos([R(3, 3, "follow_up", "Efter"), R(1, 1, "baseline", "Før"),
                          R(2, 2, "check_in", "Efter")])
    assert [r.name for r in rounds] == ["Før", "Efter (2)", "Efter (3)"]
    baseline, follow_up = default_pair(rounds)
    assert (baseline.id, follow_up.id) == (1, 3)
    assert default_pair(round_infos([R(1, 1, "baseline", "Før")])) == (rounds[0], None)
    assert default_pair([]) == (None, None)


def test_bad_round_pairs_are_refused(app: Any, make: Any) -> None:
    programme = make.programme("Runder")
    other = make.programme("Andet")
    make.session.commit()
    first, second = programme.rounds
    with pytest.raises(ValueError, match="before"):
        _outcomes(app, make.session, programme, baseline_id=second.id, follow_up_id=first.id)
    with pytest.raises(ValueError, match="not in this programme"):
        _outcomes(app, make.session, programme, baseline_id=other.rounds[0].id)
    with pytest.raises(ValueError, match="age band"):
        _outcomes(app, make.session, programme, band="7-8")


def test_goals_rated_at_follow_up_against_their_start(app: Any, make: Any) -> None:
    programme = make.programme("Mål", rounds=[
        (RoundKind.BASELINE, "Før", None), (RoundKind.CHECK_IN, "Midt", None),
        (RoundKind.FOLLOW_UP, "Efter", None)])
    baseline, middle, follow_up = programme.rounds
    expected = []
    for i in range(6):
        child = make.child(programme, first_name=f"Barn {i}", age=8)
        complete_round(make.session, child, baseline, answers={"H1": score(1)})
        goal = add_goal(make.session, child, "Sove bedre", i, round_=baseline)
        late = add_goal(make.session, child, "Nyt mål", 2, round_=follow_up)  # agreed after
        post = {"H1": score(2), f"goal-{goal.id}": score(min(10, i + 3 - (i % 2) * 4)),
                f"goal-{late.id}": score(9)}
        if i == 5:
            post[f"goal-{goal.id}"] = {"status": "declined"}  # skipped: not a rating
        else:
            expected.append(min(10, i + 3 - (i % 2) * 4) - i)
        complete_round(make.session, child, follow_up, answers=post)
    make.session.commit()
    goals = _outcomes(app, make.session, programme).goals
    assert goals.children == 5
    assert goals.summary.n == 5
    assert sorted(goals.changes) == sorted(expected)
    assert goals.summary.share_improved_3 == sum(c >= 3 for c in expected) / 5
    # comparing the baseline with the check-in: no goal was rated there
    assert _outcomes(app, make.session, programme, follow_up_id=middle.id).goals.summary.suppressed


def test_reliability_is_pooled_from_30_baselines(app: Any, make: Any) -> None:
    small = make.programme("Lille")
    add_children(make, small, 12, seed=1)
    make.session.commit()
    summary = _outcomes(app, make.session, small).indices["school"]
    assert summary.summary.reliably_improved is None
    assert summary.reliability[0].params is None
    assert summary.reliability[0].complete_baselines <= 12

    result = simulate(make.session, n=90, registry=app.extensions["kidsvoice.questionnaires"],
                      today=date.today(), seed=4)
    make.session.commit()
    outcome = _outcomes(app, make.session, result.programme, band="6-9").indices["school"]
    (form,) = outcome.reliability
    assert form.form == "6-9"
    assert form.complete_baselines >= 30
    assert form.params is not None
    assert form.params.source == "pooled"
    assert 0 < form.params.r < 1
    assert outcome.summary.reliably_improved is not None
    assert outcome.summary.reliability_source == "pooled"


def test_a_fixed_number_of_queries_whatever_the_size(app: Any, make: Any) -> None:
    small, large = make.programme("Få"), make.programme("Mange")
    add_children(make, small, 5, seed=1, goals=True)
    add_children(make, large, 40, seed=2, goals=True)
    make.session.commit()
    engine = app.extensions["kidsvoice.db"].engine
    counts = []
    for programme in (small, large):
        statements: list[str] = []

        def count(*args: Any, statements: list[str] = statements) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            make.session.commit()  # each run begins a transaction, reloads the programme
            _outcomes(app, make.session, programme)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    # BEGIN, the programme, its rounds, responses, answers, goals
    assert counts[0] == counts[1] <= 6


def test_demo_simulate_is_deterministic_idempotent_and_plausible(
    app: Any, make: Any, runner: Any
) -> None:
    registry = app.extensions["kidsvoice.questionnaires"]

    first = simulate(make.session, n=50, registry=registry, today=date(2027, 6, 1), seed=5,
                     who5=True)
    rows_first = _answer_rows(make.session, first.programme)
    make.session.rollback()
    second = simulate(make.session, n=50, registry=registry, today=date(2027, 6, 1), seed=5,
                      who5=True)
    assert _answer_rows(make.session, second.programme) == rows_first
    make.session.rollback()
    other = simulate(make.session, n=50, registry=registry, today=date(2027, 6, 1), seed=6)
    assert _answer_rows(make.session, other.programme) != rows_first
    make.session.rollback()

    result = runner.invoke(args=["demo", "--simulate", "60", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "Added 'Simulation 60': 60 simulated children" in result.output
    again = runner.invoke(args=["demo", "--simulate", "60", "--seed", "2"])
    assert "exists already" in again.output
    programme = make.session.scalar(select(Programme).where(Programme.name == "Simulation 60"))
    assert make.session.scalar(
        select(func.count(Child.id)).where(Child.programme_id == programme.id)) == 60
    assert {u.email for u in programme.staff} == {
        "koordinator@demo.kidsvoice.dk", "evaluator@demo.kidsvoice.dk"}
    outcome = _outcomes(app, make.session, programme)
    school = outcome.indices["school"].summary
    assert 40 <= school.n <= 58  # a few without follow-up, a few skipped too much
    variants = {c.variant for c in programme.children}
    assert variants == {"6-9", "10-16"}
    declined = make.session.scalar(select(func.count(Answer.id)).where(Answer.status == "declined"))
    assert declined > 0
    assert outcome.goals.summary.n is not None
    assert outcome.goals.summary.n >= outcome.goals.children


def _answer_rows(session: Any, programme: Programme) -> list[tuple[Any, ...]]:
    """Every answer as (child, round position, question, status, score); goal keys without
    their database id (ids are not reused on PostgreSQL after a rollback)."""
    from kidsvoice.models import Invitation, Round

    rows = session.execute(
        select(Child.public_id, Round.position, Answer.question_key, Answer.status, Answer.score)
        .join(Invitation, Invitation.child_id == Child.id)
        .join(Round, Round.id == Invitation.round_id)
        .join(Response, Response.invitation_id == Invitation.id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Child.programme_id == programme.id)
    ).all()
    return sorted(
        (c, p, "goal" if k.startswith("goal-") else k, str(st), sc) for c, p, k, st, sc in rows
    )
