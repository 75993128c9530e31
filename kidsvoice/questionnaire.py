"""Questionnaire definitions: frozen dataclasses, a TOML loader with validation, and the step list.

PURE module: no Flask, no SQLAlchemy. The data files are ``kidsvoice/questionnaires/*.toml``;
their format is described in ``kidsvoice/questionnaires/README.md``, the content in INSTRUMENT.md.

Decisions worth knowing:

- Every text in a file is the English source text and a gettext msgid of the ``questionnaire``
  domain. This module never translates; the UI calls ``gettext(text)`` and, for generated goal
  questions only, ``% params`` (escaping the child's words).
- "I'd rather not say" is not an option: every question can be skipped, and the UI stores that as
  ``declined``. The code ``declined`` is therefore reserved and rejected in files. "I don't know" is
  an ordinary option with code ``dont_know`` and no score.
- Scored options carry scores 0..k-1 in the order listed, which is negative -> positive reading
  order. Ladder and goal questions get eleven generated options "0".."10" (score = the number), so
  scoring treats every scored kind alike: ``score / (k - 1)``.
- One question key may have two definitions, one per age variant (``6-9`` and ``10-16``); within
  one variant a key is unique.
- The goal template (the one question of kind ``goal`` in a file) is expanded by :meth:`steps`
  into one question per open goal, keyed ``goal-<id>``.
- A module (``module = true``, e.g. WHO-5) is a separate file whose questions take the place of
  the base questions it ``replaces`` when a programme switches it on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Literal, cast

__all__ = [
    "DECLINED",
    "DONT_KNOW",
    "INDEXES",
    "AgeBand",
    "GoalRef",
    "IndexName",
    "Option",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireError",
    "QuestionnaireRegistry",
    "RoundKind",
    "Rounds",
    "Section",
    "Variant",
    "extract_questionnaire",
    "load_questionnaire",
    "load_registry",
    "parse_questionnaire",
    "variant_for_age",
]

Variant = Literal["6-9", "10-16"]
AgeBand = Literal["all", "6-9", "10-16"]
Rounds = Literal["all", "follow_up"]
RoundKind = Literal["baseline", "follow_up", "check_in"]
IndexName = Literal["heard", "mood", "school", "relations"]

VARIANTS: tuple[Variant, ...] = ("6-9", "10-16")
AGE_BANDS: tuple[AgeBand, ...] = ("all", "6-9", "10-16")
ROUNDS: tuple[Rounds, ...] = ("all", "follow_up")
ROUND_KINDS: tuple[RoundKind, ...] = ("baseline", "follow_up", "check_in")
INDEXES: tuple[IndexName, ...] = ("heard", "mood", "school", "relations")

DECLINED = "declined"
"""Stored by the UI when the child skips ("I'd rather not say"); never an option in a file."""
DONT_KNOW = "dont_know"
"""The "I don't know" option: an ordinary option with this code and no score."""

GOAL_PARAM = "%(goal)s"
GOAL_KEY_PREFIX = "goal-"
DEFAULT_MAX_LENGTH = 500
NUMERIC_RANGE = range(0, 11)
"""Ladder and goal questions are rated 0..10."""

_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_ICON_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class QuestionKind(StrEnum):
    """How a question is answered (the words of DESIGN.md)."""

    FACES = "faces"
    SCALE = "scale"
    LADDER = "ladder"
    CHOICE = "choice"
    CARDS = "cards"
    TEXT = "text"
    GOAL = "goal"


_LISTED_KINDS = frozenset({QuestionKind.FACES, QuestionKind.SCALE, QuestionKind.CHOICE})
"""Kinds whose scored options are listed in the file (directly or through a shared scale)."""
_NUMERIC_KINDS = frozenset({QuestionKind.LADDER, QuestionKind.GOAL})
"""Kinds rated 0..10 with labelled anchors; their options are generated."""


class QuestionnaireError(Exception):
    """A questionnaire file is invalid. The message names the file and, if known, the question.

    Attributes: ``path`` (the file), ``question`` (its key, or None for file-level errors) and
    ``reason`` (the message without the location).
    """

    def __init__(self, path: Path | str, message: str, question: str | None = None) -> None:
        self.path = Path(path)
        self.question = question
        self.reason = message
        where = f"{self.path}: question {question}" if question else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Option:
    """One answer option. ``label`` is an English msgid; ``score`` is None for unscored options."""

    code: str
    label: str
    score: int | None = None
    icon: str | None = None


@dataclass(frozen=True)
class Section:
    """A group of questions shown under one title, e.g. "Being heard"."""

    key: str
    title: str


def _empty_mapping() -> Mapping[Any, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Question:
    """One question in one age variant.

    ``ages`` is ``all`` when both variants share this definition. ``rounds`` is ``follow_up`` for
    questions asked only after the baseline (follow-up and check-in rounds). ``scale`` names the
    shared scale the options came from, if any. ``requires_goals`` drops the question when the
    child has no open goal (G4). ``params`` is filled only for generated goal questions.
    """

    key: str
    kind: QuestionKind
    text: str
    section: str
    ages: AgeBand = "all"
    rounds: Rounds = "all"
    index: IndexName | None = None
    flag: bool = False
    options: tuple[Option, ...] = ()
    max_choices: int | None = None
    other_option: str | None = None
    max_length: int = DEFAULT_MAX_LENGTH
    anchors: Mapping[int, str] = field(default_factory=_empty_mapping, hash=False)
    source: str = ""
    licence: str = ""
    optional: bool = False
    help: str | None = None
    params: Mapping[str, str] = field(default_factory=_empty_mapping, hash=False)
    scale: str | None = None
    requires_goals: bool = False

    @property
    def k(self) -> int:
        """Number of scored options (``dont_know`` and cards do not count)."""
        return sum(1 for option in self.options if option.score is not None)

    @property
    def is_scored(self) -> bool:
        """True when an answer maps to a number (faces, scale, choice, ladder, goal)."""
        return self.k > 0

    def option(self, code: str) -> Option:
        """The option with this code; KeyError if there is none."""
        for option in self.options:
            if option.code == code:
                return option
        raise KeyError(f"question {self.key} has no option {code!r}")

    def applies_to(self, variant: Variant, round_kind: RoundKind) -> bool:
        """Whether this definition is asked in this age variant and kind of round."""
        return self.ages in ("all", variant) and (self.rounds == "all" or round_kind != "baseline")


@dataclass(frozen=True)
class GoalRef:
    """An open goal of the child, in the child's words, as the app passes it to :meth:`steps`."""

    id: int
    text: str


