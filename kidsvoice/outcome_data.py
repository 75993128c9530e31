"""Outcomes of a programme from the database: load, score, pair, summarise (INSTRUMENT.md §5–7).

Used by the evaluator's pages (:mod:`kidsvoice.evaluation`), ``kidsvoice outcomes`` and
``kidsvoice export``.  No Flask: callers pass a session, the questionnaire registry and the
configured reliability parameters.

How the numbers are made:

* **Loading.**  Only *completed* responses count.  One query reads the responses of the chosen
  rounds, one more their answers (only the questions a measure or a goal uses, and no free
  text), one more the programme's goals — a few queries whatever the number of children.
  Archived children count: their answers were given while they were in the programme.
* **Scoring** reuses the answer sheet's rules through
  :func:`kidsvoice.response_scores.score_response`.
* **Pairs.**  A child counts for a measure when both rounds have a score for it in the same
  age variant, the same questionnaire version and the same form (WHO-5 on in both or in
  neither, see :mod:`kidsvoice.response_scores`).  The age-band filter keeps children whose
  responses are in that variant.
* **Reliable change** (Jacobson & Truax): per measure and form, the parameters configured in
  ``kidsvoice/data/reliability.toml`` (shipped empty) win; else s1 and Cronbach's α pooled from
  the completed responses of the chosen *baseline* round of that form, once there are ≥ 30
  complete ones (all children of the round, whatever the age-band filter: a form has one
  variant anyway); else "too few answers to judge reliable change".  Each child is classified
  with the parameters of their own form; when some form has none, the counts are None.
* **Goals**: for every goal rated (answered, not kept back) in the follow-up round and agreed
  before it: change = that rating − the start rating given at the meeting.  Median change and the
  share improved by ≥ 3 over all such goals; suppressed when the goals belong to fewer than 5
  children (not goals: several goals of one child are not several children).
* **Suppression**: a measure with fewer than 5 pairs shows no figure (``outcomes.summarise``);
  the pairs behind a suppressed summary are dropped here, so no page can chart them.
* **Export**: one row per child per completed round; a round of a programme answered by fewer
  than 5 children is left out (reported to the caller), so a programme with fewer than 5
  children exports no rows at all.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import String, Text, cast, or_, select, type_coerce
from sqlalchemy.orm import Session

from .models import Answer, Child, Goal, Invitation, Programme, Response, Round, RoundKind
from .outcomes import (
    MIN_GROUP,
    MIN_POOLED_BASELINES,
    GoalSummary,
    IndexSummary,
    Pair,
    ReliabilityParams,
    classify,
    pair_scores,
    pooled_params,
    rci,
    summarise,
    summarise_goals,
)
from .questionnaire import GOAL_KEY_PREFIX, QuestionKind, Questionnaire, QuestionnaireRegistry
from .reliability import ReliabilityKey
from .response_scores import MEASURES, WHO5_PREFIX, ResponseScores, score_response
from .scoring import GOAL_MAX, GOAL_MIN
from .sheet import RoundInput, StoredAnswer

__all__ = [
    "AGE_BANDS",
    "MEASURES",
    "ExportResult",
    "GoalOutcome",
    "IndexOutcome",
    "ProgrammeOutcomes",
    "RoundInfo",
    "ScoredResponse",
    "default_pair",
    "export_rows",
    "load_scored_responses",
    "programme_outcomes",
    "round_infos",
]

AgeBand = Literal["all", "6-9", "10-16"]
AGE_BANDS: Final[tuple[AgeBand, ...]] = ("all", "6-9", "10-16")

#: Maximum of each measure's scale (indices and WHO-5 0–100, the ladder 0–10).
SCALE_MAX: Final = {"heard": 100, "mood": 100, "school": 100, "relations": 100,
                    "ladder": 10, "who5": 100}


# --------------------------------------------------------------------------- rounds


@dataclass(frozen=True, slots=True)
class RoundInfo:
    """A round of a programme; ``name`` is its label, made unique within the programme."""

    id: int
    position: int
    kind: str
    label: str
    name: str


def round_infos(rounds: Iterable[Round]) -> list[RoundInfo]:
    """The rounds in programme order.  Two rounds with the same label are told apart by their
    position: ``"Efter (3)"``.  ``name`` is what the JSON and the CSV call the round."""
    ordered = sorted(rounds, key=lambda r: r.position)
    counts: dict[str, int] = defaultdict(int)
    for r in ordered:
        counts[r.label] += 1
    return [
        RoundInfo(
            r.id, r.position, str(r.kind), r.label,
            r.label if counts[r.label] == 1 else f"{r.label} ({r.position})",
        )
        for r in ordered
    ]


def default_pair(rounds: Sequence[RoundInfo]) -> tuple[RoundInfo | None, RoundInfo | None]:
    """Baseline: the first baseline round (else the first round).  Follow-up: the last
    follow-up round after it (else the last round after it); None when there is none."""
    if not rounds:
        return None, None
    baseline = next((r for r in rounds if r.kind == RoundKind.BASELINE), rounds[0])
    later = [r for r in rounds if r.position > baseline.position]
    follow_ups = [r for r in later if r.kind == RoundKind.FOLLOW_UP]
    follow_up = (follow_ups or later or [None])[-1]
    return baseline, follow_up


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True, slots=True)
class ScoredResponse:
    """One child's completed response in one round, scored."""

    response_id: int
    child_id: int
    child: str  # the child's pseudonymous public id
    round_id: int
    variant: str
    questionnaire: tuple[str, int]
    scores: ResponseScores
    #: goal id → the child's rating in this round (answered and not kept back only)
    goal_ratings: Mapping[int, int] = field(default_factory=dict)


