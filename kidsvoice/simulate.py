"""``kidsvoice demo --simulate N``: a programme of N simulated children, for the outcome pages
and the benchmarks.  Never for production (the ``demo`` command refuses there).

The programme "Simulation N" has a baseline round ("Før") and a follow-up round ("Efter"), and
its children answered the KidsVoice Standard questionnaire in both age variants:

* each child has a latent well-being (standard normal); every scored answer is that plus item
  noise, cut into the item's options with a mild lean towards the positive end (children tend
  to answer positively); flag items (L4, R5) lean the other way;
* at the follow-up the latent well-being has moved by a modest average improvement (+0.25 SD,
  with a spread of 0.45 SD: some children get worse);
* every question can be skipped: about 4 % of answers are "I'd rather not say", and one child in
  ten skips a lot (20 %), so some indices have "not enough answers";
* about 8 % of the children never answered the follow-up, and 2 % started it without finishing;
* every child who answered the follow-up has one to three goals agreed at the meeting after the
  baseline, with a start rating, rated again at the follow-up (mostly higher, some lower);
* with ``who5=True`` the 10–16-year-olds answer the optional WHO-5 module, which replaces L2–L3.

Deterministic: the same ``seed`` and ``n`` give the same answers (and the same pseudonymous ids;
these children are not real).  Written with bulk inserts, so N = 10,000 takes seconds; the
scores of every completed response are stored with them (:mod:`kidsvoice.stored_scores`), as
finishing a questionnaire does.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .models import (
    Answer,
    Child,
    Goal,
    GoalStatus,
    Invitation,
    Programme,
    Response,
    RoundKind,
    StaffUser,
    StoredScores,
)
from .operations.programmes import create_programme
from .questionnaire import (
    GoalRef,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireRegistry,
    variant_for_age,
)
from .response_scores import available_modules
from .sheet import RoundInput, StoredAnswer
from .stored_scores import row_for

QUESTIONNAIRE: Final = ("kidsvoice-standard", 1)
MEAN_IMPROVEMENT: Final = 0.25
IMPROVEMENT_SD: Final = 0.45
SKIP_RATE: Final = 0.04
HEAVY_SKIP_RATE: Final = 0.20
HEAVY_SKIPPERS: Final = 0.10
NO_FOLLOW_UP: Final = 0.08
UNFINISHED_FOLLOW_UP: Final = 0.02
CHUNK: Final = 5_000

FIRST_NAMES: Final = (
    "Alma", "Noah", "Ida", "William", "Emma", "Oscar", "Freja", "Lucas", "Clara", "Victor",
    "Ella", "Malthe", "Agnes", "Elias", "Karla", "Aksel", "Sofia", "Carl", "Nora", "Emil",
    "Amira", "Yusuf", "Maja", "Alfred", "Liva", "Storm", "Asta", "Magnus", "Luna", "Ali",
)
WORDS: Final = (
    "At der er mere ro i klassen", "Flere venner at lege med", "At mor og far ikke skændes",
    "At jeg kan sove om natten", "Mere tid med min storebror", "At lærerne hjælper mig mere",
    "Jeg vil gerne spille fodbold igen", "At det er lettere at komme op om morgenen",
    "Jeg er god til at tegne", "Jeg kan godt lide at bygge med lego",
)
GOAL_TEXTS: Final = (
    "Komme i skole hver dag", "Have en at være sammen med i frikvarteret", "Sove bedre",
    "Turde sige noget i timerne", "Læse en hel bog selv", "Blive bedre til at regne",
    "Komme til fodbold hver uge", "Sige det til en voksen, når noget er svært",
)


@dataclass(frozen=True)
class SimulationResult:
    programme: Programme
    created: bool
    children: int = 0
    responses: int = 0
    answers: int = 0


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _option_index(rng: random.Random, latent: float, k: int, lean: float = 0.35) -> int:
    """An option 0..k-1 from latent well-being plus item noise, leaning to the positive end."""
    x = latent + rng.gauss(0, 0.9) + lean
    return min(k - 1, int(_phi(x / 1.35) * k))


def _stable_rng(*parts: object) -> random.Random:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def _public_id(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode()


def _answer(
    rng: random.Random, question: Question, latent: float, skip: float
) -> dict[str, Any] | None:
    """One stored answer (status, score, choices, text), or None for a text left empty."""
    if rng.random() < skip:
        return {"status": "declined"}
    kind = question.kind
    if kind is QuestionKind.TEXT:
        if rng.random() < 0.35:
            return {"status": "declined"}
        return {"status": "answered", "text": rng.choice(WORDS)}
    if kind is QuestionKind.CARDS:
        codes = [o.code for o in question.options if o.code != question.other_option]
        chosen = set(rng.sample(codes, rng.randint(1, min(3, question.max_choices or 3))))
        return {"status": "answered",
                "choices": [o.code for o in question.options if o.code in chosen]}
    if kind is QuestionKind.LADDER:
        value = round(6 + 1.8 * latent + rng.gauss(0, 1.2))
        return {"status": "answered", "score": max(0, min(10, value))}
    scored = [o for o in question.options if o.score is not None]
    if question.key == "H5":  # "have the adults done something?": a few don't know
        if rng.random() < 0.12:
            return {"status": "dont_know"}
    lean = -0.6 if question.flag else 0.35
    direction = -1 if question.flag else 1
    index = _option_index(rng, direction * latent, len(scored), lean=direction * lean)
    return {"status": "answered", "score": scored[index].score}


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 420))


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _insert_returning_ids(
    session: Session, model: type, rows: Sequence[dict[str, Any]]
) -> list[int]:
    ids: list[int] = []
    for chunk in _chunks(rows):
        ids.extend(session.scalars(
            insert(model).returning(model.id, sort_by_parameter_order=True),  # type: ignore[attr-defined]
            list(chunk),
        ).all())
    return ids


def simulate(
    session: Session,
    *,
    n: int,
    registry: QuestionnaireRegistry,
    today: date,
    seed: int = 1,
    who5: bool = False,
    staff: Sequence[StaffUser] = (),
    name: str | None = None,
) -> SimulationResult:
    """Add the programme ``name`` (default "Simulation ``n``") with ``n`` simulated children.

    Idempotent by name: a programme of that name already there is returned unchanged.
    """
    if n < 1:
        raise ValueError("simulate at least one child")
    name = name or f"Simulation {n}"
    existing = session.scalar(select(Programme).where(Programme.name == name))
    if existing is not None:
        return SimulationResult(existing, created=False)
    questionnaire: Questionnaire = registry.get(*QUESTIONNAIRE)
    modules = [registry.latest("who5")] if who5 else []
    baseline_day = today - timedelta(days=200)
    follow_up_day = today - timedelta(days=20)
    programme = create_programme(
        session, name=name,
        rounds=[(RoundKind.BASELINE, "Før", baseline_day),
                (RoundKind.FOLLOW_UP, "Efter", follow_up_day)],
        questionnaire_id=questionnaire.id, questionnaire_version=questionnaire.version,
    )
    for member in staff:
        programme.staff.append(member)
    session.flush()
    baseline, follow_up = programme.rounds
    rng = random.Random(seed * 1_000_003 + n)
    ids = _stable_rng("simulation", seed, n)

    # ---- children
    children = []
    for i in range(n):
        age = rng.randint(6, 16)
        latent = rng.gauss(0, 1)
        children.append({
            "age": age,
            "variant": variant_for_age(age),
            "latent": latent,
            "improvement": rng.gauss(MEAN_IMPROVEMENT, IMPROVEMENT_SD),
            "skip": HEAVY_SKIP_RATE if rng.random() < HEAVY_SKIPPERS else SKIP_RATE,
            "follow_up": rng.random() >= NO_FOLLOW_UP,
            "finished": rng.random() >= UNFINISHED_FOLLOW_UP,
            "row": {
                "public_id": _public_id(ids),
                "programme_id": programme.id,
                "first_name": f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {i + 1}",
                "birth_year": today.year - age,
                "language": "da" if rng.random() < 0.9 else "en",
                "variant": variant_for_age(age),
                "created_at": _at(baseline_day - timedelta(days=14), rng),
            },
        })
    child_ids = _insert_returning_ids(session, Child, [c["row"] for c in children])

    # ---- goals (agreed at the meeting after the baseline)
    goal_rows, goal_owner = [], []
    for child_id, child in zip(child_ids, children, strict=True):
        if not child["follow_up"]:
            continue
        for text in rng.sample(GOAL_TEXTS, rng.choices((1, 2, 3), weights=(3, 4.5, 2.5))[0]):
            goal_rows.append({
                "child_id": child_id, "text": text, "start_rating": rng.randint(0, 6),
                "agreed_on": baseline_day + timedelta(days=10), "status": GoalStatus.OPEN.value,
                "round_id": baseline.id, "created_at": _at(baseline_day + timedelta(days=10), rng),
            })
            goal_owner.append(child_id)
    goal_ids = _insert_returning_ids(session, Goal, goal_rows)
    goals_of: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for goal_id, owner, row in zip(goal_ids, goal_owner, goal_rows, strict=True):
        goals_of.setdefault(owner, []).append((goal_id, row))

    # ---- invitations and responses
    invitation_rows, response_meta = [], []
    for child_id, child in zip(child_ids, children, strict=True):
        rounds = [(baseline, baseline_day, 0.0, True)]
        if child["follow_up"]:
            rounds.append((follow_up, follow_up_day, child["improvement"], child["finished"]))
        for rnd, day, shift, finished in rounds:
            started = _at(day + timedelta(days=rng.randint(0, 10)), rng)
            completed = started + timedelta(minutes=rng.randint(6, 25)) if finished else None
            invitation_rows.append({
                "public_id": _public_id(ids),
                "secret_hash": hashlib.sha256(ids.getrandbits(128).to_bytes(16, "big")).hexdigest(),
                "child_id": child_id, "round_id": rnd.id,
                "created_at": started - timedelta(days=3),
                "expires_at": started + timedelta(days=27),
                "opened_at": started, "completed_at": completed, "short_code_failures": 0,
            })
            response_meta.append((child_id, child, rnd, started, completed, shift))
    invitation_ids = _insert_returning_ids(session, Invitation, invitation_rows)
    response_rows = [
        {"invitation_id": invitation_id, "questionnaire_id": questionnaire.id,
         "questionnaire_version": questionnaire.version, "variant": child["variant"],
         "language": child["row"]["language"], "started_at": started, "completed_at": completed}
        for invitation_id, (_, child, _, started, completed, _) in zip(
            invitation_ids, response_meta, strict=True)
    ]
    response_ids = _insert_returning_ids(session, Response, response_rows)

    # ---- answers, and the scores of every completed response (kidsvoice.stored_scores)
    answer_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    available = available_modules(registry)
    for response_id, (child_id, child, rnd, started, completed, shift) in zip(
        response_ids, response_meta, strict=True
    ):
        kind = "baseline" if rnd.kind == RoundKind.BASELINE else "follow_up"
        goals = goals_of.get(child_id, []) if kind != "baseline" else []
        steps = questionnaire.steps(
            child["variant"], kind,
            [GoalRef(goal_id, row["text"]) for goal_id, row in goals],
            [m for m in modules if child["variant"] == "10-16"],
        )
        if completed is None:  # stopped part-way
            steps = steps[: rng.randint(1, max(1, len(steps) - 1))]
        latent = child["latent"] + shift
        moment = started
        first_answer = len(answer_rows)
        for question in steps:
            moment += timedelta(seconds=rng.randint(8, 40))
            if question.kind is QuestionKind.GOAL:
                goal_id = int(question.key.removeprefix("goal-"))
                start = next(row["start_rating"] for gid, row in goals if gid == goal_id)
                value: dict[str, Any] | None
                if rng.random() < child["skip"]:
                    value = {"status": "declined"}
                else:
                    # children who improved more also rate their goals higher
                    lift = 2 * (child["improvement"] - MEAN_IMPROVEMENT)
                    change = round(rng.gauss(2.2 + lift, 2.3))
                    value = {"status": "answered", "score": max(0, min(10, start + change))}
                goal_ref = goal_id
            else:
                value = _answer(rng, question, latent, child["skip"])
                goal_ref = None
            if value is None:
                continue
            answer_rows.append({
                "response_id": response_id, "question_key": question.key,
                "status": value["status"], "score": value.get("score"),
                "choices": value.get("choices"), "text": value.get("text"), "goal_id": goal_ref,
                "hidden_from_meeting": False, "answered_at": moment, "updated_at": moment,
            })
        if completed is not None:
            stored = {
                row["question_key"]: StoredAnswer(
                    key=row["question_key"], status=row["status"], score=row["score"],
                    choices=tuple(row["choices"] or ()) if row["score"] is None else (),
                )
                for row in answer_rows[first_answer:]
            }
            score_rows.append(row_for(response_id, RoundInput(
                round_id=rnd.id, position=rnd.position, kind=kind, label=rnd.label,
                variant=child["variant"], questionnaire=questionnaire, answers=stored,
                modules=available,
            )))
    for chunk in _chunks(answer_rows):
        session.execute(insert(Answer), list(chunk))
    for chunk in _chunks(score_rows):
        session.execute(insert(StoredScores), list(chunk))
    session.flush()
    return SimulationResult(programme, True, n, len(response_rows), len(answer_rows))
