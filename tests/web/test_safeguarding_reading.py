"""Reading every free-text answer: the coordinator's "Free text to read" page, marking as read,
overdue answers, the start-page badge, and who may see what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kidsvoice.audit import Action
from kidsvoice.models import Answer, AuditEntry, utcnow
from kidsvoice.safeguarding_views.queries import unread_free_text
from tests.conftest import csrf_token
from tests.meeting_data import BASELINE_10_16, complete_round, text

EN = {"Accept-Language": "en"}


def _answers(session, response) -> dict[str, Answer]:
    return {a.question_key: a for a in session.scalars(
        select(Answer).where(Answer.response_id == response.id))}


@pytest.fixture
def world(make, session):
    """Two programmes; Karin is Ida's coordinator, Ole another coordinator of the programme,
    Mette a coordinator elsewhere.  Ida's baseline has four free-text answers, W3 kept from
    the meeting; one of them (W1) matched the worry list."""
    programme = make.programme("Skolefravær 2027")
    elsewhere = make.programme("Læring 2027")
    karin = make.staff("coordinator", name="Karin", programmes=[programme])
    ole = make.staff("coordinator", name="Ole", programmes=[programme])
    mette = make.staff("coordinator", name="Mette", programmes=[elsewhere])
    facilitator = make.staff("facilitator", programmes=[programme])
    ida = make.child(programme, first_name="Ida", age=13, coordinator=karin)
    ida.facilitators.append(facilitator)
    answers = {**BASELINE_10_16, "W1": text("Min far slår mig"),
               "W2": {"status": "answered", "choices": ["other"], "text": "Lære at cykle"}}
    response = complete_round(session, ida, answers=answers, hidden={"W3"})
    rows = _answers(session, response)
    rows["W1"].worry = True
    response.flagged_at = utcnow()
    session.commit()
    return {"programme": programme, "karin": karin, "ole": ole, "mette": mette, "ida": ida,
            "facilitator": facilitator, "response": response, "rows": rows}


def _log_in(client, user, make) -> None:
    response = client.post("/login", data={"email": user.email, "password": make.PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302


def test_the_list_holds_every_unread_free_text_flagged_first(client, make, session,
                                                             world) -> None:
    _log_in(client, world["karin"], make)
    page = client.get("/safeguarding/", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # W1 (flagged), then the others: W2's "something else", W3 (kept) and W4
    words = ["Min far slår mig", "Lære at cykle", BASELINE_10_16["W3"]["text"],
             BASELINE_10_16["W4"]["text"]]
    positions = [html.index(w) for w in words]
    assert positions[0] == min(positions)
    assert set(words[1:]) <= set(re.findall(r'<blockquote class="child-words" dir="auto">([^<]+)<',
                                            html))
    assert "Urgent: matched the worry list" in html
    assert "Kept from the meeting" in html
    assert "4 answers to read" in html
    assert page.headers["Cache-Control"] == "no-store"


def test_the_page_is_audited_per_child(client, make, session, world) -> None:
    _log_in(client, world["karin"], make)
    client.get("/safeguarding/", headers=EN)
    session.rollback()
    [entry] = session.scalars(select(AuditEntry).where(
        AuditEntry.action == Action.SAFEGUARDING_VIEW))
    assert entry.subject == world["ida"].public_id
    assert entry.detail == {"view": "free_text", "answers": 4}
    assert entry.actor_id == world["karin"].id


def test_mark_as_read_records_who_and_when_and_audits(client, make, session, world) -> None:
    _log_in(client, world["karin"], make)
    answer = world["rows"]["W3"]
    token = csrf_token(client, "/safeguarding/")
    result = client.post(f"/safeguarding/answers/{answer.id}/read", data={"csrf_token": token})
    assert result.status_code == 303
    assert result.headers["Location"] == "/safeguarding/"
    session.rollback()
    read = session.get(Answer, answer.id)
    assert read.read_at is not None
    assert read.read_by_id == world["karin"].id
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == Action.ANSWER_READ))
    assert entry.subject == world["ida"].public_id
    assert entry.detail == {"question": "W3", "round": 1, "worry": False}
    html = client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    assert BASELINE_10_16["W3"]["text"] not in html
    assert "3 answers to read" in html
    # a second click (two tabs) is harmless
    again = client.post(f"/safeguarding/answers/{answer.id}/read", data={"csrf_token": token})
    assert again.status_code == 303
    session.rollback()
    assert session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == Action.ANSWER_READ).offset(1)) is None


def test_mark_as_read_with_htmx_swaps_the_item(client, make, session, world) -> None:
    _log_in(client, world["karin"], make)
    answer = world["rows"]["W1"]
    token = csrf_token(client, "/safeguarding/")
    result = client.post(f"/safeguarding/answers/{answer.id}/read", data={"csrf_token": token},
                         headers={"HX-Request": "true"})
    assert result.status_code == 200
    body = result.get_data(as_text=True)
    assert f'id="answer-{answer.id}"' in body
    assert 'role="status"' in body
    assert "<html" not in body


def test_mark_as_read_without_csrf_is_refused(client, make, session, world) -> None:
    _log_in(client, world["karin"], make)
    answer = world["rows"]["W1"]
    result = client.post(f"/safeguarding/answers/{answer.id}/read")
    assert result.status_code == 400
    session.rollback()
    assert session.get(Answer, answer.id).read_at is None


def test_unknown_answer_is_403(client, make, session, world) -> None:
    _log_in(client, world["karin"], make)
    token = csrf_token(client, "/safeguarding/")
    assert client.post("/safeguarding/answers/999999/read",
                       data={"csrf_token": token}).status_code == 403


def test_another_programmes_coordinator_sees_nothing_and_gets_403(client, make, session,
                                                                   world) -> None:
    _log_in(client, world["mette"], make)
    html = client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    assert "Min far slår mig" not in html
    assert "Ida" not in html
    token = csrf_token(client, "/safeguarding/")
    for answer in world["rows"].values():
        result = client.post(f"/safeguarding/answers/{answer.id}/read",
                             data={"csrf_token": token})
        assert result.status_code == 403
    session.rollback()
    assert all(session.get(Answer, a.id).read_at is None for a in world["rows"].values())


def test_another_coordinator_of_the_programme_reads_only_children_without_their_own(
        client, make, session, world) -> None:
    _log_in(client, world["ole"], make)
    html = client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    assert "Min far slår mig" not in html  # Ida has her own coordinator, Karin
    token = csrf_token(client, "/safeguarding/")
    answer = world["rows"]["W1"]
    assert client.post(f"/safeguarding/answers/{answer.id}/read",
                       data={"csrf_token": token}).status_code == 403
    assert client.get(f"/children/{world['ida'].id}/safeguarding").status_code == 403
    # once Karin is no longer in the programme, Ole reads Ida's answers rather than nobody
    session.rollback()
    world["programme"].staff.remove(session.merge(world["karin"]))
    session.commit()
    assert "Min far slår mig" in client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    # ... and the meeting's page of what Ida kept from the meeting, by the same rule
    assert client.get(f"/children/{world['ida'].id}/safeguarding").status_code == 200


@pytest.mark.parametrize("role", ["facilitator", "evaluator", "admin"])
def test_other_roles_are_refused(client, login_as, role, world) -> None:
    login_as(role, programmes=[world["programme"]])
    assert client.get("/safeguarding/", headers=EN).status_code == 403


def test_overdue_after_two_working_days_and_flagged_urgent_after_24_hours(
        app, client, make, session, world) -> None:
    rows, response = world["rows"], world["response"]
    now = utcnow()
    rows["W3"].answered_at = now - timedelta(days=10)  # unflagged and long overdue
    rows["W4"].answered_at = now - timedelta(minutes=5)  # unflagged, just written
    session.commit()
    items = {i.answer.question_key: i for i in unread_free_text(
        session, world["karin"], now=now, working_days=2)}
    assert items["W3"].overdue
    assert not items["W4"].overdue
    assert items["W1"].worry
    assert not items["W1"].overdue
    assert items["W1"].due_at == response.flagged_at + timedelta(hours=24)
    # 25 hours later, the flagged answer is overdue too, though 1 working day has not passed
    later = response.flagged_at + timedelta(hours=25)
    items = {i.answer.question_key: i for i in unread_free_text(
        session, world["karin"], now=later, working_days=5)}
    assert items["W1"].overdue
    _log_in(client, world["karin"], make)
    html = client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    assert "Overdue" in html
    assert "1 overdue" in html


def test_the_working_days_setting_is_used(app, client, make, session, world) -> None:
    for key in ("W2", "W3", "W4"):  # past any weekend: overdue at once with 0 working days
        world["rows"][key].answered_at = utcnow() - timedelta(days=10)
    session.commit()
    config = app.extensions["kidsvoice.config"]
    _log_in(client, world["karin"], make)
    app.extensions["kidsvoice.config"] = config.with_(read_within_working_days=0)
    zero = client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    app.extensions["kidsvoice.config"] = config.with_(read_within_working_days=30)
    thirty = client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    assert "3 overdue" in zero
    assert "0 overdue" in thirty


def test_the_start_page_badge_counts_flagged_and_overdue(client, make, session, world) -> None:
    world["rows"]["W3"].answered_at = utcnow() - timedelta(days=10)
    session.commit()
    _log_in(client, world["karin"], make)
    html = client.get("/", headers=EN).get_data(as_text=True)
    badge = html[html.index('class="sg-badge'):]
    badge = badge[:badge.index("</section>")]
    assert re.search(r"<strong>1</strong> flagged answer — urgent", badge)
    assert re.search(r"<strong>1</strong> overdue answer", badge)
    assert re.search(r"<strong>4</strong> answers to read in all", badge)
    assert 'href="/safeguarding/"' in badge
    assert "sg-badge--alert" in badge


def test_the_badge_is_calm_when_all_is_read(client, make, session, world) -> None:
    for answer in world["rows"].values():
        answer.read_at = utcnow()
    session.commit()
    _log_in(client, world["karin"], make)
    html = client.get("/", headers=EN).get_data(as_text=True)
    assert "Nothing to read" in html
    assert "sg-badge--alert" not in html


def test_other_staff_get_no_badge(client, login_as, world) -> None:
    login_as("facilitator", programmes=[world["programme"]])
    assert 'class="sg-badge' not in client.get("/").get_data(as_text=True)


def test_answers_of_an_unfinished_questionnaire_are_listed_too(client, make, session,
                                                               world) -> None:
    noah = make.child(world["programme"], first_name="Noah", age=12, coordinator=world["karin"])
    complete_round(session, noah, answers={"W1": text("Mere fodbold")}, finished=False)
    session.commit()
    _log_in(client, world["karin"], make)
    html = client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    assert "Mere fodbold" in html
    assert "The child has not finished yet" in html


def test_child_words_are_escaped(client, make, session, world) -> None:
    world["rows"]["W4"].text = '<script>alert("x")</script>\u202eevil'
    session.commit()
    _log_in(client, world["karin"], make)
    html = client.get("/safeguarding/", headers=EN).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
