"""An evaluator reads a programme's outcomes in a browser, in Danish and English: the overview,
the plain-language lines, the charts with their tables, the filters.  Axe-clean; screenshots
at tablet (768×1024) and phone (390×844) size in tests/e2e/artifacts/."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kidsvoice.simulate import simulate
from tests.e2e.conftest import PHONE, TABLET
from tests.outcomes_data import add_children

WORDS = {
    "da": {"password": "Adgangskode", "login": "Log ind", "outcomes": "Resultater",
           "heading": "Resultater: Simulation 60", "show": "Vis", "age": "Aldersgruppe",
           "young": "6–9 år", "table": "Diagrammet som tabel", "fewer": "færre end 5",
           "sentence": "I gennemsnit", "open": "Åbn indsats", "programme": "Indsats"},
    "en": {"password": "Password", "login": "Log in", "outcomes": "Outcomes",
           "heading": "Outcomes: Simulation 60", "show": "Show", "age": "Age group",
           "young": "6–9 years", "table": "The chart as a table", "fewer": "fewer than 5",
           "sentence": "On average", "open": "Open programme", "programme": "Programme"},
}


def log_in(page, user, password: str, locale: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label(WORDS[locale]["password"]).fill(password)
    page.get_by_role("button", name=WORDS[locale]["login"]).click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.parametrize("locale", ["da", "en"])
def test_evaluator_reads_the_outcomes(
    locale, app, make, new_page, axe_check, screenshot
) -> None:
    w = WORDS[locale]
    result = simulate(make.session, n=60, registry=app.extensions["kidsvoice.questionnaires"],
                      today=date.today(), seed=8, who5=True)
    small = make.programme("Fire børn")
    add_children(make, small, 4, seed=1, goals=True)
    evaluator = make.staff("evaluator", programmes=[result.programme, small])
    make.session.commit()

    for name, viewport in (("tablet", TABLET), ("phone", PHONE)):
        page = new_page(locale=locale, viewport=viewport)
        log_in(page, evaluator, make.PASSWORD, locale)
        page.get_by_role("link", name=w["outcomes"], exact=True).click()
        page.wait_for_url("**/outcomes/")
        if name == "tablet":
            axe_check(page, f"outcomes-index-{locale}")
        page.get_by_role("link", name="Simulation 60").click()
        page.wait_for_url(re.compile(r"/outcomes/\d+$"))
        assert page.get_by_role("heading", level=1).inner_text() == w["heading"]
        assert page.locator(".outcome__plain").first.inner_text().startswith(w["sentence"])
        charts = page.locator("svg.outcome-chart")
        assert charts.count() == 2 * 6  # four indices, the ladder and WHO-5
        # the text alternative of a chart opens as a table
        page.get_by_text(w["table"]).first.click()
        assert page.locator("table.outcome-crosstab").first.is_visible()
        axe_check(page, f"outcomes-{name}-{locale}")
        screenshot(page, f"outcomes-{name}-{locale}")

    # filters: the 6-9-year-olds only (no ladder, no WHO-5 for them)
    page.get_by_label(w["age"]).select_option(label=w["young"])
    page.get_by_role("button", name=w["show"], exact=True).click()
    page.wait_for_url(re.compile(r"band=6-9"))
    assert page.locator("svg.outcome-chart").count() == 2 * 4

    # a programme of 4 children: "fewer than 5", and not one chart
    page.get_by_label(w["programme"], exact=True).select_option(label="Fire børn")
    page.get_by_role("button", name=w["open"]).click()
    page.wait_for_url(re.compile(rf"/outcomes/{small.id}$"))
    assert page.locator("svg.outcome-chart").count() == 0
    assert w["fewer"] in page.content()
    axe_check(page, f"outcomes-suppressed-{locale}")
    screenshot(page, f"outcomes-suppressed-phone-{locale}")