def _modules(registry: QuestionnaireRegistry) -> tuple[Questionnaire, ...]:
    newest: dict[str, Questionnaire] = {}
    for q in registry:
        if q.module and (q.id not in newest or q.version > newest[q.id].version):
            newest[q.id] = q
    return tuple(newest.values())


def _measure_keys(registry: QuestionnaireRegistry) -> list[str]:
    """Question keys any measure is built from (in any questionnaire of the registry)."""
    return sorted({
        q.key
        for questionnaire in registry
        for q in questionnaire.questions
        if q.index is not None or q.kind is QuestionKind.LADDER or q.key.startswith(WHO5_PREFIX)
    })


def load_scored_responses(
    session: Session,
    programme_id: int,
    round_ids: Sequence[int],
    registry: QuestionnaireRegistry,
) -> list[ScoredResponse]:
    """Every completed response of the programme's children in ``round_ids``, scored.

    Two queries (responses, then their answers), whatever the number of children.
    """
    if not round_ids:
        return []
    where = (
        Child.programme_id == programme_id,
        Invitation.round_id.in_(list(round_ids)),
        Response.completed_at.is_not(None),
    )
    rows = session.execute(
        select(
            Response.id, Response.variant, Response.questionnaire_id,
            Response.questionnaire_version, Invitation.round_id, Child.id, Child.public_id,
            Round.position, type_coerce(Round.kind, String), Round.label,
        )
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Child, Invitation.child_id == Child.id)
        .join(Round, Invitation.round_id == Round.id)
        .where(*where)
        .order_by(Round.position, Child.public_id)
    ).all()
    if not rows:
        return []
    answers: dict[int, dict[str, StoredAnswer]] = defaultdict(dict)
    keys = _measure_keys(registry)
    answer_rows = session.execute(
        select(
            Answer.response_id, Answer.question_key, type_coerce(Answer.status, String),
            Answer.score,
            # as text: decoded only where it matters (a scored answer keeps its score)
            cast(Answer.choices, Text), Answer.hidden_from_meeting,
        )
        .join(Response, Answer.response_id == Response.id)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Child, Invitation.child_id == Child.id)
        .where(*where)
        .where(or_(Answer.question_key.in_(keys),
                   Answer.question_key.startswith(GOAL_KEY_PREFIX, autoescape=True)))
    )
    # Children give the same answers again and again: one StoredAnswer per distinct answer.
    distinct: dict[tuple[Any, ...], StoredAnswer] = {}
    for response_id, key, status, score, choices, hidden in answer_rows:
        raw = (key, status, score, None if score is not None else choices, hidden)
        answer = distinct.get(raw)
        if answer is None:
            answer = distinct[raw] = StoredAnswer(
                key=key, status=status, score=score,
                choices=_choices(choices) if score is None else (), hidden=bool(hidden),
            )
        answers[response_id][key] = answer
    modules = _modules(registry)
    result = []
    for (response_id, variant, qid, version, round_id, child_id, public_id, position, kind,
         label) in rows:
        stored = answers.get(response_id, {})
        rnd = RoundInput(
            round_id=round_id, position=position, kind=str(kind), label=label, variant=variant,
            questionnaire=registry.get(qid, version), answers=stored, modules=modules,
        )
        result.append(ScoredResponse(
            response_id=response_id, child_id=child_id, child=public_id, round_id=round_id,
            variant=variant, questionnaire=(qid, version), scores=score_response(rnd),
            goal_ratings=_goal_ratings(stored),
        ))
    return result


