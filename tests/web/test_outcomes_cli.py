"""``kidsvoice outcomes --json`` and ``kidsvoice export --format csv``.

The heart of it: for a simulated programme, every figure of the JSON agrees to 1e-9 with the
same statistics computed *independently* here — with numpy and scipy.stats, from nothing but
the CSV the export wrote.  Then suppression below 5 children, formula injection, the audit
entry of every export, and the command-line errors.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import select

from kidsvoice.evaluation.cli import safe_cell
from kidsvoice.models import AuditEntry, RoundKind
from kidsvoice.simulate import simulate
from tests.meeting_data import complete_round, score
from tests.outcomes_data import add_children

MEASURES = ("heard", "mood", "school", "relations", "ladder", "who5")
#: configured reliability for every measure (the same for every form of it), so that the
#: reliable-change counts can be recomputed from the CSV alone
RELIABILITY = {"heard": (18.0, 0.80), "mood": (20.0, 0.75), "school": (17.0, 0.85),
               "relations": (16.0, 0.70), "ladder": (2.0, 0.70), "who5": (22.0, 0.85)}
FORMS = {"heard": ["6-9", "10-16"], "mood": ["6-9", "10-16", "10-16+who5"],
         "school": ["6-9", "10-16"], "relations": ["6-9", "10-16"], "ladder": ["10-16"],
         "who5": ["10-16+who5"]}


def _reliability_file(tmp_path: Path) -> Path:
    lines = []
    for measure, forms in FORMS.items():
        s1, r = RELIABILITY[measure]
        for form in forms:
            lines += [f'[kidsvoice-standard.1.{measure}."{form}"]', f"s1 = {s1}", f"r = {r}",
                      'source = "test values"', ""]
    path = tmp_path / "reliability.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _run(runner: Any, *args: str) -> Any:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


# --------------------------------------------------------------------------- independent


def _pairs(
    rows: list[dict[str, str]], measure: str, pre: str, post: str
) -> list[tuple[float, float]]:
    """(baseline, follow-up) per child with both values in the same variant."""
    by_child: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        by_child[row["child"]][row["round"]] = row
    pairs = []
    for child in sorted(by_child):
        rounds = by_child[child]
        if pre in rounds and post in rounds:
            a, b = rounds[pre], rounds[post]
            if a[measure] and b[measure] and a["variant"] == b["variant"]:
                pairs.append((float(a[measure]), float(b[measure])))
    return pairs


def _expected(
    pairs: list[tuple[float, float]], measure: str, reliability: bool = True
) -> dict[str, Any]:
    """§7 computed here, from first principles, with numpy and scipy."""
    n = len(pairs)
    if n < 5:
        return {"n": None, "suppressed": True}
    pre = np.array([p for p, _ in pairs])
    post = np.array([q for _, q in pairs])
    diff = post - pre
    sd = float(np.std(diff, ddof=1))
    mean = float(np.mean(diff))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    sd_av = (np.std(pre, ddof=1) + np.std(post, ddof=1)) / 2
    d_z = mean / sd
    d_av = mean / sd_av
    nonzero = np.round(diff, 9)
    nonzero = nonzero[nonzero != 0]
    ties = len(np.unique(np.abs(nonzero))) < len(nonzero)
    exact = len(nonzero) <= 25 and not ties
    w = stats.wilcoxon(nonzero, correction=False,
                       method="exact" if exact else "asymptotic")
    s1, r = RELIABILITY[measure]
    rc = diff / (math.sqrt(2) * s1 * math.sqrt(1 - r))
    counts: dict[str, Any] = {"reliably_improved": None, "reliably_deteriorated": None}
    if reliability:
        counts = {"reliably_improved": int(np.sum(rc > 1.96)),
                  "reliably_deteriorated": int(np.sum(rc < -1.96))}
    return {
        "n": n, "suppressed": False,
        "mean_pre": float(np.mean(pre)), "mean_post": float(np.mean(post)),
        "mean_change": mean, "sd_change": sd, "ci95": [mean - half, mean + half],
        "d_z": d_z, "g_z": d_z * (1 - 3 / (4 * (n - 1) - 1)),
        "d_av": d_av, "g_av": d_av * (1 - 3 / (8 * n - 9)),
        "wilcoxon_statistic": float(w.statistic), "wilcoxon_p": float(w.pvalue),
        "wilcoxon_method": "exact" if exact else "approx",
        **counts,
    }


def _assert_close(actual: dict[str, Any], expected: dict[str, Any], label: str) -> None:
    for key, value in expected.items():
        got = actual[key]
        if isinstance(value, float):
            assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (label, key)
        elif isinstance(value, list):
            assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (label, key)
        else:
            assert got == value, (label, key)


@pytest.fixture
def simulated(app: Any, make: Any, tmp_path: Path) -> str:
    result = simulate(make.session, n=120, registry=app.extensions["kidsvoice.questionnaires"],
                      today=date.today(), seed=11, who5=True)
    make.session.commit()
    app.config["KIDSVOICE_RELIABILITY_FILE"] = str(_reliability_file(tmp_path))
    return result.programme.name


def test_json_agrees_with_scipy_computed_from_the_csv_export(runner: Any, simulated: str) -> None:
    data = json.loads(_run(runner, "outcomes", "--programme", simulated, "--json").output)
    assert set(data) == {"programme", "baseline", "follow_up", "indices", "goals"}
    assert (data["programme"], data["baseline"], data["follow_up"]) == (simulated, "Før", "Efter")
    assert list(data["indices"]) == list(MEASURES)
    exported = _run(runner, "export", "--programme", simulated, "--format", "csv")
    text = exported.stdout
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == ("programme", "child", "round", "variant", *MEASURES)
    rows = list(reader)
    assert {row["round"] for row in rows} == {"Før", "Efter"}
    assert {row["variant"] for row in rows} == {"6-9", "10-16"}
    shown = 0
    for measure in MEASURES:
        summary = data["indices"][measure]
        assert set(summary) == {
            "n", "suppressed", "mean_pre", "mean_post", "mean_change", "sd_change", "ci95",
            "d_z", "g_z", "d_av", "g_av", "wilcoxon_statistic", "wilcoxon_p",
            "wilcoxon_method", "reliably_improved", "reliably_deteriorated",
        }
        expected = _expected(_pairs(rows, measure, "Før", "Efter"), measure)
        _assert_close(summary, expected, measure)
        shown += not summary["suppressed"]
    assert shown == len(MEASURES)  # every measure, WHO-5 included, has ≥ 5 pairs here
    # the simulation improves on average, and skips leave some indices without a score
    assert data["indices"]["heard"]["mean_change"] > 0
    assert any(row["heard"] == "" for row in rows)
    assert data["goals"]["suppressed"] is False
    assert data["goals"]["n"] >= data["goals"]["children"]


def test_age_band_and_round_options(runner: Any, simulated: str) -> None:
    young = json.loads(_run(runner, "outcomes", "--programme", simulated, "--json",
                            "--age-band", "6-9", "--baseline", "Før",
                            "--follow-up", "Efter").output)
    rows = list(csv.DictReader(io.StringIO(
        _run(runner, "export", "--programme", simulated).stdout)))
    rows = [row for row in rows if row["variant"] == "6-9"]
    _assert_close(young["indices"]["school"],
                  _expected(_pairs(rows, "school", "Før", "Efter"), "school"), "school 6-9")
    assert young["indices"]["ladder"]["suppressed"] is True  # no ladder for 6-9
    result = runner.invoke(args=["outcomes", "--programme", simulated, "--baseline", "Efter",
                                 "--follow-up", "Før", "--json"])
    assert result.exit_code != 0
    assert "before the follow-up" in result.output
    result = runner.invoke(args=["outcomes", "--programme", simulated, "--baseline", "Nope"])
    assert result.exit_code != 0
    assert "No round 'Nope'" in result.output


def test_without_programme_a_list_and_every_programme_exported(
    runner: Any, make: Any, simulated: str
) -> None:
    other = make.programme("Læring i pleje")
    add_children(make, other, 6, seed=2)
    make.session.commit()
    data = json.loads(_run(runner, "outcomes", "--json").output)
    assert [d["programme"] for d in data] == sorted([simulated, "Læring i pleje"])
    rows = list(csv.DictReader(io.StringIO(_run(runner, "export").stdout)))
    assert {row["programme"] for row in rows} == {simulated, "Læring i pleje"}


def test_text_report(runner: Any, simulated: str) -> None:
    output = _run(runner, "outcomes", "--programme", simulated).output
    assert "heard" in output
    assert "n=" in output
    assert "goals" in output


def test_unknown_programme(runner: Any) -> None:
    result = runner.invoke(args=["outcomes", "--programme", "Nowhere", "--json"])
    assert result.exit_code != 0
    assert "No programme named 'Nowhere'" in result.output
    result = runner.invoke(args=["export", "--programme", "Nowhere"])
    assert result.exit_code != 0


# --------------------------------------------------------------------------- suppression


def test_four_children_are_suppressed_everywhere_five_are_not(runner: Any, make: Any) -> None:
    four = make.programme("Fire børn")
    add_children(make, four, 4, seed=5, goals=True)
    five = make.programme("Fem børn")
    add_children(make, five, 5, seed=5, goals=True)
    make.session.commit()

    data = json.loads(_run(runner, "outcomes", "--programme", "Fire børn", "--json").output)
    for measure in MEASURES:
        summary = data["indices"][measure]
        assert summary["suppressed"] is True
        assert all(value is None for key, value in summary.items() if key != "suppressed")
    assert data["goals"] == {"n": None, "suppressed": True, "median_change": None,
                             "share_improved_3": None, "children": None}

    result = _run(runner, "export", "--programme", "Fire børn")
    assert result.stdout.strip().splitlines() == [
        "programme,child,round,variant,heard,mood,school,relations,ladder,who5"]
    assert "fewer than 5 children answered; no rows written" in result.stderr
    assert "'Before'" in result.stderr
    assert "'After'" in result.stderr

    data = json.loads(_run(runner, "outcomes", "--programme", "Fem børn", "--json").output)
    assert data["indices"]["school"]["n"] == 5
    assert data["indices"]["school"]["suppressed"] is False
    assert data["goals"]["children"] == 5
    result = _run(runner, "export", "--programme", "Fem børn")
    assert len(result.stdout.strip().splitlines()) == 1 + 10
    # small groups: the exact Wilcoxon test where no change ties, and no reliable change
    # without configured values or 30 baselines
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    for measure in ("heard", "mood", "school", "relations"):
        expected = _expected(_pairs(rows, measure, "Before", "After"), measure, reliability=False)
        _assert_close(data["indices"][measure], expected, measure)
    assert data["indices"]["heard"]["reliably_improved"] is None


def test_a_small_group_without_ties_gets_the_exact_wilcoxon_test(runner: Any, make: Any) -> None:
    programme = make.programme("Stigen")
    ladder = [(1, 2), (2, 4), (3, 7), (4, 1), (5, 10), (6, 6)]  # changes 1, 2, 4, -3, 5, 0
    for i, (pre, post) in enumerate(ladder):
        child = make.child(programme, first_name=f"Barn {i}", age=13)
        for rnd, value in zip(programme.rounds, (pre, post), strict=True):
            complete_round(make.session, child, rnd, variant="10-16",
                           answers={"L1": score(value), "H1": score(2), "H2": score(3)})
    make.session.commit()
    data = json.loads(_run(runner, "outcomes", "--programme", "Stigen", "--json").output)
    ladder_summary = data["indices"]["ladder"]
    assert ladder_summary["wilcoxon_method"] == "exact"
    rows = list(csv.DictReader(io.StringIO(_run(runner, "export", "--programme", "Stigen").stdout)))
    expected = _expected(_pairs(rows, "ladder", "Before", "After"), "ladder", reliability=False)
    _assert_close(ladder_summary, expected, "ladder")
    assert stats.wilcoxon([1, 2, 4, -3, 5], method="exact").pvalue == pytest.approx(
        ladder_summary["wilcoxon_p"], abs=1e-12)
    # the heard index is identical in both rounds: no change, no test, no effect size
    heard = data["indices"]["heard"]
    assert (heard["mean_change"], heard["sd_change"], heard["d_z"], heard["wilcoxon_p"]) == (
        0.0, 0.0, None, None)


def test_a_round_with_fewer_than_5_children_is_left_out(runner: Any, make: Any) -> None:
    programme = make.programme("Halvvejs")
    add_children(make, programme, 3, seed=1)
    add_children(make, programme, 4, seed=2, follow_up=False)
    make.session.commit()
    result = _run(runner, "export", "--programme", "Halvvejs")
    rounds = [row["round"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert rounds == ["Before"] * 7
    assert "'After': fewer than 5" in result.stderr


def test_every_export_is_audited(runner: Any, make: Any, session: Any) -> None:
    programme = make.programme("Revision")
    add_children(make, programme, 5, seed=9)
    make.session.commit()
    _run(runner, "export", "--programme", "Revision")
    session.rollback()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor, entry.actor_id, entry.programme_id) == ("cli", None, programme.id)
    assert entry.detail == {"what": "outcomes", "format": "csv", "rows": 10, "rounds_left_out": 0}


def test_export_to_a_file(runner: Any, make: Any, tmp_path: Path) -> None:
    programme = make.programme("Fil")
    add_children(make, programme, 5, seed=4)
    make.session.commit()
    target = tmp_path / "out.csv"
    _run(runner, "export", "--programme", "Fil", "--output", str(target))
    assert len(target.read_text(encoding="utf-8").splitlines()) == 11


# --------------------------------------------------------------------------- injection


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_defuses_every_formula_start(start: str) -> None:
    assert safe_cell(f"{start}HYPERLINK(\"http://evil\")") == f"'{start}HYPERLINK(\"http://evil\")"
    assert safe_cell(f"x{start}1") == f"x{start}1"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_export_cells_cannot_become_formulas(runner: Any, make: Any, start: str) -> None:
    label = f"{start}cmd|' /C calc'!A0"
    programme = make.programme(
        f"{start}SUM(1+1)" if start not in "\t\r" else f"Navn {start}",
        rounds=[(RoundKind.BASELINE, label, None), (RoundKind.FOLLOW_UP, "Efter", None)],
    )
    # Forms strip control characters from labels; data written by other means may still
    # hold them, and the export must be safe for whatever the database holds.
    programme.rounds[0].label = label
    add_children(make, programme, 5, seed=6)
    make.session.commit()
    result = _run(runner, "export", "--programme", programme.name)
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    labels = {row[2] for row in rows[1:]}
    assert f"'{label}" in labels
    if start not in "\t\r":
        assert {row[0] for row in rows[1:]} == {f"'{start}SUM(1+1)"}
    # the numbers stay numbers
    assert all(float(row[6]) >= 0 for row in rows[1:] if row[6])
