"""Small programmes with completed baseline and follow-up answers, for the outcome tests.

``add_children(make, programme, 6, seed=3)`` registers six children and writes their answers
straight into the database (``tests.meeting_data.complete_round``): random but deterministic
scores on every index question, a little better at follow-up.  Large programmes come from
``kidsvoice.simulate`` instead.
"""

from __future__ import annotations

import random
from typing import Any

from kidsvoice.models import Child, Programme
from tests.meeting_data import DECLINED, Spec, add_goal, complete_round, score

#: index questions per variant with their number of options (k)
ITEMS = {
    "6-9": {"H1": 3, "H2": 3, "H4": 3, "L1": 5, "L2": 3, "L3": 3, "S1": 3, "S2": 3, "S3": 3,
            "S4": 3, "R1": 3, "R2": 3, "R3": 3},
    "10-16": {"H1": 5, "H2": 5, "H3": 5, "H4": 5, "L1": 11, "L2": 5, "L3": 5, "S1": 5, "S2": 5,
              "S3": 5, "S4": 5, "R1": 3, "R2": 5, "R3": 5, "R4": 5},
}


def answers(rng: random.Random, variant: str, lift: int = 0, skip: float = 0.05) -> dict[str, Spec]:
    result: dict[str, Spec] = {}
    for key, k in ITEMS[variant].items():
        if rng.random() < skip:
            result[key] = DECLINED
            continue
        result[key] = score(max(0, min(k - 1, rng.randrange(k) + lift)))
    return result


def add_children(
    make: Any,
    programme: Programme,
    n: int,
    *,
    seed: int = 1,
    age: int = 8,
    follow_up: bool = True,
    goals: bool = False,
) -> list[Child]:
    """``n`` children of ``age`` with a completed first round and (``follow_up``) second."""
    rng = random.Random(seed)
    baseline, later = programme.rounds[0], programme.rounds[-1]
    children = []
    for i in range(n):
        child = make.child(programme, first_name=f"Barn {i + 1}", age=age)
        variant = "6-9" if age < 10 else "10-16"
        complete_round(make.session, child, baseline, answers=answers(rng, variant),
                       variant=variant)
        if follow_up:
            post = answers(rng, variant, lift=rng.choice((0, 0, 1)))
            if goals:
                goal = add_goal(make.session, child, "Komme i skole hver dag",
                                rng.randint(0, 5), round_=baseline)
                rating = goal.start_rating + rng.randint(-1, 5)
                post[f"goal-{goal.id}"] = score(max(0, min(10, rating)))
            complete_round(make.session, child, later, answers=post, variant=variant)
        children.append(child)
    make.session.flush()
    return children
