"""Outcomes of a programme from the database: load, score, pair, summarise (INSTRUMENT.md §5–7).

Used by the evaluator's pages (:mod:`kidsvoice.evaluation`), ``kidsvoice outcomes`` and
``kidsvoice export``.  No Flask: callers pass a session, the questionnaire registry and the
configured reliability parameters.

How the numbers are made:

* **Loading.**  Only *completed* responses count.  One query reads the responses of the chosen
  rounds with their stored scores (:mod:`kidsvoice.stored_scores`), one more the programme's
  goals — a few queries whatever the number of children.  Archived children count: their
  answers were given while they were in the programme.
* **Scoring** reuses the answer sheet's rules through
  :func:`kidsvoice.response_scores.score_response`: the scores stored when the response was
  finished, or — for a response without valid stored scores — computed from its answers (one
  more query per 500 such responses: only the questions a measure or a goal uses, no free
  text), and stored when the caller passes ``write``.
* **Speed**: 10,000 children (19,000 responses) take about half a second: one small row per
  response, each distinct stored line decoded once, reliable change counted with numpy, and
  the cyclic garbage collector paused meanwhile (:func:`_cyclic_gc_paused`).
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
  children exports no rows at all.  :func:`export_plan` decides that and counts the rows with
  one aggregate query; :func:`iter_export_rows` then streams the rows a chunk at a time.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
from sqlalchemy import Row, Select, String, Text, cast, func, or_, select, type_coerce
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import stored_scores
from .models import (
    Answer,
    Child,
    Goal,
    Invitation,
    Programme,
    Response,
    Round,
    RoundKind,
    StoredScores,
)
from .outcomes import (
    MIN_GROUP,
    MIN_POOLED_BASELINES,
    RC_CRITICAL,
    GoalSummary,
    IndexSummary,
    Pair,
    ReliabilityParams,
    pair_scores,
    pooled_params,
    summarise,
    summarise_goals,
)
from .questionnaire import GOAL_KEY_PREFIX, QuestionKind, QuestionnaireRegistry
from .reliability import ReliabilityKey
from .response_scores import (
    MEASURES,
    SCORING_VERSION,
    WHO5_PREFIX,
    Decoder,
    ResponseScores,
    available_modules,
    encode,
    goal_ratings,
    score_response,
)
from .sheet import RoundInput, StoredAnswer

log = logging.getLogger(__name__)

__all__ = [
    "AGE_BANDS",
    "MEASURES",
    "EXPORT_COLUMNS",
    "ExportPlan",
    "GoalOutcome",
    "IndexOutcome",
    "ProgrammeOutcomes",
    "RoundInfo",
    "ScoredResponse",
    "default_pair",
    "export_plan",
    "iter_export_rows",
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


def _measure_keys(registry: QuestionnaireRegistry) -> list[str]:
    """Question keys any measure is built from (in any questionnaire of the registry)."""
    return sorted({
        q.key
        for questionnaire in registry
        for q in questionnaire.questions
        if q.index is not None or q.kind is QuestionKind.LADDER or q.key.startswith(WHO5_PREFIX)
    })


#: Responses whose answers are read in one query when they must be scored on the fly.
_ANSWER_CHUNK: Final = 500

#: The columns every loader reads per completed response (with its stored scores, if any).
_RESPONSE_COLUMNS: Final = (
    Response.id, Response.variant, Response.questionnaire_id, Response.questionnaire_version,
    Invitation.round_id, Child.id, Child.public_id, type_coerce(Round.kind, String),
    StoredScores.scoring_version, StoredScores.basis, StoredScores.data,
)


def _responses_query(programme_id: int, round_ids: Sequence[int]) -> Select[Any]:
    return (
        select(*_RESPONSE_COLUMNS)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Child, Invitation.child_id == Child.id)
        .join(Round, Invitation.round_id == Round.id)
        .outerjoin(StoredScores, StoredScores.response_id == Response.id)
        .where(
            Child.programme_id == programme_id,
            Invitation.round_id.in_(list(round_ids)),
            Response.completed_at.is_not(None),
        )
    )


class _Scorer:
    """Turns response rows (``_RESPONSE_COLUMNS``) into :class:`ScoredResponse`: from the stored
    scores when they are valid, else from the answers (read in a few queries per batch).
    ``fresh`` collects the rows to store for the responses scored from their answers."""

    def __init__(
        self, session: Session, registry: QuestionnaireRegistry, *, keep_fresh: bool = True
    ) -> None:
        self.session = session
        self.keep_fresh = keep_fresh
        self.registry = registry
        self.modules = available_modules(registry)
        self.keys = _measure_keys(registry)
        self.bases: dict[tuple[str, int, str], str] = {}
        self.fresh: list[dict[str, Any]] = []
        self.decode = Decoder()

    def _basis(self, qid: str, version: int, kind: str) -> str:
        key = (qid, version, kind)
        value = self.bases.get(key)
        if value is None:
            value = self.bases[key] = stored_scores.basis(
                self.registry.get(qid, version), kind, self.modules)
        return value

    def score(self, rows: Sequence[Row[Any]]) -> list[ScoredResponse]:
        result: list[ScoredResponse | None] = []
        missing: list[tuple[int, Row[Any]]] = []
        for row in rows:
            (response_id, variant, qid, version, round_id, child_id, public_id, kind,
             stored_version, stored_basis, data) = row
            if (data is not None and stored_version == SCORING_VERSION
                    and stored_basis == self._basis(qid, version, kind)):
                scores, ratings = self.decode(data)
                result.append(ScoredResponse(
                    response_id=response_id, child_id=child_id, child=public_id,
                    round_id=round_id, variant=variant, questionnaire=(qid, version),
                    scores=scores, goal_ratings=ratings,
                ))
            else:
                missing.append((len(result), row))
                result.append(None)
        for start in range(0, len(missing), _ANSWER_CHUNK):
            chunk = missing[start:start + _ANSWER_CHUNK]
            answers = self._answers([row[0] for _, row in chunk])
            for position, row in chunk:
                result[position] = self._from_answers(row, answers.get(row[0], {}))
        return result  # type: ignore[return-value]

    def _from_answers(self, row: Row[Any], stored: dict[str, StoredAnswer]) -> ScoredResponse:
        response_id, variant, qid, version, round_id, child_id, public_id, kind = row[:8]
        rnd = RoundInput(
            round_id=round_id, position=0, kind=str(kind), label="", variant=variant,
            questionnaire=self.registry.get(qid, version), answers=stored, modules=self.modules,
        )
        scores, ratings = score_response(rnd), goal_ratings(stored)
        if self.keep_fresh:
            self.fresh.append({
                "response_id": response_id, "scoring_version": SCORING_VERSION,
                "basis": self._basis(qid, version, kind), "data": encode(scores, ratings),
            })
        return ScoredResponse(
            response_id=response_id, child_id=child_id, child=public_id, round_id=round_id,
            variant=variant, questionnaire=(qid, version), scores=scores, goal_ratings=ratings,
        )

    def _answers(self, response_ids: Sequence[int]) -> dict[int, dict[str, StoredAnswer]]:
        answers: dict[int, dict[str, StoredAnswer]] = defaultdict(dict)
        answer_rows = self.session.execute(
            select(
                Answer.response_id, Answer.question_key, type_coerce(Answer.status, String),
                Answer.score,
                # as text: decoded only where it matters (a scored answer keeps its score)
                cast(Answer.choices, Text), Answer.hidden_from_meeting,
            )
            .where(Answer.response_id.in_(list(response_ids)))
            .where(or_(Answer.question_key.in_(self.keys),
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
        return answers


#: Opens a transaction that may write and commits it at the end (``Database.transaction``).
Writer = Callable[[], AbstractContextManager[Session]]


def _store_fresh(scorer: _Scorer, write: Writer | None) -> None:
    """Store what was scored on the fly (best effort: the figures never depend on it)."""
    if write is None or not scorer.fresh:
        return
    try:
        with write() as session:
            stored_scores.store(session, scorer.fresh)
    except SQLAlchemyError:  # e.g. a response purged meanwhile: scored again next time
        log.warning("could not store the scores of %d responses", len(scorer.fresh),
                    exc_info=True)
    scorer.fresh.clear()


def load_scored_responses(
    session: Session,
    programme_id: int,
    round_ids: Sequence[int],
    registry: QuestionnaireRegistry,
    *,
    write: Writer | None = None,
) -> list[ScoredResponse]:
    """Every completed response of the programme's children in ``round_ids``, scored.

    One query for the responses with their stored scores; responses without valid stored
    scores are scored from their answers (one more query per 500 of them) and, with
    ``write``, their scores stored (:mod:`kidsvoice.stored_scores`).
    """
    if not round_ids:
        return []
    rows = session.execute(
        _responses_query(programme_id, round_ids).order_by(Round.position, Child.public_id)
    ).all()
    if not rows:
        return []
    scorer = _Scorer(session, registry)
    result = scorer.score(rows)
    _store_fresh(scorer, write)
    return result


def _choices(raw: str | None) -> tuple[str, ...]:
    if not raw or raw == "null":
        return ()
    value = json.loads(raw)
    return tuple(value) if isinstance(value, list) else ()



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


#: What a pair must share: questionnaire id, version and the measure's form.
_PairKey = tuple[str, int, str]


def _round_scores(
    responses: Sequence[ScoredResponse], measure: str, band: AgeBand
) -> dict[str, tuple[_PairKey, float | None]]:
    """child → (pair key, score) of the responses that have ``measure``, in the age band."""
    every = band == "all"
    result = {}
    for r in responses:
        scores = r.scores.scores
        if measure in scores and (every or r.variant == band):
            result[r.child] = ((*r.questionnaire, r.scores.forms[measure]), scores[measure])
    return result


def _reliability(
    measure: str,
    form_keys: set[tuple[str, int, str]],
    baselines: Sequence[ScoredResponse],
    configured: Mapping[ReliabilityKey, ReliabilityParams],
) -> dict[tuple[str, int, str], FormReliability]:
    """Per (questionnaire id, version, form): configured, else pooled, else None."""
    rows: dict[tuple[str, int, str], list[tuple[float | None, ...]]] = {
        key: [] for key in form_keys}
    for r in baselines:  # in load order, as pooling always read them
        items = r.scores.items.get(measure)
        if items is not None:
            group = rows.get((*r.questionnaire, r.scores.forms[measure]))
            if group is not None:
                group.append(items.percents)
    result = {}
    for key in sorted(form_keys):
        qid, version, form = key
        complete = sum(1 for row in rows[key] if None not in row)
        params = configured.get((qid, version, measure, form))
        if params is None and complete >= MIN_POOLED_BASELINES:
            params = pooled_params(rows[key])
        result[key] = FormReliability(form, params, complete)
    return result


def _reliable_counts(
    pairs: Sequence[Pair], forms: Sequence[tuple[str, int, str]],
    params: Mapping[tuple[str, int, str], ReliabilityParams],
) -> tuple[int, int]:
    """How many pairs changed reliably up and down: :func:`kidsvoice.outcomes.classify` of
    :func:`kidsvoice.outcomes.rci` with each pair's own parameters, for all pairs at once (the
    same float divisions and comparisons, so the same counts)."""
    sdiff = {key: p.sdiff for key, p in params.items()}
    change = np.fromiter((p.change for p in pairs), dtype=float, count=len(pairs))
    rc = change / np.fromiter((sdiff[key] for key in forms), dtype=float, count=len(pairs))
    return int(np.count_nonzero(rc > RC_CRITICAL)), int(np.count_nonzero(rc < -RC_CRITICAL))


def _index_outcome(
    measure: str,
    baseline: Sequence[ScoredResponse],
    follow_up: Sequence[ScoredResponse],
    all_baselines: Sequence[ScoredResponse],
    band: AgeBand,
    configured: Mapping[ReliabilityKey, ReliabilityParams],
) -> IndexOutcome:
    pre = _round_scores(baseline, measure, band)
    post = _round_scores(follow_up, measure, band)
    asked = bool(pre) or bool(post)
    pairs = pair_scores(pre, post)
    summary = summarise(pairs, None)
    if summary.suppressed:
        return IndexOutcome(measure, summary, (), (), asked)
    # each child's form: their baseline's (the follow-up's is the same, or no pair)
    forms = [pre[p.child][0] for p in pairs]
    reliability = _reliability(measure, set(forms), all_baselines, configured)
    improved = deteriorated = None
    sources = {f.params.source for f in reliability.values() if f.params is not None}
    if all(f.params is not None for f in reliability.values()):
        improved, deteriorated = _reliable_counts(
            pairs, forms,
            {key: f.params for key, f in reliability.items()},  # type: ignore[misc]
        )
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
    write: Writer | None = None,
) -> ProgrammeOutcomes:
    """Load, score and summarise one programme for a pair of its rounds.

    Without round ids the :func:`default_pair` is used.  ``ValueError`` when a round id is not
    one of the programme's, or the baseline does not come before the follow-up, or the age band
    is unknown — the caller turns that into a 400 or a CLI error.  ``write`` (e.g.
    ``Database.transaction``) lets responses scored on the fly have their scores stored.
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
    with _cyclic_gc_paused():
        responses = load_scored_responses(session, programme.id, round_ids, registry,
                                          write=write)
        goals = _load_goals(session, programme.id) if follow_up is not None else []
        return compute_outcomes(
            programme=programme.name, programme_id=programme.id, rounds=rounds,
            baseline=baseline, follow_up=follow_up, responses=responses, goals=goals, band=band,
            configured=configured,
        )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a programme is loaded and summarised.

    Those make some hundred thousand small objects without cycles; each allocation burst
    would otherwise set off collections that walk every object of the app — about 40 % of the
    time for 10,000 children.  Reference counting still frees everything at once, and the
    collector is switched back on afterwards (unless it was off already).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- export

