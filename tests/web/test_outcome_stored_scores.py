"""Stored scores (kidsvoice.stored_scores): what is stored equals what scoring the answers gives,
finishing a questionnaire stores it, missing or stale rows are scored again (and stored when
the caller may write), and purging or erasing deletes them with the response."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from kidsvoice.models import Response, StoredScores, utcnow
from kidsvoice.operations.answers import finish
from kidsvoice.operations.retention import erase_child, purge
from kidsvoice.outcome_data import load_scored_responses, programme_outcomes
from kidsvoice.response_scores import SCORING_VERSION, decode, encode, score_response
from kidsvoice.simulate import simulate
from tests.meeting_data import DECLINED, complete_round, score
from tests.outcomes_data import add_children, answers


def _registry(app: Any) -> Any:
    return app.extensions["kidsvoice.questionnaires"]


def _load(app: Any, session: Any, programme: Any, **kw: Any) -> list[Any]:
    rounds = [r.id for r in programme.rounds]
    return load_scored_responses(session, programme.id, rounds, _registry(app), **kw)


def _stored(session: Any) -> dict[int, StoredScores]:
    return {row.response_id: row for row in session.scalars(select(StoredScores))}


def test_simulated_scores_are_stored_and_equal_scoring_the_answers(app: Any, session: Any) -> None:
    result = simulate(session, n=80, registry=_registry(app), today=date(2027, 6, 1), who5=True)
    session.commit()
    programme = result.programme
    completed = session.scalar(
        select(func.count(Response.id)).where(Response.completed_at.is_not(None)))
    stored = _stored(session)
    assert len(stored) == completed > 100
    assert {row.scoring_version for row in stored.values()} == {SCORING_VERSION}

    from_stored = _load(app, session, programme)
    session.execute(delete(StoredScores))
    session.commit()
    from_answers = _load(app, session, programme)  # the answers, scored as before
    assert from_stored == from_answers
    assert len(from_stored) == completed
    # every form was there: WHO-5 and the ladder (10-16), indices of both variants
    forms = {f for r in from_stored for f in r.scores.forms.values()}
    assert {"6-9", "10-16", "10-16+who5"} <= forms
    assert any(r.goal_ratings for r in from_stored)


def test_encode_decode_round_trip_is_exact() -> None:
    from kidsvoice.response_scores import IndexItems, ResponseScores

    scores = ResponseScores(
        {"heard": 200 / 3, "mood": None, "ladder": 7.0},
        {"heard": "10-16", "mood": "10-16+who5", "ladder": "10-16"},
        {"heard": IndexItems(("H1", "H2", "H3"), (100 / 3, None, 0.1 + 0.2)),
         "mood": IndexItems(("WHO5-1", "WHO5-2"), (None, None))},
    )
    decoded, ratings = decode(encode(scores, {12: 7, 3: 0}))
    assert decoded == scores
    assert decoded.items["heard"].percents[2] == 0.1 + 0.2
    assert ratings == {3: 0, 12: 7}
    assert decode(encode(ResponseScores({}, {}, {}), {})) == (ResponseScores({}, {}, {}), {})


def test_finishing_a_questionnaire_stores_its_scores(app: Any, make: Any) -> None:
    programme = make.programme("Afslut")
    child = make.child(programme, first_name="Ida", age=8)
    import random

    response = complete_round(make.session, child, programme.rounds[0],
                              answers=answers(random.Random(5), "6-9"), finished=False)
    make.session.commit()
    registry = _registry(app)
    questionnaire = registry.get("kidsvoice-standard", 1)
    steps = questionnaire.steps("6-9", "baseline", [])
    finish(make.session, response=response, hidden_keys=(), steps=steps, registry=registry)
    make.session.commit()
    row = make.session.get(StoredScores, response.id)
    assert row is not None
    assert row.scoring_version == SCORING_VERSION
    [loaded] = _load(app, make.session, programme)
    make.session.execute(delete(StoredScores))
    make.session.commit()
    [computed] = _load(app, make.session, programme)
    assert decode(row.data)[0] == loaded.scores == computed.scores
    assert loaded.scores.scores["school"] is not None


def test_missing_and_stale_scores_are_scored_again_and_stored(app: Any, make: Any) -> None:
    programme = make.programme("Gammel")
    add_children(make, programme, 6, seed=2, goals=True)
    make.session.commit()
    registry, db = _registry(app), app.extensions["kidsvoice.db"]
    # rows written straight into the database (as before migration 0005): none stored
    assert _stored(make.session) == {}
    expected = programme_outcomes(make.session, programme, registry)
    assert _stored(make.session) == {}  # without ``write`` nothing is stored
    assert programme_outcomes(make.session, programme, registry, write=db.transaction) == expected
    make.session.rollback()
    stored = _stored(make.session)
    assert len(stored) == 12
    # a row of an older scoring version, one of another basis, one that is wrong
    first, second, third = sorted(stored)[:3]
    make.session.execute(update(StoredScores).where(StoredScores.response_id == first)
                         .values(scoring_version=SCORING_VERSION - 1, data="heard [0.0,\"6-9\"]"))
    make.session.execute(update(StoredScores).where(StoredScores.response_id == second)
                         .values(basis="0" * 64, data="heard [0.0,\"6-9\"]"))
    make.session.commit()
    assert programme_outcomes(make.session, programme, registry, write=db.transaction) == expected
    make.session.rollback()
    again = _stored(make.session)
    assert again[first].scoring_version == SCORING_VERSION
    assert again[first].data == stored[first].data
    assert again[second].basis == stored[second].basis
    assert again[third].data == stored[third].data


def test_scores_of_a_new_answer_pattern_match_score_response(app: Any, make: Any) -> None:
    """A response with declined answers and a goal: the stored row is score_response's."""
    programme = make.programme("Mønster")
    child = make.child(programme, first_name="Noah", age=12)
    complete_round(make.session, child, programme.rounds[0],
                   answers={"H1": score(4), "H2": DECLINED, "H3": score(0), "L1": score(9)},
                   variant="10-16")
    make.session.commit()
    db = app.extensions["kidsvoice.db"]
    [loaded] = _load(app, make.session, programme, write=db.transaction)
    make.session.rollback()
    row = make.session.scalar(select(StoredScores))
    assert decode(row.data) == (loaded.scores, {})
    assert loaded.scores.scores["heard"] is not None


def test_purge_and_erasure_delete_stored_scores(app: Any, make: Any) -> None:
    programme = make.programme("Slet")
    children = add_children(make, programme, 5, seed=1)
    make.session.commit()
    db = app.extensions["kidsvoice.db"]
    _load(app, make.session, programme, write=db.transaction)
    make.session.rollback()
    assert len(_stored(make.session)) == 10
    erase_child(make.session, child=children[0], actor_label="test")
    make.session.commit()
    assert len(_stored(make.session)) == 8
    programme.retention_days = 1
    make.session.commit()
    purge(make.session, now=utcnow() + timedelta(days=2))
    make.session.commit()
    assert _stored(make.session) == {}
    assert score_response  # the module's scorer is what the rows hold (see the first test)
