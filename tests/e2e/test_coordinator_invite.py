"""A coordinator registers a child, invites, copies the link, prints the letter, e-mails it
to a real SMTP server — and each link opens the child's session.  Axe-clean, in da and en."""

from __future__ import annotations

import email
import re
import socket
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlalchemy import select

from kidsvoice.models import Child, Invitation
from tests.e2e.conftest import PHONE, TABLET

WORDS = {
    "da": {"password": "Adgangskode", "login": "Log ind", "programmes": "Indsatser",
           "add_child": "Tilføj et barn", "first_name": "Fornavn eller kaldenavn",
           "birth_year": "Fødselsår", "language": "Sprog", "save_child": "Tilføj barnet",
           "invite": "Invitér", "copy": "Kopiér linket", "copied": "Kopieret.",
           "email": "E-mailadresse", "send": "Send linket", "sent": "Sendt til",
           "everyone": "Invitér alle", "make_links": "Lav linkene"},
    "en": {"password": "Password", "login": "Log in", "programmes": "Programmes",
           "add_child": "Add a child", "first_name": "First name or nickname",
           "birth_year": "Birth year", "language": "Language", "save_child": "Add the child",
           "invite": "Invite", "copy": "Copy the link", "copied": "Copied.",
           "email": "E-mail address", "send": "Send the link", "sent": "Sent to",
           "everyone": "Invite everyone", "make_links": "Make the links"},
}


@pytest.fixture(autouse=True)
def served_base_url(app, live_server):
    """Links point at the live server, as KIDSVOICE_BASE_URL would in production."""
    config = app.extensions["kidsvoice.config"]
    app.extensions["kidsvoice.config"] = config.with_(base_url=live_server.url)
    return


