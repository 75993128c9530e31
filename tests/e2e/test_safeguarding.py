"""Safeguarding in a browser: a child writes a worry and sees where to get help right after
(with and without JavaScript), then goes on; the coordinator sees the badge, reads the free
text and marks it read; the rights pages.  Axe-checked in Danish and English; screenshots in
tests/e2e/artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kidsvoice.models import Answer, Response
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.pages import ChildJourney
from tests.meeting_data import BASELINE_10_16, complete_round, text

WORRY = {"da": "Min far slår mig når han er sur", "en": "My dad hits me when he is angry"}
HELP = {"da": "Tak, fordi du fortæller mig det.", "en": "Thank you for telling me."}
WORDS = {
    "da": {"email": "E-mail", "password": "Adgangskode", "login": "Log ind",
           "read": "Markér som læst", "marked": "Markeret som læst.",
           "badge": "Fritekst at læse", "urgent": "Haster", "erase": "Slet barnet",
           "first_name": "Skriv barnets fornavn for at bekræfte",
           "wrong": "Det er ikke barnets fornavn. Intet er slettet.",
           "erased": "Barnet og alt om barnet er slettet."},
    "en": {"email": "E-mail", "password": "Password", "login": "Log in",
           "read": "Mark as read", "marked": "Marked as read.",
           "badge": "Free text to read", "urgent": "Urgent", "erase": "Erase the child",
           "first_name": "Type the child's first name to confirm",
           "wrong": "That is not the child's first name. Nothing was erased.",
           "erased": "The child and everything about them were erased."},
}


@pytest.mark.parametrize(("locale", "javascript", "viewport"), [
    ("da", True, TABLET), ("en", True, PHONE), ("da", False, TABLET),
])
def test_a_worried_child_sees_help_right_after_the_answer(
        locale, javascript, viewport, new_page, make, session, axe_check, screenshot) -> None:
    programme = make.programme()
    coordinator = make.staff("coordinator", programmes=[programme])
    child = make.child(programme, first_name="Noah", age=12, language=locale,
                       coordinator=coordinator)
    invitation, token = make.invitation(child)
    session.commit()
    page = new_page(locale=locale, viewport=viewport, javascript=javascript)
    journey = ChildJourney(page, locale=locale, javascript=javascript)
    journey.open(token)
    journey.start()
    assert journey.question_key() == "W1"
    journey.answer({"W1": WORRY[locale]})
    page.wait_for_url(re.compile(r"/c/q/W2$"))
    box = page.locator(".worry-help")
    box.wait_for()
    assert box.get_by_role("heading", name=HELP[locale]).is_visible()
    assert box.get_by_role("link", name="116 111").get_attribute("href") == "tel:116111"
    assert box.get_by_role("link", name="112").is_visible()
    assert "BørneTelefonen" in box.inner_text()
    # the next question is right there, to go on when ready
    assert page.locator("form.answer-form--cards").is_visible()
    if javascript:  # focus moved to the help box, so a screen reader reads it first
        expect(page.locator("#worry-help-heading")).to_be_focused()
    size = "phone" if viewport == PHONE else "tablet"
    label = f"{locale}-{'js' if javascript else 'nojs'}-{size}"
    axe_check(page, f"worry help {label}")
    screenshot(page, f"safeguarding-child-help-{label}")
    # going on: the box is gone from the next screen
    journey.answer({"W2": [0]})
    page.wait_for_url(re.compile(r"/c/q/W3$"))
    assert page.locator(".worry-help").count() == 0
    session.rollback()
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    assert response.flagged_at is not None
    answer = session.scalar(select(Answer).where(Answer.response_id == response.id,
                                                 Answer.question_key == "W1"))
    assert answer.worry is True


def log_in(page, user, password, locale) -> None:
    w = WORDS[locale]
    page.goto("/login")
    page.get_by_label(w["email"]).fill(user.email)
    page.get_by_label(w["password"]).fill(password)
    page.get_by_role("button", name=w["login"]).click()
    page.wait_for_url(re.compile(r"/(#main)?$"))


@pytest.mark.parametrize(("locale", "javascript"), [("da", True), ("en", True), ("da", False)])
def test_the_coordinator_reads_and_marks_as_read(locale, javascript, new_page, make, session,
                                                 axe_check, screenshot) -> None:
    w = WORDS[locale]
    programme = make.programme("Skolefravær 2027")
    karin = make.staff("coordinator", name="Karin", programmes=[programme])
    ida = make.child(programme, first_name="Ida", age=13, coordinator=karin)
    response = complete_round(session, ida, answers={
        **BASELINE_10_16, "W1": text("Min far slår mig")}, hidden={"W3"})
    for answer in response.answers:
        if answer.question_key == "W1":
            answer.worry = True
    response.flagged_at = response.completed_at
    session.commit()
    page = new_page(locale=locale, javascript=javascript)
    log_in(page, karin, make.PASSWORD, locale)
    badge = page.locator(".sg-badge")
    assert "1" in badge.locator(".sg-badge__count--urgent").inner_text()
    axe_check(page, f"start page badge {locale}")
    screenshot(page, f"safeguarding-badge-{locale}{'' if javascript else '-nojs'}")
    badge.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/safeguarding/$"))
    first = page.locator(".sg-item").first
    assert "Min far slår mig" in first.inner_text()
    assert w["urgent"] in first.inner_text()
    axe_check(page, f"free text to read {locale}")
    screenshot(page, f"safeguarding-read-{locale}{'' if javascript else '-nojs'}")
    before = page.locator(".sg-item").count()
    first.get_by_role("button", name=re.compile(w["read"])).click()
    page.get_by_text(w["marked"]).first.wait_for()
    if not javascript:
        # the message proves the new page (same address) has begun: let its whole list load
        page.wait_for_load_state()
        assert page.locator(".sg-item").count() == before - 1
    axe_check(page, f"after marking read {locale}")
    session.rollback()
    session.refresh(response)
    read = [a for a in response.answers if a.question_key == "W1"][0]
    assert read.read_at is not None
    assert read.read_by_id == karin.id


@pytest.mark.parametrize("locale", ["da", "en"])
def test_rights_pages_and_erasure(locale, new_page, make, session, axe_check,
                                  screenshot) -> None:
    w = WORDS[locale]
    programme = make.programme("Skolefravær 2027")
    karin = make.staff("coordinator", name="Karin", programmes=[programme])
    emma = make.child(programme, first_name="Emma", age=13, coordinator=karin)
    complete_round(session, emma, answers=BASELINE_10_16)
    session.commit()
    public_id = emma.public_id
    page = new_page(locale=locale)
    log_in(page, karin, make.PASSWORD, locale)
    page.goto("/rights/")
    axe_check(page, f"rights lookup {locale}")
    page.locator("#child").fill(public_id)
    page.locator("form.rights-lookup button").click()
    page.wait_for_url(re.compile(rf"/rights/children/{public_id}$"))
    axe_check(page, f"rights page {locale}")
    screenshot(page, f"safeguarding-rights-{locale}")
    with page.expect_download() as download:
        page.locator("form[action$='/export'] button").click()
    assert download.value.suggested_filename == f"kidsvoice-access-{public_id}.json"
    page.goto(f"/rights/children/{public_id}/erase")
    page.get_by_label(w["first_name"]).fill("Emil")
    page.get_by_role("button", name=w["erase"]).click()
    page.get_by_text(w["wrong"]).wait_for()
    axe_check(page, f"erase refused {locale}")
    screenshot(page, f"safeguarding-erase-refused-{locale}")
    page.get_by_label(w["first_name"]).fill("Emma")
    page.get_by_role("button", name=w["erase"]).click()
    page.get_by_text(w["erased"]).wait_for()
    session.rollback()
    assert session.scalar(select(Response.id)) is None