def variant_for_age(age: int) -> Variant:
    """The age variant for an age: under 10 -> ``6-9``, else ``10-16``.

    Ages outside 6-16 map to the nearest band; whether such a child may answer at all is the
    app's decision (compare with ``Questionnaire.min_age`` / ``max_age``). The variant is pinned
    per child per programme at the first round, so call this once, not at every round.
    """
    return "6-9" if age < 10 else "10-16"


def _check_variant(variant: str, round_kind: str) -> None:
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    if round_kind not in ROUND_KINDS:
        raise ValueError(f"unknown round kind {round_kind!r}; expected one of {ROUND_KINDS}")


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire file (or module). Never edited once published: see README.md.

    ``digest`` is the sha256 of the file bytes, so the app can notice a published file that was
    edited in place. ``module``, ``replaces`` and ``enabled_by_default`` describe optional modules.
    ``notice`` is a licence notice to show with the questions; ``translation_notice`` must be
    shown wherever a translation of them is shown (WHO-5).
    """

    id: str
    version: int
    title: str
    licence: str
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    path: Path
    digest: str
    min_age: int = 6
    max_age: int = 16
    module: bool = False
    replaces: tuple[str, ...] = ()
    enabled_by_default: bool = True
    notice: str | None = None
    translation_notice: str | None = None

    def variant_for_age(self, age: int) -> Variant:
        """See :func:`variant_for_age`."""
        return variant_for_age(age)

    def section(self, key: str) -> Section:
        """The section with this key; KeyError if there is none."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"{self.id} v{self.version} has no section {key!r}")

    @property
    def goal_template(self) -> Question | None:
        """The ``goal`` question that :meth:`steps` expands per goal, if the file has one."""
        return next((q for q in self.questions if q.kind is QuestionKind.GOAL), None)

    def questions_for(self, variant: Variant, round_kind: RoundKind) -> tuple[Question, ...]:
        """The fixed questions of a variant and round, in the order asked, without goal questions.

        The goal template is left out (it is not a question until it has a goal, see
        :meth:`steps`); so are questions that need a goal (G4). H5 and the other ``follow_up``
        questions appear only when ``round_kind`` is not ``baseline``.
        """
        _check_variant(variant, round_kind)
        return tuple(
            q
            for q in self.questions
            if q.applies_to(variant, round_kind)
            and q.kind is not QuestionKind.GOAL
            and not q.requires_goals
        )

    def steps(
        self,
        variant: Variant,
        round_kind: RoundKind,
        goals: Sequence[GoalRef] = (),
        modules: Sequence[Questionnaire] = (),
    ) -> tuple[Question, ...]:
        """The questions one child is asked in one round, in order: one screen each.

        Goals are ignored at baseline (they are agreed at the meeting after it). Otherwise the
        goal template becomes one ``goal-<id>`` question per goal, with ``params={"goal": text}``,
        and questions with ``requires_goals`` (G4) are kept only when there is a goal.
        Each enabled module's questions for this variant replace the base questions it names in
        ``replaces``, at the place of the first of them, and take over that question's section.
        """
        _check_variant(variant, round_kind)
        if len({goal.id for goal in goals}) != len(goals):
            raise ValueError("goal ids must be unique")
        if round_kind == "baseline":
            goals = ()
        result: list[Question] = []
        for q in self.questions:
            if not q.applies_to(variant, round_kind):
                continue
            if q.kind is QuestionKind.GOAL:
                result.extend(_goal_question(q, goal) for goal in goals)
            elif not q.requires_goals or goals:
                result.append(q)
        for module in modules:
            result = _apply_module(result, module, variant, round_kind)
        return tuple(result)