def _choices(raw: str | None) -> tuple[str, ...]:
    if not raw or raw == "null":
        return ()
    value = json.loads(raw)
    return tuple(value) if isinstance(value, list) else ()


def _goal_ratings(answers: Mapping[str, StoredAnswer]) -> dict[int, int]:
    ratings = {}
    for key, answer in answers.items():
        rest = key.removeprefix(GOAL_KEY_PREFIX)
        if key == rest or not rest.isdigit() or answer.hidden:
            continue
        if answer.status == "answered" and answer.score is not None:
            if not GOAL_MIN <= answer.score <= GOAL_MAX:
                raise ValueError(f"goal rating {answer.score} outside 0–10")
            ratings[int(rest)] = answer.score
    return ratings


@dataclass(frozen=True, slots=True)
class _GoalRow:
    id: int
    child_id: int
    start_rating: int
    round_position: int | None


def _load_goals(session: Session, programme_id: int) -> list[_GoalRow]:
    rows = session.execute(
        select(Goal.id, Goal.child_id, Goal.start_rating, Round.position)
        .join(Child, Goal.child_id == Child.id)
        .outerjoin(Round, Goal.round_id == Round.id)
        .where(Child.programme_id == programme_id)
    )
    return [_GoalRow(*row) for row in rows]


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True, slots=True)
class FormReliability:
    """Reliable-change parameters of one form of a measure, or None ("too few answers")."""

    form: str
    params: ReliabilityParams | None
    #: complete baselines of this form in the baseline round (what pooling would use)
    complete_baselines: int


@dataclass(frozen=True, slots=True)
class IndexOutcome:
    """One measure of one programme: the §7 summary and, when shown, the pairs behind it."""

    measure: str
    summary: IndexSummary
    #: the pairs (empty when suppressed: nothing of a group under 5 leaves this module)
    pairs: tuple[Pair, ...]
    reliability: tuple[FormReliability, ...]
    #: whether any response in the chosen rounds and age band has this measure at all
    asked: bool

    @property
    def suppressed(self) -> bool:
        return self.summary.suppressed

    @property
    def reliability_judged(self) -> bool:
        return self.summary.reliably_improved is not None


@dataclass(frozen=True, slots=True)
class GoalOutcome:
    summary: GoalSummary
    #: children with at least one rated goal (None when suppressed)
    children: int | None
    changes: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {**self.summary.as_dict(), "children": self.children}


@dataclass(frozen=True, slots=True)
class ProgrammeOutcomes:
    programme: str
    programme_id: int
    rounds: tuple[RoundInfo, ...]
    baseline: RoundInfo | None
    follow_up: RoundInfo | None
    age_band: AgeBand
    indices: Mapping[str, IndexOutcome]
    goals: GoalOutcome

    def as_json(self) -> dict[str, Any]:
        """The object ``kidsvoice outcomes --json`` prints (keys as the issue specifies)."""
        return {
            "programme": self.programme,
            "baseline": None if self.baseline is None else self.baseline.name,
            "follow_up": None if self.follow_up is None else self.follow_up.name,
            "indices": {name: self.indices[name].summary.as_dict() for name in MEASURES},
            "goals": self.goals.as_dict(),
        }


def _in_band(variant: str, band: AgeBand) -> bool:
    return band == "all" or variant == band


def _pair_key(response: ScoredResponse, measure: str) -> str:
    qid, version = response.questionnaire
    return f"{qid}@{version}|{response.scores.forms[measure]}"


