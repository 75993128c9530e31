"""Two-factor login in the browser: a coordinator sets it up from the QR code's key, logs out,
and logs in with password and code — in Danish and in English, axe-clean, with screenshots;
an administrator makes it required."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from kidsvoice import totp
from tests.e2e.conftest import PHONE, TABLET

TEXT = {
    "da": {"password": "Adgangskode", "log_in": "Log ind", "menu": "Totrinslogin",
           "set_up": "Opsæt totrinslogin", "code": "Kode fra din app",
           "turn_on": "Slå totrinslogin til", "is_on": "Totrinslogin er slået til",
           "log_out": "Log ud", "code_heading": "Skriv koden fra din app",
           "hello": "Hej, Karin"},
    "en": {"password": "Password", "log_in": "Log in", "menu": "Two-factor login",
           "set_up": "Set up two-factor login", "code": "Code from your app",
           "turn_on": "Turn two-factor login on", "is_on": "Two-factor login is on",
           "log_out": "Log out", "code_heading": "Type the code from your app",
           "hello": "Hello, Karin"},
}


def _code(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, totp.step_at(time.time()) + offset)


@pytest.mark.parametrize("locale", ["da", "en"])
def test_set_up_two_factor_login_then_log_in_with_a_code(locale, new_page, make, axe_check,
                                                         screenshot) -> None:
    t = TEXT[locale]
    programme = make.programme("Skolefravær 2027")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    make.session.commit()

    page = new_page(locale=locale)
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label(t["password"]).fill(make.PASSWORD)
    page.get_by_role("button", name=t["log_in"]).click()
    page.wait_for_url("**/")
    page.get_by_role("link", name=t["menu"]).click()
    page.wait_for_url("**/account/two-factor")
    axe_check(page, f"two-factor-start-{locale}")
    screenshot(page, f"two-factor-start-{locale}-tablet")
    page.get_by_role("button", name=t["set_up"]).click()

    qr = page.locator(".qr-box svg")
    expect(qr).to_be_visible()  # waits for the posted form's page, where is_visible() would not
    assert qr.get_attribute("role") == "img"
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    axe_check(page, f"two-factor-setup-{locale}")
    screenshot(page, f"two-factor-setup-{locale}-tablet")
    page.set_viewport_size(PHONE)
    screenshot(page, f"two-factor-setup-{locale}-phone")
    page.set_viewport_size(TABLET)

    page.get_by_label(t["code"]).fill("000000" if _code(key) != "000000" else "111111")
    page.get_by_role("button", name=t["turn_on"]).click()
    field = page.get_by_label(t["code"])
    expect(field).to_have_attribute("aria-invalid", "true")
    axe_check(page, f"two-factor-setup-error-{locale}")
    screenshot(page, f"two-factor-setup-error-{locale}-tablet")
    field.fill(_code(key))
    page.get_by_role("button", name=t["turn_on"]).click()
    expect(page.get_by_text(t["is_on"]).first).to_be_visible()
    axe_check(page, f"two-factor-on-{locale}")
    screenshot(page, f"two-factor-on-{locale}-tablet")

    page.get_by_role("button", name=t["log_out"]).click()
    page.wait_for_url("**/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label(t["password"]).fill(make.PASSWORD)
    page.get_by_role("button", name=t["log_in"]).click()
    page.wait_for_url("**/login/code")
    assert page.get_by_role("heading", level=1).inner_text() == t["code_heading"]
    code_field = page.get_by_label(t["code"])
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    axe_check(page, f"login-code-{locale}")
    screenshot(page, f"login-code-{locale}-tablet")
    page.set_viewport_size(PHONE)
    screenshot(page, f"login-code-{locale}-phone")
    page.set_viewport_size(TABLET)
    code_field.fill(_code(key, +1))  # the set-up used this step's code: each works once
    page.get_by_role("button", name=t["log_in"]).click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == t["hello"]


def test_admin_requires_two_factor_login_for_everyone(new_page, make, axe_check,
                                                      screenshot) -> None:
    admin = make.staff("admin", name="Anne")
    make.staff("facilitator", name="Frede")
    make.session.commit()
    page = new_page(locale="da")
    page.goto("/login")
    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Adgangskode").fill(make.PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/")
    page.goto("/admin/staff")
    axe_check(page, "admin-staff-two-factor-da")
    screenshot(page, "admin-staff-two-factor-da-tablet")
    page.get_by_label("Kræv totrinslogin for alle medarbejdere").check()
    page.get_by_role("button", name="Gem").click()
    # The administrator is the first to be sent to the set-up, before anything else.
    page.wait_for_url("**/account/two-factor")
    expect(page.locator(".qr-box svg").or_(
        page.get_by_role("button", name="Opsæt totrinslogin"))).to_be_visible()
    page.goto("/admin/audit")
    page.wait_for_url("**/account/two-factor")
    axe_check(page, "two-factor-required-da")
    screenshot(page, "two-factor-required-da-tablet")