def pdf_pages(page, name: str) -> int:
    """Print the page to an A4 PDF (kept in the artifacts) and count its pages."""
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    data = page.pdf(format="A4", prefer_css_page_size=True, print_background=True,
                    path=str(ARTIFACTS / f"{name}.pdf"))
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def log_in(page, user, password: str, locale: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label(WORDS[locale]["password"]).fill(password)
    page.get_by_role("button", name=WORDS[locale]["login"]).click()
    page.wait_for_url(re.compile(r"/$"))


def link_works(new_page, link: str, name: str) -> None:
    """Open the link in a fresh browser: 303 to a token-free page that greets the child."""
    child = new_page(locale="da")
    first = child.request.get(link, max_redirects=0)
    assert first.status == 303
    assert "/i/" not in first.headers["location"]
    child.goto(link)
    assert "/i/" not in child.url
    assert name in child.content()


@pytest.mark.parametrize("locale", ["da", "en"])
def test_register_invite_copy_print_and_the_link_works(
    locale, new_page, make, session, axe_check, screenshot
) -> None:
    w = WORDS[locale]
    programme = make.programme("Skolefravær 2027", contact="Karin i PPR, tlf. 12 34 56 78")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    for n, name in enumerate(("Ida", "Noah", "Sofie")):
        child = make.child(programme, first_name=name, age=8 + n)
        if n:
            make.invitation(child)
    session.commit()

    page = new_page(locale=locale)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, user, make.PASSWORD, locale)
    page.get_by_role("link", name=w["programmes"]).first.click()
    page.wait_for_url("**/programmes/")  # the start page links to the programme too
    page.get_by_role("link", name="Skolefravær 2027").click()
    page.wait_for_url(re.compile(r"/programmes/\d+$"))
    axe_check(page, f"dashboard {locale}")
    screenshot(page, f"coordinator-dashboard-{locale}-tablet")
    page.set_viewport_size(PHONE)
    screenshot(page, f"coordinator-dashboard-{locale}-phone")
    page.set_viewport_size(TABLET)

    page.get_by_role("link", name=w["add_child"]).first.click()
    page.wait_for_url("**/children/new")
    axe_check(page, f"child form {locale}")
    page.get_by_role("button", name=w["save_child"]).click()  # empty: errors next to fields
    # the form posts to the page it is on: wait for the errors, not for the address
    expect(page.locator(".field__error").nth(1)).to_be_attached()
    assert page.locator(".field__error").count() >= 2
    axe_check(page, f"child form errors {locale}")
    screenshot(page, f"coordinator-child-form-errors-{locale}-tablet")
    page.get_by_label(w["first_name"]).fill("Amira")
    page.get_by_label(w["birth_year"]).fill(str(time.localtime().tm_year - 11))
    page.get_by_role("combobox", name=w["language"]).select_option("en")
    page.get_by_role("button", name=w["save_child"]).click()
    page.wait_for_url(re.compile(r"/children/(?!new$)[\w-]+$"))  # not the form's own /children/new
    axe_check(page, f"child page {locale}")
    screenshot(page, f"coordinator-child-{locale}-tablet")

    page.locator("form.action-form").first.get_by_role("button", name=re.compile(w["invite"])
                                                        ).click()
    page.wait_for_selector("#child-link")
    link = page.locator("#child-link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/i/[\w.-]+", link)
    code = page.locator("[data-short-code]").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{2}", code)
    page.get_by_role("button", name=w["copy"]).click()
    page.get_by_text(w["copied"]).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.locator("svg.qr").count() == 2  # on the page and on the letter
    axe_check(page, f"hand-over {locale}")
    screenshot(page, f"coordinator-handover-{locale}-tablet")
    page.set_viewport_size(PHONE)
    screenshot(page, f"coordinator-handover-{locale}-phone")
    page.set_viewport_size(TABLET)

    # the letter, printed: only the letter, in the child's language (English for Amira)
    page.emulate_media(media="print")
    assert page.locator(".once-notice").is_hidden()
    assert page.locator(".site-header").is_hidden()
    letter = page.locator("article.letter")
    assert letter.is_visible()
    assert "Hi Amira!" in letter.inner_text()
    assert code in letter.inner_text()
    screenshot(page, f"coordinator-letter-{locale}-print")
    assert pdf_pages(page, f"coordinator-letter-{locale}") == 1  # one A4 sheet
    page.emulate_media(media="screen")

    link_works(new_page, link, "Amira")
    session.rollback()
    invitation = session.scalar(
        select(Invitation).join(Child).where(Child.first_name == "Amira"))
    assert invitation.opened_at is not None


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, smtp_session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    config = app.extensions["kidsvoice.config"]
    app.extensions["kidsvoice.config"] = config.with_(
        mail_server="127.0.0.1", mail_port=controller.port, mail_sender="kidsvoice@kommune.test")
    yield inbox
    controller.stop()


@pytest.mark.parametrize("javascript", [True, False])
def test_an_email_really_sent_whose_link_works(
    javascript, new_page, make, session, smtp_server, axe_check, screenshot
) -> None:
    programme = make.programme("Læring 2027")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    child = make.child(programme, first_name="Emil", age=9)
    session.commit()
    page = new_page(locale="da", javascript=javascript)
    log_in(page, user, make.PASSWORD, "da")
    page.goto(f"/programmes/{programme.id}/children/{child.public_id}")
    page.locator("form.action-form").first.get_by_role("button", name=re.compile("Invitér")
                                                        ).click()
    page.wait_for_selector("#child-link")
    link = page.locator("#child-link").input_value()
    page.get_by_label("E-mailadresse").fill("plejefar@example.dk")
    page.get_by_role("button", name="Send linket").click()
    page.get_by_text("Sendt til plejefar@example.dk.").wait_for()
    assert page.locator("#child-link").input_value() == link  # still there to print
    if javascript:  # axe itself needs JavaScript
        axe_check(page, "e-mail sent")
        screenshot(page, "coordinator-email-sent-da-tablet")
    for _ in range(50):
        if smtp_server.messages:
            break
        time.sleep(0.05)
    [message] = smtp_server.messages
    assert message["To"] == "plejefar@example.dk"
    assert message["From"] == "kidsvoice@kommune.test"
    assert message["Subject"] == "En invitation til Emil"
    body = message.get_content()
    mailed = re.search(r"http://\S+/i/\S+", body).group(0)
    assert mailed == link
    assert "Læring" not in body
    session.rollback()
    link_works(new_page, mailed, "Emil")


