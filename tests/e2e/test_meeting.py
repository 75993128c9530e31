"""The meeting in a browser: the facilitator reads a child's sheet and records two goals; the
coordinator's pages; the print view on A4.  Every page axe-checked in Danish and English,
screenshots (tablet, phone, print) in tests/e2e/artifacts/.

The child's answers are written straight into the database (tests/meeting_data.py); the full
child -> sheet -> goals -> follow-up chain runs in the lead's journey test.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kidsvoice.models import AuditEntry, utcnow
from tests.e2e.conftest import ARTIFACTS, PHONE, TABLET
from tests.meeting_data import (
    BASELINE_6_9,
    BASELINE_10_16,
    WHO5_LOW,
    add_goal,
    cards,
    complete_round,
    score,
    text,
)

WORDS = {
    "da": {"email": "E-mail", "password": "Adgangskode", "login": "Log ind",
           "meetings": "Møder", "record": "Registrér mål", "goal": "Målet med barnets egne ord",
           "save": "Registrér målet", "print": "Udskriv", "kept": "Barnet har holdt 1 svar",
           "recorded": "Målet er registreret.", "error": "Skriv målet med barnets egne ord."},
    "en": {"email": "E-mail", "password": "Password", "login": "Log in",
           "meetings": "Meetings", "record": "Record goals",
           "goal": "The goal, in the child's own words",
           "save": "Record the goal", "print": "Print", "kept": "The child kept 1 answer",
           "recorded": "The goal was recorded.",
           "error": "Write the goal in the child's own words."},
}
HIDDEN = "Jeg er bange for Kasper i frikvarteret"


def log_in(page, user, password, locale) -> None:
    w = WORDS[locale]
    page.goto("/login")
    page.get_by_label(w["email"]).fill(user.email)
    page.get_by_label(w["password"]).fill(password)
    page.get_by_role("button", name=w["login"]).click()
    page.wait_for_url(re.compile(r"/(#main)?$"))


#: The print view opens the print dialog; in a headless browser that would block page.pdf(),
#: so the tests count the calls instead.
COUNT_PRINTS = "window.print = () => { window.__prints = (window.__prints || 0) + 1; };"


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("locale", ["da", "en"])
def test_facilitator_reads_the_sheet_and_records_two_goals(
    locale, new_page, make, axe_check, screenshot
) -> None:
    w = WORDS[locale]
    programme = make.programme("Læring i pleje 2027")
    facilitator = make.staff("facilitator", name="Mette", programmes=[programme])
    child = make.child(programme, first_name="Ida", age=8)
    child.facilitators.append(facilitator)
    complete_round(make.session, child, answers=BASELINE_6_9, hidden={"W3"})
    make.session.commit()

    page = new_page(locale=locale)
    page.add_init_script(COUNT_PRINTS)
    log_in(page, facilitator, make.PASSWORD, locale)
    page.get_by_role("link", name=w["meetings"]).click()
    page.wait_for_url("**/children/")
    axe_check(page, f"meetings-{locale}")
    page.get_by_role("link", name="Ida", exact=True).click()
    page.wait_for_url(re.compile(r"/children/\d+/sheet$"))

    # exactly the child's answers, not the one kept from the meeting
    content = page.locator("main").inner_text()
    for words in ("At mor ikke skal arbejde så meget", "Lære at cykle"):
        assert words in content
    assert HIDDEN not in page.content()
    assert w["kept"] in content
    # one entry per question asked, less the one kept back: W1, W2; 3 + 4 + 5 + 4 answers
    assert page.locator(".sheet-section--wishes .wish").count() == 2
    assert page.locator(".answers tbody tr").count() == 16
    assert page.locator("h1").inner_text() == "Ida"
    sections = page.locator(".sheet-section > h2").all_inner_texts()
    assert len(sections) == 6  # wishes, heard, well-being, school, relations, goals
    axe_check(page, f"sheet-{locale}")
    screenshot(page, f"meeting-sheet-{locale}-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, f"sheet-{locale}-phone")
    screenshot(page, f"meeting-sheet-{locale}-phone")
    page.set_viewport_size(TABLET)

    # two goals, in the child's words; a first try without words is refused
    page.get_by_role("link", name=w["record"]).click()
    page.wait_for_url(re.compile(r"/children/\d+/goals$"))
    axe_check(page, f"goals-empty-{locale}")
    page.locator('label[for="start_rating-3"]').click()
    page.get_by_role("button", name=w["save"]).click()
    assert page.locator("#text-error").inner_text().strip() == w["error"]
    assert page.get_by_label(w["goal"]).get_attribute("aria-invalid") == "true"
    axe_check(page, f"goals-error-{locale}")
    screenshot(page, f"meeting-goals-error-{locale}-tablet")
    for count, (words, rating) in enumerate(
        (("Komme i skole hver dag", "3"), ("<b>Sove</b> godt", "5")), start=1
    ):
        page.get_by_label(w["goal"]).fill(words)
        page.locator(f'label[for="start_rating-{rating}"]').click()
        page.get_by_role("button", name=w["save"]).click()
        # the form posts to the page it is on: wait for the list to grow, not for the address
        expect(page.locator(".goal-row__text")).to_have_count(count)
        expect(page.locator(".flashes")).to_contain_text(w["recorded"])
    rows = page.locator(".goal-row__text").all_inner_texts()
    assert [r.strip("“”\"") for r in rows] == ["Komme i skole hver dag", "<b>Sove</b> godt"]
    axe_check(page, f"goals-{locale}")
    screenshot(page, f"meeting-goals-{locale}-tablet")

    # the sheet now shows them
    page.get_by_role("link", name="Svarark" if locale == "da" else "Answer sheet").click()
    page.wait_for_url(re.compile(r"/children/\d+/sheet$"))
    expect(page.locator(".goal__text")).to_have_count(2)  # waits for the new page
    goals = page.locator(".goal__text").all_inner_texts()
    assert [g.strip("“”\"") for g in goals] == ["Komme i skole hver dag", "<b>Sove</b> godt"]
    assert page.locator(".goal__ratings").count() == 2
    assert page.locator(".goal-chart").count() == 0  # one rating each: no line to draw yet
    axe_check(page, f"sheet-with-goals-{locale}")

    # print: through the print view, recorded, at most two A4 pages in black and white
    page.get_by_role("link", name=w["print"], exact=True).click()
    page.wait_for_url(re.compile(r"/sheet/\d+/print$"))
    page.wait_for_function("() => window.__prints === 1")
    again = page.get_by_role("button", name="Udskriv igen" if locale == "da" else "Print again")
    again.click()
    assert page.evaluate("window.__prints") == 2
    axe_check(page, f"sheet-print-view-{locale}")
    page.emulate_media(media="print")
    screenshot(page, f"meeting-sheet-{locale}-print")
    pdf = page.pdf(format="A4", print_background=False)
    (ARTIFACTS / f"meeting-sheet-{locale}.pdf").write_bytes(pdf)
    assert 1 <= pdf_pages(pdf) <= 2, pdf_pages(pdf)
    page.emulate_media(media="screen")

    make.session.rollback()
    actions = list(make.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject == child.public_id)
        .order_by(AuditEntry.id)))
    assert actions.count("sheet_print") == 1
    assert actions.count("sheet_view") == 2
    assert actions.count("goal_recorded") == 2


@pytest.mark.parametrize("locale", ["da", "en"])
def test_the_on_screen_sheet_prints_only_a_pointer_to_the_print_button(
    locale, new_page, make, axe_check
) -> None:
    programme = make.programme()
    facilitator = make.staff("facilitator", programmes=[programme])
    child, waiting = make.child(programme), make.child(programme, first_name="Sam")
    child.facilitators.append(facilitator)
    waiting.facilitators.append(facilitator)
    complete_round(make.session, child, answers=BASELINE_6_9)
    make.session.commit()
    page = new_page(locale=locale)
    log_in(page, facilitator, make.PASSWORD, locale)
    page.goto(f"/children/{child.id}/sheet")
    page.emulate_media(media="print")
    assert page.locator(".sheet").is_hidden()
    assert page.locator(".print-pointer").is_visible()
    page.emulate_media(media="screen")
    page.goto(f"/children/{waiting.id}/sheet")  # no finished questionnaire yet
    assert page.locator(".sheet").count() == 0
    axe_check(page, f"sheet-no-answers-{locale}")


@pytest.mark.parametrize("locale", ["da", "en"])
def test_a_full_follow_up_sheet_fits_two_pages(locale, new_page, make, axe_check, screenshot):
    """The longest sheet: 10-16 with WHO-5, a follow-up with three goals and long words."""
    programme = make.programme()
    coordinator = make.staff("coordinator", programmes=[programme])
    child = make.child(programme, first_name="Noah", age=13)
    child.coordinator_id = coordinator.id
    # the longest words a child can give: 500 characters for every text question
    long = (("Jeg vil gerne have, at de voksne lytter mere til mig, når jeg siger noget om "
             "skolen. ") * 7)[:500]
    baseline = {**BASELINE_10_16, **WHO5_LOW,
                **{key: text(long) for key in ("W1", "W3", "W4")},
                "W2": cards("concentrating", "school_every_day", "other", other=long[:200]),
                "S5": cards("sleep", "rather_home", "at_home", "other", other=long[:200])}
    del baseline["L2"], baseline["L3"]
    when = utcnow() - timedelta(days=120)
    complete_round(make.session, child, programme.rounds[0], answers=baseline, hidden={"W2"},
                   completed_at=when)
    goals = [add_goal(make.session, child, words, start, round_=programme.rounds[0])
             for words, start in (("Komme i skole hver dag før klokken ringer", 2),
                                  ("Sove otte timer hver nat", 4),
                                  ("Tale med min kontaktlærer en gang om ugen", 1))]
    follow = {**baseline, "W1": text(("Mere ro derhjemme. " + long)[:500]), "H5": score(2),
              "G4": text("At min lærer ringer til mig om morgenen " + long[:400]),
              **{f"WHO5-{i}": score(4) for i in range(1, 6)},
              **{f"goal-{g.id}": score(r) for g, r in zip(goals, (7, 5, 1), strict=True)}}
    complete_round(make.session, child, programme.rounds[1], answers=follow)
    make.session.commit()

    page = new_page(locale=locale)
    page.add_init_script(COUNT_PRINTS)
    log_in(page, coordinator, make.PASSWORD, locale)
    page.goto(f"/children/{child.id}/sheet")
    content = page.locator("main").inner_text()
    assert "Mere ro derhjemme" in content
    assert "At min lærer ringer" in content
    assert page.locator(".goal-chart").count() == 3
    axe_check(page, f"sheet-follow-up-{locale}")
    screenshot(page, f"meeting-sheet-follow-up-{locale}-tablet")
    page.set_viewport_size(PHONE)
    screenshot(page, f"meeting-sheet-follow-up-{locale}-phone")
    page.set_viewport_size(TABLET)

    round_id = page.locator(".round-switch a[aria-current='page']").get_attribute("href")
    assert round_id
    page.goto(round_id + "/print")
    page.emulate_media(media="print")
    screenshot(page, f"meeting-sheet-follow-up-{locale}-print")
    pdf = page.pdf(format="A4")
    (ARTIFACTS / f"meeting-sheet-follow-up-{locale}.pdf").write_bytes(pdf)
    assert 1 <= pdf_pages(pdf) <= 2, pdf_pages(pdf)
    page.emulate_media(media="screen")

    page.goto(f"/children/{child.id}/rounds")
    assert page.locator(".rounds-table tbody tr").count() >= 5
    axe_check(page, f"rounds-{locale}")
    screenshot(page, f"meeting-rounds-{locale}-tablet")

    page.goto(f"/children/{child.id}/safeguarding")
    kept = page.locator("main").inner_text()
    assert "Koncentrere mig" in kept or "Concentrating" in kept  # the W2 cards kept back
    axe_check(page, f"safeguarding-{locale}")
    screenshot(page, f"meeting-safeguarding-{locale}-tablet")

    page.goto(f"/children/{child.id}/goals/{goals[0].id}")
    axe_check(page, f"goal-edit-{locale}")
    page.goto(f"/children/{child.id}/goals")
    axe_check(page, f"goals-full-{locale}")


@pytest.mark.parametrize("locale", ["da", "en"])
def test_coordinator_finds_a_child_in_a_long_meeting_list(
    locale, new_page, make, axe_check, screenshot
) -> None:
    programme = make.programme()
    coordinator = make.staff("coordinator", programmes=[programme])
    for n in range(55):
        make.child(programme, first_name=f"Barn {n:02d}", external_ref=f"SAG-{n}")
    make.child(programme, first_name="Østen")
    make.session.commit()
    w = {"da": {"find": "Find", "search": "Navn eller sagsreference", "next": "Næste"},
         "en": {"find": "Find", "search": "Name or case reference", "next": "Next"}}[locale]

    page = new_page(locale=locale)
    log_in(page, coordinator, make.PASSWORD, locale)
    page.get_by_role("link", name=WORDS[locale]["meetings"]).click()
    page.wait_for_url("**/children/")
    expect(page.locator("tbody tr")).to_have_count(50)
    axe_check(page, f"meetings-long-{locale}")
    screenshot(page, f"meetings-long-{locale}-tablet")
    page.get_by_role("link", name=w["next"]).click()
    expect(page.locator("tbody tr")).to_have_count(6)
    expect(page.locator("tbody tr").last).to_contain_text("Østen")
    # by keyboard: the search box, a name in lower case, Enter
    page.get_by_label(w["search"]).focus()
    page.keyboard.type("østen")
    page.keyboard.press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    axe_check(page, f"meetings-found-{locale}")
    page.get_by_role("link", name="Østen", exact=True).click()
    page.wait_for_url(re.compile(r"/children/\d+/sheet$"))


@pytest.mark.parametrize("locale", ["da", "en"])
def test_admin_audit_log_page(locale, new_page, make, axe_check, screenshot) -> None:
    programme = make.programme()
    facilitator = make.staff("facilitator", programmes=[programme])
    child = make.child(programme)
    child.facilitators.append(facilitator)
    complete_round(make.session, child, answers=BASELINE_6_9)
    admin = make.staff("admin")
    make.session.commit()
    page = new_page(locale=locale)
    log_in(page, facilitator, make.PASSWORD, locale)
    page.goto(f"/children/{child.id}/sheet")
    page = new_page(locale=locale)
    log_in(page, admin, make.PASSWORD, locale)
    page.get_by_role("link", name="Logbog" if locale == "da" else "Audit log").click()
    page.wait_for_url("**/admin/audit")
    assert child.public_id in page.locator("main").inner_text()
    axe_check(page, f"audit-{locale}")
    page.get_by_label("Hvem (e-mail indeholder)" if locale == "da" else "Who (e-mail contains)"
                      ).fill("nobody-like-this")
    page.get_by_role("button", name="Vis" if locale == "da" else "Show").click()
    # wait for the filtered page to load: a page still loading lacks the id too
    page.wait_for_url(re.compile(r"actor=nobody-like-this"))
    expect(page.locator("main")).not_to_contain_text(child.public_id)
    page.goto("/admin/audit?date_from=bad")
    axe_check(page, f"audit-error-{locale}")
    page.goto("/admin/audit")
    screenshot(page, f"admin-audit-{locale}-tablet")

