"""A coordinator logs in and sees the overview, in Danish and in English, axe-clean."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import PHONE, TABLET


@pytest.mark.parametrize("locale", ["da", "en"])
def test_coordinator_logs_in_and_sees_the_dashboard(
    locale, new_page, make, axe_check, screenshot
) -> None:
    programme = make.programme("Skolefravær 2027")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    make.child(programme)
    make.session.commit()

    page = new_page(locale=locale)
    page.goto("/")
    assert "/login" in page.url
    axe_check(page, f"login-{locale}")
    screenshot(page, f"staff-login-{locale}-tablet")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode" if locale == "da" else "Password").fill(make.PASSWORD)
    page.get_by_role("button", name="Log ind" if locale == "da" else "Log in").click()
    page.wait_for_url("/")  # the start page itself: "**/" matches the login page's /login?next=/
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == ("Hej, Karin" if locale == "da" else "Hello, Karin")
    assert page.locator("html").get_attribute("lang") == locale
    assert "Skolefravær 2027" in page.content()
    axe_check(page, f"dashboard-{locale}")
    screenshot(page, f"staff-dashboard-{locale}-tablet")
    page.set_viewport_size(PHONE)
    screenshot(page, f"staff-dashboard-{locale}-phone")
    page.set_viewport_size(TABLET)


def test_keyboard_only_login(new_page, make, axe_check) -> None:
    user = make.staff("facilitator")
    make.session.commit()
    page = new_page(locale="en")
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"
    page.keyboard.press("Enter")
    page.locator("#email").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(make.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/(#main)?$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello")