def _goal_question(template: Question, goal: GoalRef) -> Question:
    return dataclasses.replace(
        template,
        key=f"{GOAL_KEY_PREFIX}{goal.id}",
        params=MappingProxyType({"goal": goal.text}),
    )


def _apply_module(
    steps: list[Question], module: Questionnaire, variant: Variant, round_kind: RoundKind
) -> list[Question]:
    if not module.module:
        raise ValueError(f"{module.id} v{module.version} is not a module")
    added = module.questions_for(variant, round_kind)
    if not added:
        return steps
    positions = [i for i, q in enumerate(steps) if q.key in module.replaces]
    if not positions:
        raise ValueError(
            f"module {module.id} replaces {list(module.replaces)}, none of which is asked here"
        )
    first = positions[0]
    section = steps[first].section
    added = tuple(dataclasses.replace(q, section=section) for q in added)
    kept = [q for i, q in enumerate(steps) if i not in positions]
    clash = {q.key for q in kept} & {q.key for q in added}
    if clash:
        raise ValueError(f"module {module.id} repeats question keys {sorted(clash)}")
    return kept[:first] + list(added) + kept[first:]


# --------------------------------------------------------------------------- loading


_TOP_KEYS = frozenset(
    {
        "id", "version", "title", "licence", "min_age", "max_age", "module", "replaces",
        "enabled_by_default", "notice", "translation_notice", "scales", "sections", "questions",
    }
)  # fmt: skip
_QUESTION_KEYS = frozenset(
    {
        "key", "kind", "text", "section", "ages", "rounds", "index", "flag", "scale", "options",
        "max_choices", "other_option", "max_length", "anchors", "source", "licence", "optional",
        "help", "requires_goals",
    }
)  # fmt: skip
_OPTION_KEYS = frozenset({"code", "label", "score", "icon"})


