"""The questionnaire model: shipped files, validation, age variants, steps, registry, catalogs."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

from kidsvoice import questionnaire as qmod
from kidsvoice.questionnaire import (
    DONT_KNOW,
    GoalRef,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireError,
    extract_questionnaire,
    load_questionnaire,
    load_registry,
    variant_for_age,
)

ROOT = Path(__file__).resolve().parents[2]
QDIR = ROOT / "kidsvoice" / "questionnaires"
STANDARD = QDIR / "kidsvoice-standard-v1.toml"
WHO5 = QDIR / "who5-v1.toml"
OWN = "CC BY 4.0 KidsVoice"


@pytest.fixture(scope="module")
def std() -> Questionnaire:
    return load_questionnaire(STANDARD)


@pytest.fixture(scope="module")
def who5() -> Questionnaire:
    return load_questionnaire(WHO5)


def keys(questions: tuple[Question, ...]) -> list[str]:
    return [q.key for q in questions]


def by_key(q: Questionnaire, variant: qmod.Variant) -> dict[str, Question]:
    return {x.key: x for x in q.steps(variant, "follow_up", [GoalRef(1, "x")])}


# --------------------------------------------------------------------------- shipped content


def test_registry_loads_the_shipped_files() -> None:
    registry = load_registry(QDIR)
    assert {(q.id, q.version) for q in registry} == {("kidsvoice-standard", 1), ("who5", 1)}
    assert registry.latest("kidsvoice-standard").path == STANDARD
    assert registry.get("who5", 1).module


def test_standard_header(std: Questionnaire) -> None:
    assert (std.id, std.version, std.min_age, std.max_age) == ("kidsvoice-standard", 1, 6, 16)
    assert not std.module
    assert std.replaces == ()
    assert [s.key for s in std.sections] == [
        "goals", "wishes", "heard", "how_i_am", "school", "relations",
    ]  # fmt: skip


def test_every_item_has_source_and_licence(std: Questionnaire) -> None:
    survey = {"S1", "R5"}  # national survey wording, exempt from copyright (§9)
    for q in std.questions:
        assert q.source
        assert q.licence
        if q.key in survey:
            assert "Nationale trivselsmåling" in q.source
            assert "§9" in q.licence
        else:
            assert q.licence == OWN, q.key
    # S3 is adapted in INSTRUMENT; S2's Danish was adapted for LIX ("i timen" for "i timerne")
    assert all("adapted" in by_key(std, "6-9")[k].source for k in ("S2", "S3"))


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        (
            "6-9",
            {
                "heard": ["H1", "H2", "H4"],
                "mood": ["L1", "L2", "L3"],
                "school": ["S1", "S2", "S3", "S4"],
                "relations": ["R1", "R2", "R3"],
            },
        ),
        (
            "10-16",
            {
                "heard": ["H1", "H2", "H3", "H4"],
                "mood": ["L2", "L3"],  # the ladder is reported on its own
                "school": ["S1", "S2", "S3", "S4"],
                "relations": ["R1", "R2", "R3", "R4"],
            },
        ),
    ],
)
def test_index_membership(
    std: Questionnaire, variant: qmod.Variant, expected: dict[str, list[str]]
) -> None:
    questions = by_key(std, variant).values()
    for index, members in expected.items():
        assert [q.key for q in questions if q.index == index] == members
    assert sorted(q.key for q in questions if q.flag) == ["L4", "R5"]
    assert all(q.index is None for q in questions if q.flag)


def test_response_formats_per_variant(std: Questionnaire) -> None:
    young, older = by_key(std, "6-9"), by_key(std, "10-16")
    multi = ["H1", "H2", "H4", "L2", "L3", "L4", "S1", "S2", "S3", "S4", "R2", "R3", "R5"]
    for key in multi:
        assert (young[key].kind, young[key].k) == (QuestionKind.FACES, 3), key
        assert all(o.icon and o.icon.startswith("face-") for o in young[key].options)
        assert (older[key].kind, older[key].k) == (QuestionKind.SCALE, 5), key
        assert older[key].scale == "V5-freq"
    assert young["S1"].scale == "F3-amount"
    assert young["H1"].scale == "F3-freq"
    assert young["L1"].kind is QuestionKind.FACES
    assert young["L1"].scale == "F5-life"
    assert [o.icon for o in young["L1"].options] == [
        "face-very-low", "face-low", "face-mid", "face-high", "face-very-high",
    ]  # fmt: skip
    ladder = older["L1"]
    assert ladder.kind is QuestionKind.LADDER
    assert ladder.k == 11
    assert ladder.index is None
    assert dict(ladder.anchors) == {0: "worst possible life", 10: "best possible life"}
    assert [o.code for o in ladder.options] == [str(n) for n in range(11)]


def test_flag_faces_match_the_feeling(std: Questionnaire) -> None:
    """Not worried = happy face; the codes and scores stay those of F3-freq."""
    l4 = by_key(std, "6-9")["L4"]
    assert [(o.code, o.score, o.icon) for o in l4.options] == [
        ("no", 0, "face-high"), ("sometimes", 1, "face-mid"), ("often", 2, "face-low"),
    ]  # fmt: skip


def test_special_scales(std: Questionnaire) -> None:
    h5 = by_key(std, "6-9")["H5"]
    assert h5.rounds == "follow_up"
    assert h5.index is None
    assert h5.kind is QuestionKind.CHOICE
    assert [(o.code, o.label, o.score) for o in h5.options] == [
        ("no", "No", 0), ("a_bit", "A bit", 1), ("yes", "Yes", 2),
        (DONT_KNOW, "I don't know", None),
    ]  # fmt: skip
    assert h5.k == 3
    r1 = by_key(std, "10-16")["R1"]
    assert [(o.label, o.score) for o in r1.options] == [
        ("No", 0), ("Yes, one", 1), ("Yes, several", 2),
    ]  # fmt: skip


def test_cards(std: Questionnaire) -> None:
    questions = by_key(std, "6-9")
    w2, s5 = questions["W2"], questions["S5"]
    assert w2.kind is QuestionKind.CARDS
    assert len(w2.options) == 13
    assert (w2.max_choices, w2.other_option) == (3, "other")
    assert w2.options[-1].label == "Something else…"
    assert len(s5.options) == 10
    assert s5.max_choices is None
    assert s5.other_option == "other"
    assert not w2.is_scored
    assert not s5.is_scored


def test_icon_list_in_the_file_header_is_complete(std: Questionnaire) -> None:
    """The header comment is what the SVGs are drawn from: it lists exactly the icons used."""
    block = STANDARD.read_text(encoding="utf-8").split("Icon names used")[1].split("\n#\n")[0]
    listed = {n for line in block.splitlines()[1:] for n in line.lstrip("#").split(":")[-1].split()}
    assert listed == {o.icon for q in std.questions for o in q.options if o.icon}


def test_goal_template(std: Questionnaire) -> None:
    goal = std.goal_template
    assert goal is not None
    assert goal.kind is QuestionKind.GOAL
    assert goal.rounds == "follow_up"
    assert goal.text == 'How close are you to your goal: "%(goal)s"?'
    assert dict(goal.anchors) == {0: "not started", 5: "halfway", 10: "I've reached it"}
    assert goal.k == 11


def test_texts_are_instrument_english(std: Questionnaire) -> None:
    young, older = by_key(std, "6-9"), by_key(std, "10-16")
    assert young["W1"].text == "If you had a magic wand, what would you change?"
    assert older["W1"].text == (
        "If you could change one thing at school or at home, what would it be?"
    )
    assert older["L1"].text.startswith("Here is a ladder. The top (10)")
    assert young["G4"].text == "What has helped you get closer?"
    assert young["G4"].optional


# --------------------------------------------------------------------------- variants and steps


@pytest.mark.parametrize(
    ("age", "variant"),
    [
        (5, "6-9"),
        (6, "6-9"),
        (7, "6-9"),
        (9, "6-9"),
        (10, "10-16"),
        (14, "10-16"),
        (16, "10-16"),
        (17, "10-16"),
    ],
)
def test_variant_for_age(std: Questionnaire, age: int, variant: str) -> None:
    assert variant_for_age(age) == variant == std.variant_for_age(age)


YOUNG_BASELINE = [
    "W1", "W2", "W3", "H1", "H2", "H4", "L1", "L2", "L3", "L4",
    "S1", "S2", "S3", "S4", "S5", "R1", "R2", "R3", "R5",
]  # fmt: skip
OLDER_BASELINE = [
    "W1", "W2", "W3", "W4", "H1", "H2", "H3", "H4", "L1", "L2", "L3", "L4",
    "S1", "S2", "S3", "S4", "S5", "R1", "R2", "R3", "R4", "R5",
]  # fmt: skip


def with_h5(baseline: list[str]) -> list[str]:
    at = baseline.index("L1")
    return [*baseline[:at], "H5", *baseline[at:]]


def test_seven_year_old_baseline(std: Questionnaire) -> None:
    variant = std.variant_for_age(7)
    assert keys(std.steps(variant, "baseline", [])) == YOUNG_BASELINE
    assert keys(std.questions_for(variant, "baseline")) == YOUNG_BASELINE


def test_fourteen_year_old_baseline(std: Questionnaire) -> None:
    variant = std.variant_for_age(14)
    assert keys(std.steps(variant, "baseline", [])) == OLDER_BASELINE


@pytest.mark.parametrize(
    ("variant", "baseline"), [("6-9", YOUNG_BASELINE), ("10-16", OLDER_BASELINE)]
)
@pytest.mark.parametrize("round_kind", ["follow_up", "check_in"])
def test_follow_up_with_two_goals(
    std: Questionnaire, variant: qmod.Variant, baseline: list[str], round_kind: qmod.RoundKind
) -> None:
    goals = [GoalRef(12, "Go to school every day"), GoalRef(15, "Read a book")]
    steps = std.steps(variant, round_kind, goals)
    assert keys(steps) == ["goal-12", "goal-15", "G4", *with_h5(baseline)]
    first = steps[0]
    assert first.kind is QuestionKind.GOAL
    assert first.section == "goals"
    assert first.text == 'How close are you to your goal: "%(goal)s"?'
    assert dict(first.params) == {"goal": "Go to school every day"}
    assert dict(steps[1].params) == {"goal": "Read a book"}
    assert std.goal_template is not None
    assert dict(std.goal_template.params) == {}


def test_follow_up_without_goals_has_no_goal_questions(std: Questionnaire) -> None:
    assert keys(std.steps("6-9", "follow_up", [])) == with_h5(YOUNG_BASELINE)
    assert keys(std.questions_for("6-9", "follow_up")) == with_h5(YOUNG_BASELINE)


def test_goals_are_ignored_at_baseline(std: Questionnaire) -> None:
    assert keys(std.steps("10-16", "baseline", [GoalRef(1, "x")])) == OLDER_BASELINE


def test_steps_rejects_bad_arguments(std: Questionnaire, who5: Questionnaire) -> None:
    with pytest.raises(ValueError, match="variant"):
        std.steps("5-8", "baseline", [])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="round kind"):
        std.questions_for("6-9", "final")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unique"):
        std.steps("6-9", "follow_up", [GoalRef(1, "a"), GoalRef(1, "b")])
    with pytest.raises(ValueError, match="not a module"):
        std.steps("6-9", "baseline", [], modules=[std])


# --------------------------------------------------------------------------- the WHO-5 module


def test_who5_module(who5: Questionnaire) -> None:
    assert who5.module
    assert not who5.enabled_by_default
    assert who5.replaces == ("L2", "L3")
    assert (who5.min_age, who5.max_age, who5.licence) == (10, 16, "CC BY-NC-SA 3.0 IGO")
    assert who5.notice
    assert "WHO/UCN/MSD/MHE/2024.01" in who5.notice
    assert "CC BY-NC-SA 3.0 IGO" in who5.notice
    assert who5.translation_notice
    assert who5.translation_notice.startswith(
        "This translation was not created by the World Health Organization (WHO)."
    )
    assert keys(who5.questions) == [f"WHO5-{n}" for n in range(1, 6)]
    for q in who5.questions:
        assert q.ages == "10-16"
        assert q.index == "mood"
        assert q.licence == "CC BY-NC-SA 3.0 IGO"
        assert [(o.label, o.score) for o in q.options] == [
            ("At no time", 0), ("Some of the time", 1), ("Less than half of the time", 2),
            ("More than half of the time", 3), ("Most of the time", 4), ("All of the time", 5),
        ]  # fmt: skip
    assert who5.questions[0].text == "I have felt cheerful and in good spirits"


def test_who5_replaces_l2_l3_for_10_16_only(std: Questionnaire, who5: Questionnaire) -> None:
    older = std.steps("10-16", "baseline", [], modules=[who5])
    expected = [k for k in OLDER_BASELINE if k not in ("L2", "L3")]
    at = expected.index("L1") + 1
    expected[at:at] = [f"WHO5-{n}" for n in range(1, 6)]
    assert keys(older) == expected
    assert {q.section for q in older if q.key.startswith("WHO5")} == {"how_i_am"}
    assert keys(std.steps("6-9", "baseline", [], modules=[who5])) == YOUNG_BASELINE


# --------------------------------------------------------------------------- validation

DROP = object()
BASE: dict[str, Any] = {"id": "test", "version": 1, "title": "Test", "licence": OWN}
F3 = [
    {"code": "no", "label": "No", "score": 0, "icon": "face-low"},
    {"code": "sometimes", "label": "Sometimes", "score": 1, "icon": "face-mid"},
    {"code": "often", "label": "Yes, often", "score": 2, "icon": "face-high"},
]


def toml(value: Any) -> str:
    """A tiny TOML writer for the test files (scalars, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + " }"


def question(**fields: Any) -> dict[str, Any]:
    q: dict[str, Any] = {
        "key": "Q1", "section": "main", "kind": "faces", "scale": "F3",
        "text": "Are you happy?", "source": "KidsVoice", "licence": OWN,
    }  # fmt: skip
    q.update(fields)
    return {k: v for k, v in q.items() if v is not DROP}


def write(
    tmp_path: Path,
    questions: list[dict[str, Any]],
    name: str = "test-v1.toml",
    **top: Any,
) -> Path:
    header = {k: v for k, v in {**BASE, **top}.items() if v is not DROP}
    lines = [f"{k} = {toml(v)}" for k, v in header.items()]
    lines += ["[[sections]]", 'key = "main"', 'title = "Main"']
    lines += ["[scales.F3]", f"options = {toml(F3)}"]
    for q in questions:
        lines.append("[[questions]]")
        lines += [f"{k} = {toml(v)}" for k, v in q.items()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def options(*scores: int | None, codes: list[str] | None = None) -> list[dict[str, Any]]:
    codes = codes or [f"o{i}" for i in range(len(scores))]
    return [
        {"code": c, "label": f"Label {c}", **({} if s is None else {"score": s})}
        for c, s in zip(codes, scores, strict=True)
    ]


def test_minimal_file_is_valid(tmp_path: Path) -> None:
    q = load_questionnaire(
        write(tmp_path, [question(ages="6-9"), question(ages="10-16", kind="scale")])
    )
    assert q.id == "test"
    assert len(q.questions) == 2
    assert q.questions[0].options[0].icon == "face-low"


CARDS = {"kind": "cards", "scale": DROP, "options": [
    {"code": "a", "label": "A", "icon": "book"}, {"code": "b", "label": "B", "icon": "play"},
]}  # fmt: skip
ANCHORS = {"0": "a", "10": "b"}


def scale_q(*scores: int | None, codes: list[str] | None = None) -> dict[str, Any]:
    return question(kind="scale", scale=DROP, options=options(*scores, codes=codes))


# (test id, the questions of the file, a fragment of the message); the last question is the bad one
# fmt: off
INVALID_QUESTIONS: list[tuple[str, list[dict[str, Any]], str]] = [
    ("unknown kind", [question(kind="slider")], "unknown kind 'slider'"),
    ("missing text", [question(text=DROP)], "'text' must be a non-empty string"),
    ("empty text", [question(text="  ")], "'text' must be a non-empty string"),
    ("missing source", [question(source=DROP)], "'source' must be a non-empty string"),
    ("duplicate id", [question(), question(ages="6-9")], "duplicate question id in the 6-9"),
    ("duplicate id 10-16", [question(ages="10-16")] * 2, "duplicate question id in the 10-16"),
    ("one option", [scale_q(0)], "at least 2 scored options"),
    ("duplicate codes", [scale_q(0, 1, codes=["a", "a"])], "duplicate option code(s) a"),
    ("scores from 1", [scale_q(1, 2, 3)], "scores must be 0..2"),
    ("scores reversed", [scale_q(2, 1, 0)], "not [2, 1, 0]"),
    ("unscored option", [scale_q(0, 1, None)], "option(s) o2 need a score"),
    ("reserved declined", [scale_q(0, 1, None, codes=["a", "b", "declined"])],
     "'declined' is reserved"),
    ("scored dont_know", [scale_q(0, 1, 2, codes=["a", "b", "dont_know"])],
     "'dont_know' cannot have a score"),
    ("bad code", [scale_q(0, 1, codes=["A b", "c"])], "option code 'A b'"),
    ("faces of four", [question(scale=DROP, options=[{**o, "icon": "face"} for o in options(
        0, 1, 2, 3)])], "faces have 3 or 5"),
    ("faces without icons", [question(scale=DROP, options=options(0, 1, 2))],
     "every face needs an 'icon'"),
    ("unknown scale", [question(scale="F9")], "unknown scale 'F9'"),
    ("scale and options", [question(options=options(0, 1))], "exactly one of 'scale'"),
    ("cards without options", [question(**{**CARDS, "options": []})], "at least 2 options"),
    ("cards no options key", [question(kind="cards", scale=DROP)], "exactly one of 'scale'"),
    ("cards scored", [question(**{**CARDS, "options": [{**o, "icon": "x"} for o in options(
        0, 1)]})], "cards are not scored"),
    ("cards max 0", [question(**CARDS, max_choices=0)], "between 1 and 2, not 0"),
    ("cards max 3", [question(**CARDS, max_choices=3)], "between 1 and 2, not 3"),
    ("cards max text", [question(**CARDS, max_choices="2")], "between 1 and 2, not '2'"),
    ("cards other unknown", [question(**CARDS, other_option="zz")],
     "'other_option' 'zz' is not one of the card codes"),
    ("max_choices on faces", [question(max_choices=2)], "only for cards"),
    ("unknown index", [question(index="wellbeing")],
     "'index' must be one of 'heard', 'mood', 'school', 'relations', not 'wellbeing'"),
    ("index on text", [question(kind="text", scale=DROP, index="heard")],
     "index 'heard' needs a scored question, not text"),
    ("flag with index", [question(index="mood", flag=True)], "a flag item belongs to no index"),
    ("bad ages", [question(ages="6-10")], "'ages' must be one of 'all', '6-9', '10-16', not"),
    ("bad rounds", [question(rounds="baseline")], "'rounds' must be one of 'all', 'follow_up'"),
    ("unknown section", [question(section="extra")], "unknown section 'extra'"),
    ("typo in a key", [question(licens="x")], "unknown question key(s) licens"),
    ("ladder without anchors", [question(kind="ladder", scale=DROP)], "must label 0 and 10"),
    ("ladder with options", [question(kind="ladder")], "has no 'scale' or 'options'"),
    ("goal without placeholder", [question(kind="goal", scale=DROP, rounds="follow_up",
                                           anchors=ANCHORS)], "must contain %(goal)s"),
    ("goal at baseline", [question(kind="goal", scale=DROP, text="%(goal)s?", anchors=ANCHORS)],
     "rounds = 'follow_up'"),
    ("percent in text", [question(text="100% sure?")], "'%' is only allowed in a goal template"),
    ("text max_length 0", [question(kind="text", scale=DROP, max_length=0)], "must be positive"),
    ("goal- key", [question(key="goal-1")], "must be letters"),
]
# fmt: on


@pytest.mark.parametrize(
    ("questions", "fragment"),
    [pytest.param(qs, fragment, id=name) for name, qs, fragment in INVALID_QUESTIONS],
)
def test_invalid_question(tmp_path: Path, questions: list[dict[str, Any]], fragment: str) -> None:
    path = write(tmp_path, questions)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    error = caught.value
    assert error.path == path
    assert fragment in str(error)
    assert str(path) in str(error)
    key = questions[-1].get("key")
    if error.question is not None:
        assert error.question == key
        assert f"question {key}:" in str(error)
    else:
        assert fragment == "must be letters"  # an invalid key cannot name the question


@pytest.mark.parametrize(
    ("top", "fragment"),
    [
        ({"version": 0}, "'version' must be a positive integer, not 0"),
        ({"version": -2}, "'version' must be a positive integer, not -2"),
        ({"version": "1"}, "'version' must be a positive integer, not '1'"),
        ({"version": True}, "'version' must be a positive integer, not True"),
        ({"version": 1.0}, "'version' must be a positive integer, not 1.0"),
        ({"version": DROP}, "'version' must be a positive integer, not None"),
        ({"id": DROP}, "'id' must be a non-empty string"),
        ({"id": "a b"}, "'id' 'a b' may only contain"),
        ({"title": ""}, "'title' must be a non-empty string"),
        ({"licence": DROP}, "'licence' must be a non-empty string"),
        ({"min_age": 12, "max_age": 10}, "ages 12-10 are not a valid range"),
        ({"module": True}, "a module must name the base questions it 'replaces'"),
        ({"replaces": ["L2"]}, "'replaces' is only allowed with module = true"),
        ({"colour": "red"}, "unknown top-level key(s) colour"),
    ],
)
def test_invalid_header(tmp_path: Path, top: dict[str, Any], fragment: str) -> None:
    path = write(tmp_path, [question()], **top)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert caught.value.question is None
    assert str(caught.value) == f"{path}: {caught.value.reason}"
    assert fragment in str(caught.value)


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken-v1.toml"
    path.write_text('id = "x\n', encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="not a valid UTF-8 TOML file") as caught:
        load_questionnaire(path)
    assert caught.value.path == path


def test_same_key_in_both_variants_is_allowed(tmp_path: Path) -> None:
    q = load_questionnaire(
        write(tmp_path, [question(ages="6-9"), question(ages="10-16", kind="scale")])
    )
    assert [x.ages for x in q.steps("6-9", "baseline")] == ["6-9"]
    assert [x.kind for x in q.steps("10-16", "baseline")] == [QuestionKind.SCALE]


# --------------------------------------------------------------------------- registry and digest


def test_registry_rejects_two_files_with_the_same_id_and_version(tmp_path: Path) -> None:
    write(tmp_path, [question()], name="test-v1.toml")
    write(tmp_path, [question(text="Changed?")], name="test-v1-copy.toml")
    with pytest.raises(QuestionnaireError, match="already declared in test-v1-copy.toml") as caught:
        load_registry(tmp_path)
    assert caught.value.path.name == "test-v1.toml"


def test_registry_get_and_latest(tmp_path: Path) -> None:
    write(tmp_path, [question()], name="test-v1.toml")
    write(tmp_path, [question()], name="test-v2.toml", version=2)
    registry = load_registry(tmp_path)
    assert len(registry) == 2
    assert registry.get("test", 1).version == 1
    assert registry.latest("test").path.name == "test-v2.toml"
    with pytest.raises(KeyError):
        registry.get("test", 3)
    with pytest.raises(KeyError):
        registry.latest("other")


def test_digest_is_the_sha256_of_the_file_and_stable(tmp_path: Path) -> None:
    assert load_questionnaire(STANDARD).digest == hashlib.sha256(STANDARD.read_bytes()).hexdigest()
    assert load_questionnaire(STANDARD).digest == load_questionnaire(STANDARD).digest
    path = write(tmp_path, [question()])
    before = load_questionnaire(path).digest
    path.write_text(path.read_text(encoding="utf-8").replace("Are you happy?", "Are you glad?"))
    assert load_questionnaire(path).digest != before


# --------------------------------------------------------------------------- Babel extractor


def translatable(q: Questionnaire) -> set[str]:
    """Every string a person reads, collected independently of the extractor."""
    texts = {q.title, *(s.title for s in q.sections)}
    texts |= {t for t in (q.notice, q.translation_notice) if t}
    for x in q.questions:
        texts |= {x.text, *x.anchors.values(), *([x.help] if x.help else [])}
        if x.kind not in (QuestionKind.LADDER, QuestionKind.GOAL):
            texts |= {o.label for o in x.options}
    return texts


def extracted(path: Path) -> list[tuple[int, None, str, list[str]]]:
    with path.open("rb") as f:
        return list(extract_questionnaire(f, [], ["Translators:"], {}))


@pytest.mark.parametrize("path", [STANDARD, WHO5], ids=["standard", "who5"])
def test_extractor_yields_every_text_once(path: Path) -> None:
    rows = extracted(path)
    texts = [text for _, _, text, _ in rows]
    assert len(texts) == len(set(texts))
    assert set(texts) == translatable(load_questionnaire(path))
    assert all(comment[0].startswith("Translators: ") for *_, comment in rows)
    assert all(line >= 1 for line, *_ in rows)


def test_extractor_comments(std: Questionnaire) -> None:
    comments = {text: comment[0] for _, _, text, comment in extracted(STANDARD)}
    young = comments["If you had a magic wand, what would you change?"]
    assert "question W1 (6-9)" in young
    assert "max 10 words, for a 6-year-old" in young
    assert "max 10 words" not in comments["Is there an adult where you live whom you trust?"]
    shared = comments["Do you get to say what you think when things are decided about you?"]
    assert "max 10 words, for a 6-year-old" in shared
    who = {text: comment[0] for _, _, text, comment in extracted(WHO5)}
    assert "must not be altered" in who["I have felt calm and relaxed"]


def test_babel_accepts_the_extractor() -> None:
    with STANDARD.open("rb") as f:
        messages = list(extract("kidsvoice.questionnaire:extract_questionnaire", f))
    assert "Do you like your school?" in {m for _, m, _, _ in messages}
    line = next(n for n, m, _, _ in messages if m == "Do you like your school?")
    assert (
        'text = "Do you like your school?"'
        in STANDARD.read_text(encoding="utf-8").splitlines()[line - 1]
    )


# --------------------------------------------------------------------------- catalogs

POT = ROOT / "translations" / "questionnaire.pot"


def catalog(locale: str | None = None) -> Any:
    path = (
        POT
        if locale is None
        else ROOT / "translations" / locale / "LC_MESSAGES" / "questionnaire.po"
    )
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def test_pot_is_up_to_date() -> None:
    """A changed questionnaire file needs `make i18n-extract` (see questionnaires/README.md)."""
    fresh = {text for path in sorted(QDIR.glob("*.toml")) for _, _, text, _ in extracted(path)}
    assert {m.id for m in catalog() if m.id} == fresh


@pytest.mark.parametrize("locale", ["da", "en"])
def test_every_msgid_is_translated(locale: str) -> None:
    po = catalog(locale)
    assert not po.fuzzy
    template = {m.id for m in catalog() if m.id}
    messages = {m.id: m for m in po if m.id}
    assert set(messages) == template
    for msgid, message in messages.items():
        assert message.string.strip(), msgid
        assert not message.fuzzy, msgid
        assert re.findall(r"%\(\w+\)s", message.string) == re.findall(r"%\(\w+\)s", msgid)
        if locale == "en":
            assert message.string == msgid


@pytest.mark.parametrize(
    ("msgid", "danish"),
    [
        ("worst possible life", "det dårligst mulige liv"),
        ("best possible life", "det bedst mulige liv"),
        ("not started", "slet ikke i gang"),
        ("halfway", "halvvejs"),
        ("I've reached it", "jeg har nået det"),
        ('How close are you to your goal: "%(goal)s"?', 'Hvor tæt er du på dit mål: "%(goal)s"?'),
        ("No, hardly ever", "Nej, næsten aldrig"),
        ("I don't know", "Ved ikke"),
        ("Nothing, it isn't hard", "Ingenting – det er ikke svært"),
        (
            "I have felt cheerful and in good spirits",
            "I de sidste 2 uger har jeg været glad og i godt humør",
        ),
        (
            "My daily life has been filled with things that interest me",
            "I de sidste 2 uger har min dagligdag været fyldt med ting der interesserer mig",
        ),
        ("More than half of the time", "Lidt mere end halvdelen af tiden"),
        ("At no time", "På intet tidspunkt"),
    ],
)
def test_danish_wording_from_the_instrument(msgid: str, danish: str) -> None:
    assert catalog("da")[msgid].string == danish


def test_who5_translation_notice_is_translated() -> None:
    who5 = load_questionnaire(WHO5)
    assert who5.translation_notice is not None
    assert catalog("da")[who5.translation_notice].string.startswith(
        "Denne oversættelse er ikke udarbejdet af Verdenssundhedsorganisationen (WHO)."
    )


def test_module_is_pure() -> None:
    """questionnaire.py must not import Flask or SQLAlchemy (DESIGN.md: pure modules)."""
    source = Path(qmod.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+(flask|sqlalchemy)", source, re.MULTILINE)