#: The CSV header: the child's rows per round, then one column per measure (the JSON names).
EXPORT_COLUMNS: Final = ("programme", "child", "round", "variant", *MEASURES)

#: Responses read (and scored) at a time while an export streams.
EXPORT_CHUNK: Final = 1_000

ExportRow = dict[str, str | float | None]


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """What exporting one programme will write, known before a row is read: the rounds that
    are exported, those left out for having fewer than 5 children, and the number of rows."""

    programme: str
    programme_id: int
    rounds: tuple[RoundInfo, ...]
    left_out: tuple[str, ...]
    rows: int


def export_plan(session: Session, programme: Programme) -> ExportPlan:
    """Count the completed responses and children per round (one query) and decide which
    rounds are exported: a round answered by fewer than ``MIN_GROUP`` children is left out
    whole, so a programme with fewer than 5 children exports no rows."""
    rounds = round_infos(session.scalars(select(Round).where(Round.programme_id == programme.id)))
    counts = {
        round_id: (responses, children)
        for round_id, responses, children in session.execute(
            select(Invitation.round_id, func.count(Response.id),
                   func.count(func.distinct(Child.id)))
            .join(Response, Response.invitation_id == Invitation.id)
            .join(Child, Invitation.child_id == Child.id)
            .where(Child.programme_id == programme.id, Response.completed_at.is_not(None))
            .group_by(Invitation.round_id)
        )
    }
    exported, left_out, rows = [], [], 0
    for rnd in rounds:
        responses, children = counts.get(rnd.id, (0, 0))
        if not responses:
            continue
        if children < MIN_GROUP:
            left_out.append(rnd.name)
            continue
        exported.append(rnd)
        rows += responses
    return ExportPlan(programme.name, programme.id, tuple(exported), tuple(left_out), rows)