def _reliability(
    measure: str,
    form_keys: set[tuple[str, int, str]],
    baselines: Sequence[ScoredResponse],
    configured: Mapping[ReliabilityKey, ReliabilityParams],
) -> dict[tuple[str, int, str], FormReliability]:
    """Per (questionnaire id, version, form): configured, else pooled, else None."""
    result = {}
    for qid, version, form in sorted(form_keys):
        rows = [
            r.scores.items[measure].percents
            for r in baselines
            if r.questionnaire == (qid, version)
            and r.scores.forms.get(measure) == form
            and measure in r.scores.items
        ]
        complete = sum(1 for row in rows if all(v is not None for v in row))
        params = configured.get((qid, version, measure, form))
        if params is None and complete >= MIN_POOLED_BASELINES:
            params = pooled_params(rows)
        result[(qid, version, form)] = FormReliability(form, params, complete)
    return result


def _index_outcome(
    measure: str,
    baseline: Sequence[ScoredResponse],
    follow_up: Sequence[ScoredResponse],
    all_baselines: Sequence[ScoredResponse],
    band: AgeBand,
    configured: Mapping[ReliabilityKey, ReliabilityParams],
) -> IndexOutcome:
    pre = {
        r.child: (_pair_key(r, measure), r.scores.scores[measure])
        for r in baseline if measure in r.scores.scores and _in_band(r.variant, band)
    }
    post = {
        r.child: (_pair_key(r, measure), r.scores.scores[measure])
        for r in follow_up if measure in r.scores.scores and _in_band(r.variant, band)
    }
    asked = bool(pre) or bool(post)
    pairs = pair_scores(pre, post)
    summary = summarise(pairs, None)
    if summary.suppressed:
        return IndexOutcome(measure, summary, (), (), asked)
    by_child = {r.child: r for r in baseline}
    child_form = {
        p.child: (*by_child[p.child].questionnaire, by_child[p.child].scores.forms[measure])
        for p in pairs
    }
    reliability = _reliability(measure, set(child_form.values()), all_baselines, configured)
    improved = deteriorated = None
    sources = {f.params.source for f in reliability.values() if f.params is not None}
    if all(f.params is not None for f in reliability.values()):
        classes = [
            classify(rci(p.change, reliability[child_form[p.child]].params))  # type: ignore[arg-type]
            for p in pairs
        ]
        improved = classes.count("improved")
        deteriorated = classes.count("deteriorated")
    summary = dataclasses.replace(
        summary,
        reliably_improved=improved,
        reliably_deteriorated=deteriorated,
        reliability_source=(next(iter(sources)) if len(sources) == 1 and improved is not None
                            else None),  # type: ignore[arg-type]
    )
    return IndexOutcome(measure, summary, tuple(pairs), tuple(reliability.values()), asked)


def _goal_outcome(
    follow_up: Sequence[ScoredResponse],
    goals: Sequence[_GoalRow],
    follow_up_round: RoundInfo,
    band: AgeBand,
) -> GoalOutcome:
    by_id = {g.id: g for g in goals}
    changes: list[int] = []
    children: set[int] = set()
    for response in follow_up:
        if not _in_band(response.variant, band):
            continue
        for goal_id, rating in sorted(response.goal_ratings.items()):
            goal = by_id.get(goal_id)
            if goal is None or goal.child_id != response.child_id:
                continue
            if goal.round_position is not None and goal.round_position >= follow_up_round.position:
                continue  # agreed at or after this round: not a rating since the start
            changes.append(rating - goal.start_rating)
            children.add(response.child_id)
    if len(children) < MIN_GROUP:
        return GoalOutcome(GoalSummary(n=None, suppressed=True), None)
    return GoalOutcome(summarise_goals(changes), len(children), tuple(changes))