class _Reader:
    """Typed access to the raw TOML tables, raising QuestionnaireError with file and question."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str, question: str | None = None) -> QuestionnaireError:
        return QuestionnaireError(self.path, message, question)

    def text(self, table: Mapping[str, Any], name: str, question: str | None = None) -> str:
        value = table.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{name!r} must be a non-empty string", question)
        return value

    def optional_text(
        self, table: Mapping[str, Any], name: str, question: str | None = None
    ) -> str | None:
        return self.text(table, name, question) if name in table else None

    def integer(
        self, table: Mapping[str, Any], name: str, default: int, question: str | None = None
    ) -> int:
        value = table.get(name, default)
        if type(value) is not int:  # bool is an int subclass: reject it explicitly
            raise self.fail(f"{name!r} must be an integer, not {value!r}", question)
        return value

    def boolean(
        self, table: Mapping[str, Any], name: str, default: bool, question: str | None = None
    ) -> bool:
        value = table.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(f"{name!r} must be true or false, not {value!r}", question)
        return value

    def choice(
        self,
        table: Mapping[str, Any],
        name: str,
        allowed: Sequence[str | None],
        default: str | None,
        question: str | None = None,
    ) -> Any:
        value = table.get(name, default)
        if value not in allowed:
            shown = ", ".join(repr(a) for a in allowed if a is not None)
            raise self.fail(f"{name!r} must be one of {shown}, not {value!r}", question)
        return value

    def tables(self, table: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"{name!r} must be an array of tables ([[{name}]])")
        return value

    def unknown_keys(
        self, table: Mapping[str, Any], known: frozenset[str], what: str, question: str | None
    ) -> None:
        unknown = sorted(set(table) - known)
        if unknown:
            raise self.fail(f"unknown {what} key(s) {', '.join(unknown)}", question)


def load_questionnaire(path: Path | str) -> Questionnaire:
    """Load and validate one questionnaire file; raise QuestionnaireError naming what is wrong."""
    path = Path(path)
    return parse_questionnaire(path.read_bytes(), path)


def parse_questionnaire(data: bytes, path: Path | str) -> Questionnaire:
    """Validate the bytes of a questionnaire file; ``path`` is used in messages and kept."""
    path = Path(path)
    r = _Reader(path)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise r.fail(f"not a valid UTF-8 TOML file: {exc}") from exc
    r.unknown_keys(raw, _TOP_KEYS, "top-level", None)

    qid = r.text(raw, "id")
    if not _KEY_RE.match(qid):
        raise r.fail(f"'id' {qid!r} may only contain letters, digits, '-' and '_'")
    version = raw.get("version")
    if type(version) is not int or version < 1:  # bool is an int subclass: rejected too
        raise r.fail(f"'version' must be a positive integer, not {version!r}")
    min_age = r.integer(raw, "min_age", 6)
    max_age = r.integer(raw, "max_age", 16)
    if not 0 < min_age <= max_age:
        raise r.fail(f"ages {min_age}-{max_age} are not a valid range")

    module = r.boolean(raw, "module", False)
    replaces = raw.get("replaces", [])
    if not isinstance(replaces, list) or not all(isinstance(k, str) for k in replaces):
        raise r.fail("'replaces' must be a list of question keys")
    if module and not replaces:
        raise r.fail("a module must name the base questions it 'replaces'")
    if replaces and not module:
        raise r.fail("'replaces' is only allowed with module = true")

    sections = _sections(r, raw)
    scales = _scales(r, raw)
    order = {s.key: i for i, s in enumerate(sections)}
    questions = sorted(  # by section; stable, so file order within a section
        _questions(r, raw, set(order), scales), key=lambda q: order[q.section]
    )

    return Questionnaire(
        id=qid,
        version=version,
        title=r.text(raw, "title"),
        licence=r.text(raw, "licence"),
        sections=sections,
        questions=tuple(questions),
        path=path,
        digest=hashlib.sha256(data).hexdigest(),
        min_age=min_age,
        max_age=max_age,
        module=module,
        replaces=tuple(replaces),
        enabled_by_default=r.boolean(raw, "enabled_by_default", not module),
        notice=r.optional_text(raw, "notice"),
        translation_notice=r.optional_text(raw, "translation_notice"),
    )


def _sections(r: _Reader, raw: Mapping[str, Any]) -> tuple[Section, ...]:
    sections: list[Section] = []
    for table in r.tables(raw, "sections"):
        r.unknown_keys(table, frozenset({"key", "title"}), "section", None)
        key = r.text(table, "key")
        if any(s.key == key for s in sections):
            raise r.fail(f"duplicate section {key!r}")
        sections.append(Section(key=key, title=r.text(table, "title")))
    if not sections:
        raise r.fail("at least one [[sections]] entry is needed")
    return tuple(sections)


def _scales(r: _Reader, raw: Mapping[str, Any]) -> dict[str, tuple[Option, ...]]:
    scales = raw.get("scales", {})
    if not isinstance(scales, dict):
        raise r.fail("'scales' must be a table of named scales")
    result: dict[str, tuple[Option, ...]] = {}
    for name, table in scales.items():
        if not isinstance(table, dict) or set(table) != {"options"}:
            raise r.fail(f"scale {name!r} must be a table with only 'options'")
        result[name] = _options(r, table["options"], None, f"scale {name}: ")
    return result


def _options(r: _Reader, value: Any, key: str | None, prefix: str = "") -> tuple[Option, ...]:
    """Options as written; ``key`` (a question) or ``prefix`` (a scale) says where in messages."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise r.fail(f"{prefix}'options' must be an array of tables", key)
    options: list[Option] = []
    for table in value:
        r.unknown_keys(table, _OPTION_KEYS, f"{prefix}option", key)
        code = table.get("code")
        if not isinstance(code, str) or not _CODE_RE.match(code):
            raise r.fail(f"{prefix}option code {code!r} must be lower-case letters, digits, _", key)
        if code == DECLINED:
            raise r.fail(
                f"{prefix}option code {DECLINED!r} is reserved: every question can be skipped", key
            )
        score = table.get("score")
        if score is not None and type(score) is not int:
            raise r.fail(f"{prefix}option {code!r}: 'score' must be an integer", key)
        if code == DONT_KNOW and score is not None:
            raise r.fail(f"{prefix}option {DONT_KNOW!r} cannot have a score", key)
        label = table.get("label")
        if not isinstance(label, str) or not label.strip():
            raise r.fail(f"{prefix}option {code!r}: 'label' must be a non-empty string", key)
        icon = table.get("icon")
        if icon is not None and (not isinstance(icon, str) or not _ICON_RE.match(icon)):
            raise r.fail(f"{prefix}option {code!r}: 'icon' must be a name like 'face-low'", key)
        options.append(Option(code=code, label=label, score=score, icon=icon))
    return tuple(options)