def iter_export_rows(
    session: Session,
    plan: ExportPlan,
    registry: QuestionnaireRegistry,
    *,
    chunk: int = EXPORT_CHUNK,
) -> Iterator[ExportRow]:
    """One row per child per completed round of ``plan.rounds``: rounds in programme order,
    children by pseudonymous id.  Values are floats (None: not enough answers, or not asked).

    A generator: responses are read ``chunk`` at a time (a server-side cursor on PostgreSQL)
    and each row is yielded as soon as its chunk is scored, so memory stays flat whatever the
    size of the programme.  It only reads: responses without valid stored scores are scored
    from their answers but not stored.
    """
    if not plan.rounds:
        return
    names = {r.id: r.name for r in plan.rounds}
    # code-point order of the ids, as Python sorts them, on every database
    collation = "C" if session.get_bind().dialect.name == "postgresql" else "BINARY"
    result = session.execute(
        _responses_query(plan.programme_id, list(names))
        .order_by(Round.position, Child.public_id.collate(collation)),
        execution_options={"yield_per": chunk},
    )
    scorer = _Scorer(session, registry, keep_fresh=False)
    try:
        for rows in result.partitions():
            for response in scorer.score(rows):
                row: ExportRow = {
                    "programme": plan.programme,
                    "child": response.child,
                    "round": names[response.round_id],
                    "variant": response.variant,
                }
                scores = response.scores.scores
                for measure in MEASURES:
                    row[measure] = scores.get(measure)
                yield row
    finally:
        result.close()
