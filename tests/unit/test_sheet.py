"""The answer sheet's pure logic: sections, scores, bands, change, goal series, chart geometry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kidsvoice.questionnaire import load_registry
from kidsvoice.sheet import (
    SECTION_ORDER,
    GoalInfo,
    ItemState,
    RoundInput,
    build_history,
    build_sheet,
    goal_chart,
    kept_from_meeting,
)
from tests.meeting_data import (
    BASELINE_6_9,
    BASELINE_10_16,
    DECLINED,
    DONT_KNOW,
    FOLLOW_UP_6_9,
    WHO5_LOW,
    score,
    stored,
)

QDIR = Path(__file__).resolve().parents[2] / "kidsvoice" / "questionnaires"
REGISTRY = load_registry(QDIR)
STANDARD = REGISTRY.get("kidsvoice-standard", 1)
WHO5 = REGISTRY.get("who5", 1)


def rnd(answers, *, round_id=1, position=1, kind="baseline", label="Before", variant="6-9",
        hidden=(), on=date(2027, 3, 1)) -> RoundInput:
    return RoundInput(
        round_id=round_id,
        position=position,
        kind=kind,
        label=label,
        variant=variant,
        questionnaire=STANDARD,
        answers=stored(answers, hidden),
        completed_on=on,
        modules=(WHO5,),
    )


def items(sheet, section):
    return {item.key: item for item in sheet.section(section).items}


# --------------------------------------------------------------------------- one round


def test_sections_come_wishes_first_in_meeting_order() -> None:
    sheet = build_sheet([rnd(BASELINE_6_9)], 1)
    keys = [s.key for s in sheet.sections]
    assert keys == ["wishes", "heard", "how_i_am", "school", "relations"]
    assert keys == [k for k in SECTION_ORDER if k in keys]


def test_wishes_in_the_childs_own_words_and_cards() -> None:
    sheet = build_sheet([rnd(BASELINE_6_9)], 1)
    wishes = items(sheet, "wishes")
    assert wishes["W1"].text == "At mor ikke skal arbejde så meget"
    # English msgids, in screen order, with the card's picture
    assert [(c.label, c.icon) for c in wishes["W2"].cards] == [
        ("Reading", "book"), ("Friends", "friends")]
    assert wishes["W2"].other is True
    assert wishes["W2"].other_text == "Lære at cykle"
    assert "W4" not in wishes  # 10-16 only


def test_kept_answers_are_left_out_and_counted() -> None:
    sheet = build_sheet([rnd(BASELINE_6_9, hidden={"W3"})], 1)
    assert "W3" not in items(sheet, "wishes")
    assert sheet.kept_count == 1
    all_text = [i.text for s in sheet.sections for i in s.items]
    assert "Jeg er bange for Kasper i frikvarteret" not in all_text


def test_kept_answers_are_what_the_safeguarding_page_lists() -> None:
    kept = kept_from_meeting(rnd(BASELINE_6_9, hidden={"W3"}))
    assert [(i.key, i.text) for i in kept] == [("W3", "Jeg er bange for Kasper i frikvarteret")]
    assert kept_from_meeting(rnd(BASELINE_6_9)) == ()


def test_indexes_of_a_6_to_9_baseline() -> None:
    sheet = build_sheet([rnd(BASELINE_6_9)], 1)
    m = sheet.measures
    assert m["heard"].value == 75.0  # (1/2 + 2/2) / 2, H4 declined
    assert m["mood"].value == 75.0  # L1 3/4, L2 1/2, L3 2/2
    assert m["school"].value == 50.0
    assert m["relations"].value == pytest.approx(83.333, abs=1e-3)
    assert "ladder" not in m
    assert "who5" not in m
    assert all(measure.change is None for measure in m.values())
    assert sheet.previous is None
    assert [x.key for x in sheet.section("heard").measures] == ["heard"]
    assert [x.key for x in sheet.section("how_i_am").measures] == ["mood"]


def test_skipped_and_declined_are_shown_as_such() -> None:
    answers = dict(BASELINE_6_9)
    del answers["S2"]  # asked, never answered
    sheet = build_sheet([rnd(answers)], 1)
    assert items(sheet, "heard")["H4"].state is ItemState.DECLINED
    assert items(sheet, "school")["S2"].state is ItemState.SKIPPED
    assert sheet.skipped_count == 2
    # School: S1 2/2, S3 1/2, S4 1/2 -> three of four answered
    assert sheet.measures["school"].value == pytest.approx(66.667, abs=1e-3)


def test_an_index_needs_half_of_its_items() -> None:
    answers = {**BASELINE_6_9, "H1": DECLINED, "H4": DECLINED}
    assert build_sheet([rnd(answers)], 1).measures["heard"].value is None


def test_option_labels_and_flags() -> None:
    sheet = build_sheet([rnd(BASELINE_6_9)], 1)
    how = items(sheet, "how_i_am")
    assert how["L1"].option == "Good"
    assert how["L4"].option == "Yes, often"
    assert how["L4"].flag is True
    assert items(sheet, "relations")["R5"].flag is False
    assert items(sheet, "relations")["R1"].option == "Yes, one"
    assert items(sheet, "heard")["H1"].flag is None  # not a flag item
    assert [i.key for i in sheet.flagged] == ["L4"]


def test_a_declined_flag_item_raises_no_flag() -> None:
    sheet = build_sheet([rnd({**BASELINE_6_9, "L4": DECLINED})], 1)
    assert items(sheet, "how_i_am")["L4"].flag is None
    assert sheet.flagged == ()


def test_ten_to_sixteen_ladder_and_flag_at_often() -> None:
    sheet = build_sheet([rnd(BASELINE_10_16, variant="10-16")], 1)
    m = sheet.measures
    assert m["ladder"].value == 6.0
    assert m["ladder"].maximum == 10
    assert m["mood"].value == pytest.approx(37.5)  # L2 2/4, L3 1/4; L1 is reported alone
    assert m["heard"].value == pytest.approx(62.5)  # 2, 3, 1, 4 of 4
    assert items(sheet, "how_i_am")["L4"].flag is True  # "Often"
    assert items(sheet, "relations")["R5"].flag is False  # "Rarely"
    assert [x.key for x in sheet.section("how_i_am").measures] == ["mood", "ladder"]
    assert items(sheet, "wishes")["W4"].text == "Fodbold om tirsdagen"


def test_who5_module_replaces_l2_l3_and_gives_a_band() -> None:
    answers = {k: v for k, v in BASELINE_10_16.items() if k not in ("L2", "L3")} | WHO5_LOW
    sheet = build_sheet([rnd(answers, variant="10-16")], 1)
    m = sheet.measures
    assert m["who5"].raw == 12
    assert m["who5"].value == 48.0
    assert m["who5"].band == "low"
    assert m["mood"].value == 48.0  # the WHO-5 items are the 10-16 Mood index now
    how = items(sheet, "how_i_am")
    assert "L2" not in how
    assert how["WHO5-1"].option == "More than half of the time"
    assert sheet.notices
    assert "World Health Organization" in sheet.notices[0]
    assert [x.key for x in sheet.section("how_i_am").measures] == ["mood", "ladder", "who5"]


@pytest.mark.parametrize(
    ("vector", "raw", "pct", "band"),
    [((5, 5, 5, 5, 5), 25, 100, None), ((3, 3, 3, 2, 2), 13, 52, None),
     ((3, 3, 2, 2, 2), 12, 48, "low"), ((2, 1, 1, 1, 2), 7, 28, "very_low")],
)
def test_who5_vectors_on_the_sheet(vector, raw, pct, band) -> None:
    who = {f"WHO5-{i}": score(v) for i, v in enumerate(vector, 1)}
    sheet = build_sheet([rnd(BASELINE_10_16 | who, variant="10-16")], 1)
    m = sheet.measures["who5"]
    assert (m.raw, m.value, m.band) == (raw, pct, band)


def test_who5_with_a_skipped_item_has_no_score() -> None:
    who = WHO5_LOW | {"WHO5-3": DECLINED}
    sheet = build_sheet([rnd(BASELINE_10_16 | who, variant="10-16")], 1)
    assert sheet.measures["who5"].value is None
    assert sheet.measures["who5"].band is None


def test_a_hidden_scored_answer_is_not_used_in_the_score() -> None:
    sheet = build_sheet([rnd(BASELINE_6_9, hidden={"H1"})], 1)
    assert "H1" not in items(sheet, "heard")
    assert sheet.measures["heard"].value is None  # H2 alone is not enough (H4 declined)


# --------------------------------------------------------------------------- change


def two_rounds(goal_rating=None, goals=(), hidden=()):
    follow = dict(FOLLOW_UP_6_9)
    if goal_rating is not None:
        follow["goal-7"] = goal_rating
    return [
        rnd(BASELINE_6_9, hidden={"W3"}),
        rnd(follow, round_id=2, position=2, kind="follow_up", label="After",
            on=date(2027, 9, 1), hidden=hidden),
    ]


def test_change_since_the_previous_round_for_every_index() -> None:
    sheet = build_sheet(two_rounds(), 2)
    assert sheet.previous is not None
    assert sheet.previous.label == "Before"
    m = sheet.measures
    assert m["heard"].previous == 75.0
    assert m["heard"].change == pytest.approx(8.333, abs=1e-3)
    assert m["heard"].direction == "up"
    assert m["mood"].value == 100.0
    assert m["mood"].change == 25.0
    assert m["school"].change == 0.0
    assert m["school"].direction == "same"
    assert m["relations"].change == 0.0
    assert items(sheet, "heard")["H5"].option == "A bit"
    assert sheet.kept_count == 0  # W3 was kept in the baseline only


def test_the_baseline_sheet_is_not_compared_with_a_later_round() -> None:
    sheet = build_sheet(two_rounds(), 1)
    assert sheet.previous is None
    assert sheet.measures["heard"].change is None


def test_no_comparison_across_age_variants() -> None:
    rounds = [rnd(BASELINE_6_9), rnd(BASELINE_10_16, round_id=2, position=2, kind="follow_up",
                                      variant="10-16")]
    sheet = build_sheet(rounds, 2)
    assert sheet.previous is None
    assert build_history(rounds).variant_changed


def test_who5_relevant_change() -> None:
    base = BASELINE_10_16 | WHO5_LOW
    better = BASELINE_10_16 | {f"WHO5-{i}": score(4) for i in range(1, 6)}  # 80 %
    rounds = [rnd(base, variant="10-16"),
              rnd(better, round_id=2, position=2, kind="follow_up", variant="10-16")]
    m = build_sheet(rounds, 2).measures["who5"]
    assert m.change == 32.0
    assert m.relevant_change is True
    assert m.band is None


def test_h5_dont_know() -> None:
    rounds = two_rounds()
    follow = dict(FOLLOW_UP_6_9, H5=DONT_KNOW)
    rounds[1] = rnd(follow, round_id=2, position=2, kind="follow_up", label="After")
    assert items(build_sheet(rounds, 2), "heard")["H5"].state is ItemState.DONT_KNOW


# --------------------------------------------------------------------------- goals


GOAL = GoalInfo(id=7, text="Komme i skole hver dag", start_rating=3,
                agreed_on=date(2027, 3, 8), round_position=1)


def test_goal_series_from_start_to_latest() -> None:
    sheet = build_sheet(two_rounds(goal_rating=score(7)), 2, [GOAL])
    (series,) = sheet.goals
    assert [p.rating for p in series.points] == [3, 7]
    assert [p.label for p in series.points] == [None, "After"]
    assert (series.start, series.latest, series.change) == (3, 7, 4)
    assert series.reliably_improved is True
    goals = sheet.section("goals")
    assert goals is not None
    assert [i.key for i in goals.items] == ["G4"]  # goal questions are shown as the series


def test_goal_agreed_at_the_baseline_meeting_shows_on_the_baseline_sheet() -> None:
    (series,) = build_sheet(two_rounds(), 1, [GOAL]).goals
    assert [p.rating for p in series.points] == [3]
    assert series.change is None
    assert series.rated_rounds == 0


def test_goal_agreed_later_is_not_on_an_earlier_sheet() -> None:
    later = GoalInfo(8, "Sove godt", 2, date(2027, 9, 8), round_position=2)
    assert build_sheet(two_rounds(), 1, [later]).goals == ()
    assert len(build_sheet(two_rounds(), 2, [later]).goals) == 1


def test_a_skipped_goal_rating_is_a_gap_not_a_zero() -> None:
    (series,) = build_sheet(two_rounds(goal_rating=DECLINED), 2, [GOAL]).goals
    assert [p.rating for p in series.points] == [3, None]
    assert series.points[1].state is ItemState.DECLINED
    assert series.change is None


def test_goals_are_ordered_open_first() -> None:
    done = GoalInfo(9, "Læse en bog", 1, date(2027, 1, 1), status="achieved")
    sheet = build_sheet(two_rounds(goal_rating=score(5)), 2, [done, GOAL])
    assert [g.goal.id for g in sheet.goals] == [7, 9]


def test_history_lists_every_round() -> None:
    history = build_history(two_rounds(goal_rating=score(8)), [GOAL])
    assert [r.label for r in history.rounds] == ["Before", "After"]
    rows = dict(history.rows)
    assert [m.value for m in rows["heard"]] == [75.0, pytest.approx(83.333, abs=1e-3)]
    assert list(rows) == ["heard", "mood", "school", "relations"]
    assert history.kept_counts == (1, 0)
    assert [p.rating for p in history.goals[0].points] == [3, 8]


def test_unknown_round_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        build_sheet(two_rounds(), 99)


# --------------------------------------------------------------------------- chart


def test_goal_chart_geometry() -> None:
    (series,) = build_sheet(two_rounds(goal_rating=score(10)), 2, [GOAL]).goals
    chart = goal_chart(series, width=200, height=100, left=20, right=10, top=10, bottom=20)
    (x0, y0, r0, l0), (x1, y1, r1, l1) = chart.points
    assert (x0, x1) == (20, 190)
    assert y1 == 10
    assert r1 == 10
    assert y0 == pytest.approx(10 + 70 * 0.7)
    assert dict(chart.ticks) == {0: 80, 5: 45, 10: 10}
    assert chart.polyline == "20.0,59.0 190.0,10.0"
    assert (l0, l1) == (None, "After")


def test_goal_chart_with_one_point_is_centred() -> None:
    (series,) = build_sheet(two_rounds(), 1, [GOAL]).goals
    chart = goal_chart(series, width=200, left=20, right=20)
    assert [p[0] for p in chart.points] == [100]