def _questions(
    r: _Reader,
    raw: Mapping[str, Any],
    section_keys: set[str],
    scales: Mapping[str, tuple[Option, ...]],
) -> list[Question]:
    questions: list[Question] = []
    seen: set[tuple[str, Variant]] = set()
    for table in r.tables(raw, "questions"):
        q = _question(r, table, section_keys, scales)
        for variant in VARIANTS:
            if q.ages not in ("all", variant):
                continue
            if (q.key, variant) in seen:
                raise r.fail(f"duplicate question id in the {variant} variant", q.key)
            seen.add((q.key, variant))
        if q.kind is QuestionKind.GOAL:
            others = [p for p in questions if p.kind is QuestionKind.GOAL]
            if any(p.ages == "all" or q.ages in ("all", p.ages) for p in others):
                raise r.fail("only one goal template per variant", q.key)
        questions.append(q)
    if not questions:
        raise r.fail("at least one [[questions]] entry is needed")
    return questions


def _question(
    r: _Reader,
    table: Mapping[str, Any],
    section_keys: set[str],
    scales: Mapping[str, tuple[Option, ...]],
) -> Question:
    key = r.text(table, "key")
    if not _KEY_RE.match(key) or key.startswith(GOAL_KEY_PREFIX):
        raise r.fail(
            f"question key {key!r} must be letters, digits, '-', '_' and not start with "
            f"{GOAL_KEY_PREFIX!r}"
        )
    r.unknown_keys(table, _QUESTION_KEYS, "question", key)
    raw_kind = table.get("kind")
    kinds = [k.value for k in QuestionKind]
    if raw_kind not in kinds:
        raise r.fail(f"unknown kind {raw_kind!r}; expected one of {', '.join(kinds)}", key)
    kind = QuestionKind(raw_kind)
    text = r.text(table, "text", key)
    section = r.text(table, "section", key)
    if section not in section_keys:
        raise r.fail(f"unknown section {section!r}", key)
    index = r.choice(table, "index", (*INDEXES, None), None, key)
    flag = r.boolean(table, "flag", False, key)
    if flag and index is not None:
        raise r.fail("a flag item belongs to no index", key)

    scale_name = table.get("scale")
    options = _question_options(r, table, kind, key, scales)
    anchors = _anchors(r, table, kind, key)
    if kind in _NUMERIC_KINDS:
        options = tuple(Option(code=str(n), label=str(n), score=n) for n in NUMERIC_RANGE)
    max_choices, other_option = _cards(r, table, kind, options, key)
    max_length = r.integer(table, "max_length", DEFAULT_MAX_LENGTH, key)
    if max_length < 1:
        raise r.fail("'max_length' must be positive", key)
    if "max_length" in table and kind is not QuestionKind.TEXT:
        raise r.fail("'max_length' is only for text questions", key)

    question = Question(
        key=key,
        kind=kind,
        text=text,
        section=section,
        ages=r.choice(table, "ages", AGE_BANDS, "all", key),
        rounds=r.choice(table, "rounds", ROUNDS, "all", key),
        index=index,
        flag=flag,
        options=options,
        max_choices=max_choices,
        other_option=other_option,
        max_length=max_length,
        anchors=anchors,
        source=r.text(table, "source", key),
        licence=r.text(table, "licence", key),
        optional=r.boolean(table, "optional", False, key),
        help=r.optional_text(table, "help", key),
        scale=cast(str | None, scale_name),
        requires_goals=r.boolean(table, "requires_goals", False, key),
    )
    if index is not None and not question.is_scored:
        raise r.fail(f"index {index!r} needs a scored question, not {kind.value}", key)
    if kind is QuestionKind.GOAL:
        if GOAL_PARAM not in text:
            raise r.fail(f"a goal template's text must contain {GOAL_PARAM}", key)
        if question.rounds != "follow_up":
            raise r.fail(
                "a goal template is asked only after the baseline: rounds = 'follow_up'", key
            )
    elif "%" in text:
        raise r.fail("'%' is only allowed in a goal template (texts are not format strings)", key)
    return question


