"""Every coordinator page is axe-clean in Danish and English, on a tablet and a phone, with
its errors showing; screenshots go to tests/e2e/artifacts/ for a person to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.test_coordinator_invite import log_in

SAVE = {"da": "Opret indsatsen", "en": "Create the programme"}


def _both_sizes(page, screenshot, name: str) -> None:
    screenshot(page, f"{name}-tablet")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(TABLET)


@pytest.mark.parametrize("locale", ["da", "en"])
def test_coordinator_pages_are_accessible(locale, new_page, make, session, axe_check,
                                          screenshot) -> None:
    programme = make.programme("Skolefravær 2027", contact="Karin i PPR")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    make.staff("facilitator", name="Frank", programmes=[programme])
    child = make.child(programme, first_name="Ida")
    make.invitation(child)
    session.commit()
    page = new_page(locale=locale)
    log_in(page, user, make.PASSWORD, locale)

    pages = [
        ("/programmes/", "programmes"),
        (f"/programmes/{programme.id}/edit", "programme-edit"),
        (f"/programmes/{programme.id}/rounds/new", "round-new"),
        (f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/edit", "round-edit"),
        (f"/programmes/{programme.id}/rounds/{programme.rounds[0].id}/invite", "bulk-invite"),
        (f"/programmes/{programme.id}/children/{child.public_id}/edit", "child-edit"),
        (f"/tablet/start/{programme.id}", "tablet-start"),
        (f"/programmes/{programme.id}?state=invited", "dashboard-filtered"),
    ]
    for path, name in pages:
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        axe_check(page, f"{name} {locale}")
        _both_sizes(page, screenshot, f"coordinator-{name}-{locale}")

    page.goto("/programmes/new")
    axe_check(page, f"programme-new {locale}")
    page.get_by_role("button", name=SAVE[locale]).click()
    # the form posts to the page it is on: wait for what the answer shows, not for the address
    expect(page.locator(".field__error").first).to_be_attached()
    assert page.locator(".field__error").count() >= 1
    page.locator("#baseline_on").fill("2027-05-01")
    page.locator("#follow_up_on").fill("2027-01-01")
    page.get_by_role("button", name=SAVE[locale]).click()
    # the page before already had errors: only the new one marks the dates the wrong way round
    expect(page.locator("#follow_up_on")).to_have_attribute("aria-invalid", "true")
    assert page.locator("[aria-invalid=true]").count() >= 2
    axe_check(page, f"programme-new errors {locale}")
    _both_sizes(page, screenshot, f"coordinator-programme-new-errors-{locale}")

    page.goto(f"/programmes/{programme.id}?state=happy")
    axe_check(page, f"dashboard bad filter {locale}")
    assert re.search(r"Vælg en af mulighederne|Choose one of the options", page.content())
