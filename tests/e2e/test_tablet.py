"""A shared school tablet: two children in a row, and no trace of the first one; the adult
step of a staff member with two-factor login asks for a code from their app."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Error, expect

from kidsvoice import totp
from kidsvoice.models import utcnow
from kidsvoice.operations.invitations import issue
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.test_coordinator_invite import log_in


def _code_for(make, child):
    issued = issue(make.session, child=child, round_=child.programme.rounds[0],
                   tokens=make.tokens, days=30, code_keys=make.config.secret_keys)
    return issued.short_code.display


def _content(page) -> str:
    """The page's HTML once any navigation (a redirect after "back") has settled."""
    for _ in range(20):
        try:
            page.wait_for_load_state()
            return page.content()
        except Error:
            page.wait_for_timeout(100)
    return page.content()


def _start_tablet(page, programme, minutes: str = "5") -> None:
    page.goto(f"/programmes/{programme.id}")
    page.get_by_role("link", name="Tablet-tilstand").click()
    page.get_by_label("Lås tabletten efter").select_option(minutes)
    page.get_by_role("button", name="Start tablet-tilstand").click()
    page.wait_for_url(re.compile(r"/tablet/$"))


def _answer_first_question(page) -> None:
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/c/q/"))
    first = page.url
    page.get_by_role("button", name="Det vil jeg helst ikke svare på").click()
    page.wait_for_function("(first) => location.href !== first", arg=first)


@pytest.mark.parametrize("javascript", [True, False])
def test_two_children_in_a_row_leave_no_trace(javascript, new_page, make, session, axe_check,
                                              screenshot) -> None:
    programme = make.programme("Skolefravær 2027")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    ida = make.child(programme, first_name="Ida", age=8)
    make.child(programme, first_name="Noahmand", age=12)  # a name no page has by chance
    ida_code = _code_for(make, ida)
    session.commit()

    page = new_page(locale="da", javascript=javascript)
    log_in(page, user, make.PASSWORD, "da")
    _start_tablet(page, programme)
    assert page.context.cookies()  # one session cookie, the staff login gone:
    page.goto("/programmes/")
    assert "/login" in page.url
    page.goto("/tablet/")
    if javascript:
        axe_check(page, "tablet lock screen")
        screenshot(page, "tablet-lock-da-tablet")
        page.set_viewport_size(PHONE)
        screenshot(page, "tablet-lock-da-phone")
        page.set_viewport_size(TABLET)

    # child 1 types the code from her letter, in lower case with spaces
    page.get_by_label("Din kode").fill(ida_code.lower().replace("-", " "))
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/c$"))
    assert "Ida" in page.content()
    _answer_first_question(page)

    # the finish page's link, or the idle timer, brings the lock screen back
    page.goto("/tablet/")
    assert "Ida" not in page.content()

    # child 2: the adult chooses him with the staff password
    page.get_by_role("link", name="For voksne").click()
    if javascript:
        axe_check(page, "tablet adult")
        screenshot(page, "tablet-adult-da-tablet")
    page.get_by_label("Medarbejderens adgangskode").fill(make.PASSWORD)
    page.get_by_role("button", name="Fortsæt").click()
    page.wait_for_url(re.compile(r"/tablet/pick$"))
    if javascript:
        axe_check(page, "tablet pick")
        screenshot(page, "tablet-pick-da-tablet")
    page.get_by_role("button", name=re.compile("Noahmand")).click()
    page.wait_for_url(re.compile(r"/c$"))
    assert "Noahmand" in page.content()

    # nothing of Ida: not by the back button, not from history, not from the cache
    for _ in range(12):
        try:
            page.go_back()
        except Error:  # Chromium swaps the page's process on some history steps
            page.wait_for_timeout(200)
        content = _content(page)
        assert "Ida" not in content, page.url
        if page.url.endswith("/login") or page.url == "about:blank":
            break
    for path in ("/c", "/tablet/pick"):
        page.goto(path)
        assert "Ida" not in page.content()


def test_idle_time_returns_to_the_lock_screen(new_page, make, session, screenshot) -> None:
    programme = make.programme("Skolefravær 2027")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    sofie = make.child(programme, first_name="Sofie", age=10)
    code = _code_for(make, sofie)
    session.commit()
    page = new_page(locale="da")
    log_in(page, user, make.PASSWORD, "da")
    _start_tablet(page, programme, minutes="2")
    page.clock.install()
    page.get_by_role("link", name="For voksne").click()  # a page with the idle timer
    page.wait_for_url(re.compile(r"/tablet/adult$"))
    page.clock.run_for(60_000)
    page.mouse.click(5, 5)  # a touch restarts the timer
    page.clock.run_for(100_000)
    assert page.url.endswith("/tablet/adult")
    page.clock.run_for(25_000)
    page.wait_for_url(re.compile(r"/tablet/$"))
    # a child mid-answer: the server ends a forgotten session too (see test_tablet.py)
    page.get_by_label("Din kode").fill(code)
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/c$"))
    assert "Sofie" in page.content()


def _totp(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, totp.step_at(time.time()) + offset)


def test_a_two_step_adult_types_a_code_from_their_app(new_page, make, session, axe_check,
                                                       screenshot) -> None:
    programme = make.programme("Skolefravær 2027")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    secret = totp.new_secret()
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    make.child(programme, first_name="Noahmand", age=12)
    session.commit()

    page = new_page(locale="da")
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(make.PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/login/code$"))
    spent = _totp(secret)
    page.get_by_label("Kode fra din app").fill(spent)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/$"))
    _start_tablet(page, programme)

    page.get_by_role("link", name="For voksne").click()
    page.wait_for_url(re.compile(r"/tablet/adult$"))
    code_field = page.get_by_label("Kode fra din app")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    axe_check(page, "tablet adult two-step")
    screenshot(page, "tablet-adult-two-step-da-tablet")
    # the code the login used is spent: refused, with one message for password or code
    page.get_by_label("Medarbejderens adgangskode").fill(make.PASSWORD)
    code_field.fill(spent)
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_role("alert")).to_have_text("Adgangskoden eller koden er forkert.")
    assert page.get_by_label("Kode fra din app").input_value() == ""
    axe_check(page, "tablet adult two-step wrong")
    screenshot(page, "tablet-adult-two-step-wrong-da-tablet")
    page.get_by_label("Medarbejderens adgangskode").fill(make.PASSWORD)
    page.get_by_label("Kode fra din app").fill(_totp(secret, +1))
    page.get_by_role("button", name="Fortsæt").click()
    page.wait_for_url(re.compile(r"/tablet/pick$"))
    assert "Noahmand" in page.content()
