"""A child completes the whole default questionnaire on a tablet, as a child would.

A 7-year-old and a 14-year-old, in Danish and in English; with JavaScript (htmx swaps) and
without (full-page posts); by keyboard alone; closed midway and resumed.  Every screen gets
an axe check; one screenshot per screen kind goes to tests/e2e/artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kidsvoice.models import Answer, Invitation, Response
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.pages import ChildJourney


def _invite(make, session, age: int, language: str):
    child = make.child(first_name="Ida" if age < 10 else "Noah", age=age, language=language)
    invitation, token = make.invitation(child)
    session.commit()
    return invitation, token


def _stored(session, invitation_id: int) -> dict[str, Answer]:
    session.rollback()
    response = session.scalar(select(Response).where(Response.invitation_id == invitation_id))
    return {a.question_key: a for a in session.scalars(
        select(Answer).where(Answer.response_id == response.id).order_by(Answer.id))}


def _run(journey: ChildJourney, axe_check, screenshot, label: str, plan=None) -> dict:
    chosen = {}
    page = journey.page
    axe_check(page, f"{label} welcome")
    screenshot(page, f"child-{label}-welcome")
    journey.start()
    seen_kinds: set[str] = set()
    n_before = 0
    checked_kinds: set[str] = set()
    while not journey.on_review():
        position, total = journey.progress()
        assert position > n_before or plan, "progress goes forward"
        n_before = position
        kind = journey.kind()
        if journey.javascript or kind not in checked_kinds:  # no-JS: same HTML, checked above
            checked_kinds.add(kind)
            axe_check(page, f"{label} {journey.question_key()}")
        if kind not in seen_kinds:
            seen_kinds.add(kind)
            screenshot(page, f"child-{label}-{kind}")
        key, choice = journey.answer(plan)
        chosen[key] = choice
    assert position == total
    axe_check(page, f"{label} review")
    screenshot(page, f"child-{label}-review")
    return chosen


@pytest.mark.parametrize(("age", "locale", "device"), [
    (7, "da", "tablet"), (14, "en", "tablet"), (7, "en", "phone"), (14, "da", "phone")])
def test_whole_journey_with_javascript(age, locale, device, new_page, make, session, axe_check,
                                       screenshot) -> None:
    invitation, token = _invite(make, session, age, locale)
    page = new_page(locale=locale, viewport=TABLET if device == "tablet" else PHONE)
    journey = ChildJourney(page, locale=locale)
    journey.open(token)
    assert page.locator("html").get_attribute("lang") == locale
    label = f"{age}y-{locale}-{device}"
    chosen = _run(journey, axe_check, screenshot, label, plan={"W1": "skip"} if age < 10 else None)
    journey.keep_from_meeting("W3")
    journey.send()
    axe_check(page, f"{label} done")
    screenshot(page, f"child-{label}-done")
    assert "116 111" in page.content()

    stored = _stored(session, invitation.id)
    assert set(stored) == set(chosen)
    assert stored["W3"].hidden_from_meeting
    if age < 10:
        assert stored["W1"].status == "declined"
        assert stored["H1"].score == 2  # the last face: "Yes, often"
    else:
        assert stored["L1"].score == 10  # the top of the ladder
        assert stored["H1"].score == 4
    for key, choice in chosen.items():
        if isinstance(choice, str) and choice != "skip":
            assert stored[key].text == choice
    session.rollback()
    assert session.get(Invitation, invitation.id).completed_at is not None
    # reopening after the finish shows thanks and nothing of the answers
    page.goto(f"/i/{token}")
    assert "Mine ord" not in page.content()


def test_htmx_swaps_only_the_conversation_and_moves_focus(new_page, make, session) -> None:
    _invitation, token = _invite(make, session, 12, "en")
    page = new_page(locale="en")
    journey = ChildJourney(page, locale="en")
    journey.open(token)
    journey.start()
    page.evaluate("window.__marker = 'same document'")
    journey.answer()
    assert page.evaluate("window.__marker") == "same document", "no full page load"
    # child.js moves focus and announces once htmx has settled the swap, a moment after the
    # address changes: wait for it, as a screen reader user would hear it
    expect(page.locator("#question")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(re.compile(r"^Question 2 of"))
    assert re.search(r"/c/q/\w+$", page.url)
    assert page.title().startswith("Question 2 of")
    # the back button reloads the previous question from the server (no history cache)
    page.go_back()
    page.wait_for_function("() => document.querySelector('#progress-text') && "
                           "document.querySelector('#progress-text').textContent.includes('1 of')")
    # htmx keeps no page snapshots (historyCacheSize 0): at most the current path (a question
    # key, nothing the child wrote) is in sessionStorage, and nothing in localStorage.
    keys = page.evaluate("Object.keys(sessionStorage)")
    assert set(keys) <= {"htmx-current-path-for-history"}
    assert page.evaluate("localStorage.length") == 0


@pytest.mark.parametrize("age", [7, 14])
def test_whole_journey_without_javascript(age, new_page, make, session, axe_check,
                                          screenshot) -> None:
    invitation, token = _invite(make, session, age, "da")
    page = new_page(locale="da", javascript=False)
    journey = ChildJourney(page, locale="da", javascript=False)
    journey.open(token)
    chosen = _run(journey, axe_check, screenshot, f"{age}y-nojs")
    journey.send()
    stored = _stored(session, invitation.id)
    assert set(stored) == set(chosen)


def test_whole_journey_by_keyboard_alone(new_page, make, session, axe_check) -> None:
    invitation, token = _invite(make, session, 14, "da")
    page = new_page(locale="da")
    journey = ChildJourney(page, locale="da", keyboard=True)
    journey.open(token)
    # the first Tab reaches the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    chosen = _run(journey, axe_check, lambda *a: None, "keyboard")
    journey.keep_from_meeting("W1")
    journey.send()
    stored = _stored(session, invitation.id)
    assert set(stored) == set(chosen)
    assert stored["W1"].hidden_from_meeting


def test_closed_midway_and_resumed(browser, live_server, make, session) -> None:
    invitation, token = _invite(make, session, 9, "da")
    first = browser.new_context(base_url=live_server.url, viewport=TABLET)
    page = first.new_page()
    journey = ChildJourney(page)
    journey.open(token)
    journey.start()
    answered = [journey.answer()[0] for _ in range(4)]
    first.close()  # the tablet is closed
    second = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = second.new_page()
    page.goto(f"/i/{token}")
    page.wait_for_url(re.compile(r"/c/q/"))
    journey = ChildJourney(page)
    assert journey.progress()[0] == 5
    stored = _stored(session, invitation.id)
    assert list(stored) == answered
    second.close()
