"""Realistic answers for the meeting tests, written straight into the models.

Until the child's journey writes them, the sheet tests build completed responses here:
``complete_round(make, child, answers=BASELINE_6_9, hidden={"W3"})``.  The same answer specs
make the plain :class:`kidsvoice.sheet.StoredAnswer` values of the unit tests
(:func:`stored`).

Answer specs mirror what :mod:`kidsvoice.answers` stores: a scored question keeps the option's
score, a choice/cards question its codes, a text question its words, a skipped one ``declined``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from kidsvoice.models import Answer, Child, Goal, Invitation, Response, Round, utcnow
from kidsvoice.sheet import StoredAnswer

Spec = Mapping[str, Any]


def score(n: int) -> Spec:
    return {"status": "answered", "score": n}


def text(words: str) -> Spec:
    return {"status": "answered", "text": words}


def cards(*codes: str, other: str | None = None) -> Spec:
    return {"status": "answered", "choices": list(codes), "text": other}


DECLINED: Spec = {"status": "declined"}
DONT_KNOW: Spec = {"status": "dont_know"}

#: A 6-9-year-old's baseline.  Heard (H1, H2, H4 on 0-2): 1, 2, declined -> 75.
#: Mood (L1 on 0-4, L2, L3 on 0-2): 3, 1, 2 -> 75.  School (S1-S4): 2, 0, 1, 1 -> 50.
#: Relations (R1-R3): 1, 2, 2 -> 83.3.  L4 "worried or sad" = 2 ("Yes, often"): a flag.
BASELINE_6_9: dict[str, Spec] = {
    "W1": text("At mor ikke skal arbejde så meget"),
    "W2": cards("reading", "friends", "other", other="Lære at cykle"),
    "W3": text("Jeg er bange for Kasper i frikvarteret"),
    "H1": score(1),
    "H2": score(2),
    "H4": DECLINED,
    "L1": score(3),
    "L2": score(1),
    "L3": score(2),
    "L4": score(2),
    "S1": score(2),
    "S2": score(0),
    "S3": score(1),
    "S4": score(1),
    "S5": cards("teased", "noise"),
    "R1": score(1),
    "R2": score(2),
    "R3": score(2),
    "R5": score(0),
}

#: The same child at follow-up: Heard 1, 2, 2 -> 83.3 (up 8); Mood 4, 2, 2 -> 100; H5 "A bit".
FOLLOW_UP_6_9: dict[str, Spec] = {
    **BASELINE_6_9,
    "W1": text("Flere venner"),
    "W3": text("Jeg har det bedre nu"),
    "H4": score(2),
    "H5": score(1),
    "L1": score(4),
    "L2": score(2),
    "L4": score(0),
    "G4": text("Min lærer hjalp mig"),
}

#: A 10-16-year-old's baseline: V5 scales 0-4, the ladder 0-10.
BASELINE_10_16: dict[str, Spec] = {
    "W1": text("Jeg vil gerne have mere ro derhjemme"),
    "W2": cards("concentrating", "school_every_day", "sleep"),
    "W3": text("Jeg spiller fodbold og er god til matematik"),
    "W4": text("Fodbold om tirsdagen"),
    "H1": score(2),
    "H2": score(3),
    "H3": score(1),
    "H4": score(4),
    "L1": score(6),
    "L2": score(2),
    "L3": score(1),
    "L4": score(3),
    "S1": score(2),
    "S2": score(1),
    "S3": score(3),
    "S4": score(1),
    "S5": cards("sleep", "rather_home"),
    "R1": score(2),
    "R2": score(3),
    "R3": score(4),
    "R4": score(4),
    "R5": score(1),
}

#: WHO-5 answers (3, 3, 2, 2, 2) -> raw 12, 48 %: "lower well-being".
WHO5_LOW: dict[str, Spec] = {f"WHO5-{i}": score(v) for i, v in enumerate((3, 3, 2, 2, 2), 1)}


def stored(answers: Mapping[str, Spec], hidden: Iterable[str] = ()) -> dict[str, StoredAnswer]:
    """The answers as :class:`StoredAnswer` values (for the pure sheet tests)."""
    keep = set(hidden)
    result = {}
    for key, spec in answers.items():
        goal_id = int(key.removeprefix("goal-")) if key.startswith("goal-") else None
        result[key] = StoredAnswer(
            key=key,
            status=spec["status"],
            score=spec.get("score"),
            choices=tuple(spec.get("choices") or ()),
            text=spec.get("text"),
            goal_id=goal_id,
            hidden=key in keep,
        )
    return result


def complete_round(
    session: Any,
    child: Child,
    round_: Round | None = None,
    *,
    answers: Mapping[str, Spec],
    hidden: Iterable[str] = (),
    variant: str | None = None,
    completed_at: datetime | None = None,
    finished: bool = True,
) -> Response:
    """Write a completed invitation and response with ``answers`` for ``child``'s round."""
    round_ = round_ or child.programme.rounds[0]
    now = completed_at or utcnow()
    variant = variant or child.variant or ("6-9" if now.year - child.birth_year < 10 else "10-16")
    child.variant = child.variant or variant
    invitation = Invitation(
        child=child,
        round=round_,
        secret_hash=hashlib.sha256(f"{child.id}-{round_.id}".encode()).hexdigest(),
        expires_at=now + timedelta(days=30),
        opened_at=now - timedelta(minutes=12),
        completed_at=now if finished else None,
    )
    response = Response(
        invitation=invitation,
        questionnaire_id="kidsvoice-standard",
        questionnaire_version=1,
        variant=variant,
        language="da",
        started_at=now - timedelta(minutes=10),
        completed_at=now if finished else None,
    )
    session.add_all([invitation, response])
    keep = set(hidden)
    for key, spec in answers.items():
        goal_id = int(key.removeprefix("goal-")) if key.startswith("goal-") else None
        session.add(
            Answer(
                response=response,
                question_key=key,
                status=spec["status"],
                score=spec.get("score"),
                choices=spec.get("choices"),
                text=spec.get("text"),
                goal_id=goal_id,
                hidden_from_meeting=key in keep,
            )
        )
    session.flush()
    return response


def add_goal(
    session: Any, child: Child, words: str, start: int, *, round_: Round | None = None,
    status: str = "open", agreed_on: Any = None,
) -> Goal:
    goal = Goal(
        child_id=child.id,
        text=words,
        start_rating=start,
        agreed_on=agreed_on or utcnow().date(),
        status=status,
        round_id=round_.id if round_ is not None else None,
    )
    session.add(goal)
    session.flush()
    return goal