def test_invite_everyone_and_print_all_letters(new_page, make, session, axe_check,
                                               screenshot) -> None:
    programme = make.programme("Skolefravær 2027")
    user = make.staff("coordinator", name="Karin", programmes=[programme])
    for name, language in (("Ida", "da"), ("Noah", "da"), ("Amira", "en")):
        make.child(programme, first_name=name, language=language, age=10)
    session.commit()
    page = new_page(locale="da")
    log_in(page, user, make.PASSWORD, "da")
    page.goto(f"/programmes/{programme.id}")
    page.get_by_role("link", name="Invitér alle").first.click()
    page.wait_for_url(re.compile(r"/rounds/\d+/invite$"))
    axe_check(page, "bulk invite")
    page.get_by_role("button", name="Lav linkene").click()
    page.wait_for_selector("table.links-table")
    page.wait_for_load_state()  # the table is on the new page (same address): let all of it load
    links = [page.locator(f"#{i}").input_value()
             for i in page.locator("input[data-child-link]").evaluate_all(
                 "els => els.map(e => e.id)")]
    assert len(links) == 3
    axe_check(page, "bulk links")
    screenshot(page, "coordinator-bulk-da-tablet")
    page.emulate_media(media="print")
    assert page.locator("table.links-table").is_hidden()
    letters = page.locator("article.letter")
    assert letters.count() == 3
    assert "Hi Amira!" in letters.nth(0).inner_text()  # alphabetical, in her language
    screenshot(page, "coordinator-bulk-letters-print")
    assert pdf_pages(page, "coordinator-bulk-letters") == 3  # one A4 sheet per child
    page.emulate_media(media="screen")
    session.rollback()
    link_works(new_page, links[1], "Ida")
    page.goto(f"/programmes/{programme.id}")
    assert page.locator(".inv-state--invited").count() == 2
    assert page.locator(".inv-state--opened").count() == 1


@pytest.mark.parametrize("locale", ["da", "en"])
def test_a_large_programme_is_invited_a_batch_at_a_time(
    locale, new_page, make, session, axe_check, screenshot, monkeypatch
) -> None:
    from kidsvoice.coordinator import views

    monkeypatch.setattr(views, "BULK_BATCH_SIZE", 2)  # a programme "larger" than a batch
    w = {"da": {"invite": "Invitér alle", "make": "Lav linkene", "next": "Lav det næste link",
                "left": "1 barn mere mangler et link."},
         "en": {"invite": "Invite everyone", "make": "Make the links",
                "next": "Make the next link", "left": "1 more child still needs a link."}}[locale]
    programme = make.programme()
    user = make.staff("coordinator", programmes=[programme])
    for name in ("Ida", "Noah", "Amira"):
        make.child(programme, first_name=name)
    session.commit()
    page = new_page(locale=locale)
    log_in(page, user, make.PASSWORD, locale)
    page.goto(f"/programmes/{programme.id}")
    page.get_by_role("link", name=w["invite"]).first.click()
    page.get_by_role("button", name=w["make"]).click()
    expect(page.locator("div.next-batch")).to_contain_text(w["left"])
    expect(page.locator("article.letter")).to_have_count(2)
    axe_check(page, f"bulk links, more to come, {locale}")
    screenshot(page, f"coordinator-bulk-batch-{locale}-tablet")
    page.emulate_media(media="print")
    assert page.locator(".next-batch").first.is_hidden()  # only the letters print
    assert page.locator(".next-batch").last.is_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("button", name=w["next"]).click()
    expect(page.locator(".next-batch")).to_have_count(0)  # waits for the next page
    expect(page.locator("article.letter")).to_have_count(1)
    axe_check(page, f"bulk links, the last batch, {locale}")