def _question_options(
    r: _Reader,
    table: Mapping[str, Any],
    kind: QuestionKind,
    key: str,
    scales: Mapping[str, tuple[Option, ...]],
) -> tuple[Option, ...]:
    has_scale, has_options = "scale" in table, "options" in table
    if kind not in _LISTED_KINDS and kind is not QuestionKind.CARDS:
        if has_scale or has_options:
            raise r.fail(f"a {kind.value} question has no 'scale' or 'options'", key)
        return ()
    if has_scale == has_options:
        raise r.fail("give exactly one of 'scale' (a shared scale) or 'options'", key)
    if has_scale:
        name = table["scale"]
        if not isinstance(name, str) or name not in scales:
            raise r.fail(f"unknown scale {name!r}", key)
        options = scales[name]
    else:
        options = _options(r, table["options"], key)

    codes = [o.code for o in options]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise r.fail(f"duplicate option code(s) {', '.join(duplicates)}", key)
    if kind is QuestionKind.CARDS:
        if len(options) < 2:
            raise r.fail("cards need at least 2 options", key)
        if any(o.score is not None for o in options):
            raise r.fail("cards are not scored: remove 'score'", key)
        if any(o.icon is None for o in options):
            raise r.fail("every card needs an 'icon'", key)
        return options

    scored = [o for o in options if o.score is not None]
    unscored = [o.code for o in options if o.score is None and o.code != DONT_KNOW]
    if unscored:
        raise r.fail(
            f"option(s) {', '.join(unscored)} need a score (only {DONT_KNOW} has none)", key
        )
    if len(scored) < 2:
        raise r.fail("a scale needs at least 2 scored options", key)
    scores = [o.score for o in scored]
    if scores != list(range(len(scored))):
        raise r.fail(
            f"scores must be 0..{len(scored) - 1} in the listed (negative -> positive) order, "
            f"not {scores}",
            key,
        )
    if kind is QuestionKind.FACES:
        if len(scored) not in (3, 5):
            raise r.fail("faces have 3 or 5 scored options", key)
        if any(o.icon is None for o in scored):
            raise r.fail("every face needs an 'icon'", key)
    return options


