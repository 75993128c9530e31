"""From the child's words to the meeting and back (issue 5), end to end in the browser:

a child completes the baseline → the facilitator sees exactly those answers, not the one kept
from the meeting → records two goals → the follow-up shows the child what was agreed and asks
about those two goals → the child rates them → the sheet shows the progress.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from kidsvoice.models import RoundKind
from tests.e2e.pages import ChildJourney

WISH = "Jeg vil gerne have flere venner i frikvarteret"
SECRET = "Min hund hedder Bob og det er en hemmelighed"
GOALS = [("Komme i skole før klokken ringer", 2), ("Have en ven at lege med <b>hver</b> dag", 4)]


def _log_in(page, user, password) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/(#main)?$"))


def test_goals_agreed_at_the_meeting_come_back_to_the_child(
    browser, live_server, new_page, make, session, axe_check, screenshot
) -> None:
    programme = make.programme("Læring i pleje 2027", rounds=[
        (RoundKind.BASELINE, "Før", None), (RoundKind.FOLLOW_UP, "Efter", None)])
    facilitator = make.staff("facilitator", name="Frida", programmes=[programme])
    child = make.child(programme, first_name="Maja", age=11, facilitators=[facilitator])
    _baseline, token = make.invitation(child, programme.rounds[0])
    session.commit()
    child_id = child.id

    # 1. the child answers the baseline and keeps one answer from the meeting
    page = new_page(locale="da")
    journey = ChildJourney(page)
    journey.open(token)
    journey.start()
    while not journey.on_review():
        journey.answer({"W1": WISH, "W3": SECRET})
    journey.keep_from_meeting("W3")
    journey.send()

    # 2. the facilitator reads the sheet: the wish, not the kept answer
    staff = new_page(locale="da")
    _log_in(staff, facilitator, make.PASSWORD)
    staff.goto(f"/children/{child_id}/sheet")
    sheet = staff.content()
    assert WISH in sheet
    assert SECRET not in sheet
    assert re.search(r"1 svar", staff.locator("main").inner_text())
    axe_check(staff, "sheet after baseline")

    # 3. … and records two goals in the child's words
    staff.goto(f"/children/{child_id}/goals")
    for text, start in GOALS:
        staff.get_by_label("Målet med barnets egne ord").fill(text)
        staff.locator(f"label[for=start_rating-{start}]").click()
        staff.get_by_role("button", name="Registrér målet").click()
        # the posted form's page lists the goal (waits for it, unlike wait_for_load_state)
        expect(staff.locator(".goal-list q", has_text=text)).to_have_count(1)
    expect(staff.locator(".goal-list q")).to_have_count(2)

    # 4. the follow-up: the child hears what was agreed, then rates the two goals
    session.rollback()
    from kidsvoice.models import Child

    child = session.get(Child, child_id)
    _follow_up, token2 = make.invitation(child, child.programme.rounds[1])
    session.commit()
    page = new_page(locale="da")
    journey = ChildJourney(page)
    journey.open(token2)
    welcome = page.locator("main").inner_text()
    assert "blev du og de voksne enige om" in welcome
    for text, _start in GOALS:
        assert text in welcome  # the child's words, shown as words (escaped), not markup
    assert page.locator("main b").count() == 0
    axe_check(page, "follow-up welcome")
    screenshot(page, "child-follow-up-welcome")
    journey.start()
    ratings = {}
    asked_h5 = False
    while not journey.on_review():
        key, heading = journey.question_key(), journey.heading()
        if key.startswith("goal-"):
            if not ratings:
                screenshot(page, "child-goal-question")
                axe_check(page, "goal question")
            goal_text = next(t for t, _ in GOALS if t in heading)
            rating = 7 if goal_text == GOALS[0][0] else 8
            journey.answer({key: rating})  # the button for 7 is the 8th of 0..10
            ratings[goal_text] = rating
        else:
            asked_h5 = asked_h5 or key == "H5"
            journey.answer()
    assert set(ratings) == {t for t, _ in GOALS}
    assert asked_h5, "the follow-up asks whether the adults did something (H5)"
    journey.send()

    # 5. the sheet shows the goals' progress from the start to the latest rating
    staff.goto(f"/children/{child_id}/sheet")
    text = staff.locator("main").inner_text()
    for goal_text, _start in GOALS:
        assert goal_text.replace("<b>", "").replace("</b>", "") in text or goal_text in text
    assert re.search(r"2\D+7", text)
    assert re.search(r"4\D+8", text)
    axe_check(staff, "sheet after follow-up")
    screenshot(staff, "meeting-sheet-follow-up")