def compute_outcomes(
    *,
    programme: str,
    programme_id: int,
    rounds: Sequence[RoundInfo],
    baseline: RoundInfo | None,
    follow_up: RoundInfo | None,
    responses: Sequence[ScoredResponse],
    goals: Sequence[_GoalRow] = (),
    band: AgeBand = "all",
    configured: Mapping[ReliabilityKey, ReliabilityParams] | None = None,
) -> ProgrammeOutcomes:
    """The outcomes from already loaded, scored responses (pure)."""
    configured = configured or {}
    pre_rows = [r for r in responses if baseline is not None and r.round_id == baseline.id]
    post_rows = [r for r in responses if follow_up is not None and r.round_id == follow_up.id]
    indices = {
        measure: _index_outcome(measure, pre_rows, post_rows, pre_rows, band, configured)
        for measure in MEASURES
    }
    if follow_up is None:
        goal = GoalOutcome(GoalSummary(n=None, suppressed=True), None)
    else:
        goal = _goal_outcome(post_rows, goals, follow_up, band)
    return ProgrammeOutcomes(
        programme=programme, programme_id=programme_id, rounds=tuple(rounds), baseline=baseline,
        follow_up=follow_up, age_band=band, indices=indices, goals=goal,
    )


def programme_outcomes(
    session: Session,
    programme: Programme,
    registry: QuestionnaireRegistry,
    *,
    baseline_id: int | None = None,
    follow_up_id: int | None = None,
    band: AgeBand = "all",
    configured: Mapping[ReliabilityKey, ReliabilityParams] | None = None,
) -> ProgrammeOutcomes:
    """Load, score and summarise one programme for a pair of its rounds.

    Without round ids the :func:`default_pair` is used.  ``ValueError`` when a round id is not
    one of the programme's, or the baseline does not come before the follow-up, or the age band
    is unknown — the caller turns that into a 400 or a CLI error.
    """
    if band not in AGE_BANDS:
        raise ValueError(f"unknown age band {band!r}")
    rounds = round_infos(session.scalars(select(Round).where(Round.programme_id == programme.id)))
    by_id = {r.id: r for r in rounds}
    default_baseline, default_follow_up = default_pair(rounds)
    baseline = default_baseline if baseline_id is None else by_id.get(baseline_id)
    follow_up = default_follow_up if follow_up_id is None else by_id.get(follow_up_id)
    if (baseline_id is not None and baseline is None) or (
        follow_up_id is not None and follow_up is None
    ):
        raise ValueError("round not in this programme")
    if baseline is not None and follow_up is not None and baseline.position >= follow_up.position:
        raise ValueError("the baseline must come before the follow-up")
    round_ids = [r.id for r in (baseline, follow_up) if r is not None]
    responses = load_scored_responses(session, programme.id, round_ids, registry)
    goals = _load_goals(session, programme.id) if follow_up is not None else []
    return compute_outcomes(
        programme=programme.name, programme_id=programme.id, rounds=rounds, baseline=baseline,
        follow_up=follow_up, responses=responses, goals=goals, band=band, configured=configured,
    )


# --------------------------------------------------------------------------- export

#: The CSV header: the child's rows per round, then one column per measure (the JSON names).
EXPORT_COLUMNS: Final = ("programme", "child", "round", "variant", *MEASURES)


@dataclass(frozen=True, slots=True)
class ExportResult:
    """The rows of one programme, and the rounds left out for having fewer than 5 children."""

    programme: str
    programme_id: int
    rows: tuple[dict[str, str | float | None], ...]
    left_out: tuple[str, ...]


def export_rows(
    session: Session, programme: Programme, registry: QuestionnaireRegistry
) -> ExportResult:
    """One row per child per completed round of ``programme``, rounds in programme order.

    A round answered by fewer than ``MIN_GROUP`` children is left out whole (its name is in
    ``left_out``).  Values are floats (None: not enough answers, or not asked).
    """
    rounds = round_infos(session.scalars(select(Round).where(Round.programme_id == programme.id)))
    responses = load_scored_responses(session, programme.id, [r.id for r in rounds], registry)
    by_round: dict[int, list[ScoredResponse]] = defaultdict(list)
    for response in responses:
        by_round[response.round_id].append(response)
    rows: list[dict[str, str | float | None]] = []
    left_out: list[str] = []
    for rnd in rounds:
        group = sorted(by_round.get(rnd.id, []), key=lambda r: r.child)
        if not group:
            continue
        if len({r.child_id for r in group}) < MIN_GROUP:
            left_out.append(rnd.name)
            continue
        for response in group:
            rows.append({
                "programme": programme.name,
                "child": response.child,
                "round": rnd.name,
                "variant": response.variant,
                **{m: response.scores.scores.get(m) for m in MEASURES},
            })
    return ExportResult(programme.name, programme.id, tuple(rows), tuple(left_out))