def _anchors(
    r: _Reader, table: Mapping[str, Any], kind: QuestionKind, key: str
) -> Mapping[int, str]:
    raw = table.get("anchors")
    if kind not in _NUMERIC_KINDS:
        if raw is not None:
            raise r.fail("'anchors' are only for ladder and goal questions", key)
        return _empty_mapping()
    if not isinstance(raw, dict) or not {"0", "10"} <= set(raw) <= {"0", "5", "10"}:
        raise r.fail("'anchors' must label 0 and 10 (and optionally 5): {0 = ..., 10 = ...}", key)
    for point in raw:
        r.text(raw, point, key)
    return MappingProxyType(
        {int(point): label for point, label in sorted(raw.items(), key=lambda i: int(i[0]))}
    )


def _cards(
    r: _Reader, table: Mapping[str, Any], kind: QuestionKind, options: tuple[Option, ...], key: str
) -> tuple[int | None, str | None]:
    if kind is not QuestionKind.CARDS:
        if "max_choices" in table or "other_option" in table:
            raise r.fail("'max_choices' and 'other_option' are only for cards", key)
        return None, None
    max_choices = table.get("max_choices")
    if max_choices is not None and (
        type(max_choices) is not int or not 1 <= max_choices <= len(options)
    ):
        raise r.fail(
            f"'max_choices' must be between 1 and {len(options)}, not {max_choices!r}", key
        )
    other = table.get("other_option")
    if other is not None and other not in {o.code for o in options}:
        raise r.fail(f"'other_option' {other!r} is not one of the card codes", key)
    return max_choices, other


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class QuestionnaireRegistry:
    """Every questionnaire version found in a directory, keyed by (id, version)."""

    items: Mapping[tuple[str, int], Questionnaire]

    def get(self, id: str, version: int) -> Questionnaire:
        """That exact version; KeyError if it is not there (a published version never goes away)."""
        try:
            return self.items[(id, version)]
        except KeyError:
            raise KeyError(f"no questionnaire {id!r} version {version}") from None

    def latest(self, id: str) -> Questionnaire:
        """The highest version of ``id``; KeyError if there is none."""
        versions = [q for (qid, _), q in self.items.items() if qid == id]
        if not versions:
            raise KeyError(f"no questionnaire {id!r}")
        return max(versions, key=lambda q: q.version)

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(sorted(self.items.values(), key=lambda q: (q.id, q.version)))

    def __len__(self) -> int:
        return len(self.items)


def load_registry(directory: Path | str) -> QuestionnaireRegistry:
    """Load every ``*.toml`` in ``directory``; two files declaring the same (id, version) fail."""
    items: dict[tuple[str, int], Questionnaire] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        q = load_questionnaire(path)
        earlier = items.get((q.id, q.version))
        if earlier is not None:
            raise QuestionnaireError(
                path,
                f"{q.id} version {q.version} is already declared in {earlier.path.name}; "
                "a new version needs a new version number",
            )
        items[(q.id, q.version)] = q
    return QuestionnaireRegistry(items=MappingProxyType(items))


# --------------------------------------------------------------------------- Babel extractor

_NOTES = {
    "6-9": "Shown to 6-9: max 10 words, for a 6-year-old.",
    "10-16": "Shown to 10-16: max 20 words, no double negatives.",
    "licensed": "Licensed text that must not be altered: use the official translation.",
}


def _translatable(q: Questionnaire) -> Iterator[tuple[str, str, str | None]]:
    """(text, where, note key) for every translatable string, in file order."""
    yield q.title, "questionnaire title", None
    if q.notice:
        yield q.notice, "licence notice", None
    if q.translation_notice:
        yield q.translation_notice, "translation notice required by the licence", None
    for section in q.sections:
        yield section.title, f"section {section.key}", None
    for question in q.questions:
        if q.translation_notice:
            note: str | None = "licensed"
        elif question.ages == "10-16" or q.min_age >= 10:
            note = "10-16"
        else:
            note = "6-9"
        label = f"question {question.key} ({question.ages})"
        yield question.text, label, note
        if question.help:
            yield question.help, f"help of {label}", note
        for point, anchor in question.anchors.items():
            yield anchor, f"anchor {point} of {label}", note
        if question.kind in _NUMERIC_KINDS:
            continue  # generated options "0".."10" are numbers, not words
        owner = f"scale {question.scale}" if question.scale else label
        for option in question.options:
            yield option.label, f"answer '{option.code}' of {owner}", note


def extract_questionnaire(
    fileobj: IO[bytes],
    keywords: Iterable[str],
    comment_tags: Iterable[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor: every translatable string of a questionnaire file, once, with a comment.

    Wire it in a babel config as ``[extractors] questionnaire = kidsvoice.questionnaire:
    extract_questionnaire`` and ``[questionnaire: kidsvoice/questionnaires/*.toml]``. The file is
    validated first, so an invalid file fails the extraction loudly. A string used in several
    places (a shared scale, a text shared by both variants) is yielded once with every place in
    its ``Translators:`` comment, and the 6-9 length reminder when any use is shown to 6-9.
    """
    data = fileobj.read()
    q = parse_questionnaire(data, getattr(fileobj, "name", "<questionnaire>"))
    source = data.decode("utf-8")
    found: dict[str, tuple[list[str], set[str]]] = {}
    for text, where, note in _translatable(q):
        places, notes = found.setdefault(text, ([], set()))
        if where not in places:
            places.append(where)
        if note:
            notes.add(note)
    for text, (places, notes) in found.items():
        # the strictest applicable note: licensed, else the 6-9 limit, else the 10-16 limit
        note = next((_NOTES[n] for n in ("licensed", "6-9", "10-16") if n in notes), "")
        comment = f"Translators: {q.id} v{q.version}, {'; '.join(places)}. {note}".rstrip()
        yield _line_of(source, text), None, text, [comment]


def _line_of(source: str, text: str) -> int:
    """1-based line where ``text`` is first written as a TOML string (1 if written escaped)."""
    for written in (f'"{text}"', f"'{text}'"):
        at = source.find(written)
        if at >= 0:
            return source.count("\n", 0, at) + 1
    return 1
