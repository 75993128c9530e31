"""The child's journey through the Flask test client: link, answers, resume, finish, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from kidsvoice.answers import parse_answer
from kidsvoice.models import Answer, Invitation, Response, utcnow
from kidsvoice.operations.answers import AlreadyAnswered, active_invitation, save_answer, steps_for
from tests.child_helpers import answer_current, csrf_from, form_for, open_link, start


def _steps(app, session, invitation):
    session.rollback()
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    registry = app.extensions["kidsvoice.questionnaires"]
    return {q.key: q for q in steps_for(response, registry)}, response


def _invite(make, session, age=7, language="da", **kw):
    child = make.child(age=age, language=language, **kw)
    invitation, token = make.invitation(child)
    session.commit()
    return child, invitation, token


def test_link_is_swapped_for_a_session_and_never_shown(app, client, make, session) -> None:
    _child, invitation, token = _invite(make, session)
    response = client.get(f"/i/{token}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/c"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/c")
    html = page.get_data(as_text=True)
    assert token not in html
    assert "Ida" in html
    assert page.headers["Cache-Control"] == "no-store"
    session.rollback()
    assert session.get(Invitation, invitation.id).opened_at is not None


@pytest.mark.parametrize(("age", "variant", "language"), [(7, "6-9", "da"), (14, "10-16", "en")])
def test_whole_journey_stores_exactly_what_was_chosen(app, client, make, session, age, variant,
                                                      language) -> None:
    child, invitation, token = _invite(make, session, age=age, language=language)
    open_link(client, token)
    location = start(client)
    steps, response = _steps(app, session, invitation)
    assert response.variant == variant
    answered = []
    while location.startswith("/c/q/"):
        answered.append(location.rsplit("/", 1)[-1])
        location = answer_current(client, location, steps, choice="last")
    assert location == "/c/svar"
    assert answered == list(steps)  # every step, in order, once
    review = client.get("/c/svar").get_data(as_text=True)
    result = client.post("/c/svar", data={"csrf_token": csrf_from(review), "hide": ["W3", "H1"]})
    assert result.status_code == 303
    assert result.headers["Location"] == "/c/tak"
    session.rollback()
    rows = {a.question_key: a for a in session.scalars(
        select(Answer).where(Answer.response_id == response.id))}
    assert set(rows) == set(steps)
    for key, question in steps.items():
        expected = form_for(question, "last")
        row = rows[key]
        if question.kind == "text":
            assert row.text == expected["text"]
        elif question.kind == "cards":
            assert row.choices == expected["answer"]
        else:
            option = question.option(expected["answer"])
            assert row.score == option.score, key
    # only answers in the wishes section can be kept from the meeting
    assert rows["W3"].hidden_from_meeting is True
    assert rows["H1"].hidden_from_meeting is False
    assert session.get(Invitation, invitation.id).completed_at is not None
    assert child.variant == variant


def test_a_finished_link_opens_to_thanks_without_answers(app, client, make, session) -> None:
    _child, invitation, token = _invite(make, session, age=12)
    open_link(client, token)
    location = start(client)
    steps, _ = _steps(app, session, invitation)
    csrf = csrf_from(client.get(location).get_data(as_text=True))
    client.post(location, data={"csrf_token": csrf, "action": "answer",
                                "text": "Secret wish about a dragon"})
    session.rollback()
    invitation = session.get(Invitation, invitation.id)
    invitation.completed_at = utcnow()
    session.commit()
    again = client.get(f"/i/{token}")
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert "dragon" not in html
    assert "svaret" in html.lower() or "answered" in html.lower()
    # and the old session cannot write any more
    response = client.post(location, data={"csrf_token": csrf, "action": "skip"})
    assert response.status_code == 200
    assert "dragon" not in response.get_data(as_text=True)


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_expired_and_revoked_links_ask_for_the_adult(client, make, session, state) -> None:
    _child, invitation, token = _invite(make, session)
    if state == "expired":
        invitation.expires_at = utcnow() - timedelta(minutes=1)
    else:
        invitation.revoked_at = utcnow()
    session.commit()
    response = client.get(f"/i/{token}")
    assert response.status_code == 410
    assert "voksne" in response.get_data(as_text=True)


def test_tampered_and_unknown_tokens_get_the_same_page_with_404(client, make, session) -> None:
    _child, _invitation, token = _invite(make, session)
    expired = client.get(f"/i/{token[:-12]}AAAAAAAAAAAA")
    unknown = client.get("/i/not-a-token")
    assert expired.status_code == unknown.status_code == 404
    assert "voksne" in unknown.get_data(as_text=True)
    assert client.get("/c").status_code == 404


def test_revoking_mid_answer_stops_the_session(client, make, session) -> None:
    _child, invitation, token = _invite(make, session)
    open_link(client, token)
    location = start(client)
    session.rollback()
    invitation.revoked_at = utcnow()
    session.commit()
    assert client.get(location).status_code == 410


def test_reopening_the_link_resumes_at_the_first_unanswered_question(app, client, make,
                                                                     session) -> None:
    _child, invitation, token = _invite(make, session)
    open_link(client, token)
    location = start(client)
    steps, _ = _steps(app, session, invitation)
    for _ in range(3):
        location = answer_current(client, location, steps)
    fresh = app.test_client()  # the tablet was closed; the link is opened again
    assert fresh.get(f"/i/{token}").status_code == 303
    resumed = fresh.get("/c")
    assert resumed.status_code == 302
    assert resumed.headers["Location"] == location == f"/c/q/{list(steps)[3]}"


def test_double_submit_and_two_tabs_make_one_answer(app, client, make, session) -> None:
    _child, invitation, token = _invite(make, session, age=12)
    open_link(client, token)
    start(client)
    steps, response = _steps(app, session, invitation)
    key = "H1"
    html = client.get(f"/c/q/{key}").get_data(as_text=True)
    token_ = csrf_from(html)
    for code in ("never", "never", "always"):  # double submit, then the second tab
        response_ = client.post(f"/c/q/{key}", data={"csrf_token": token_, "answer": code})
        assert response_.status_code == 303
    session.rollback()
    rows = list(session.scalars(select(Answer).where(Answer.response_id == response.id,
                                                     Answer.question_key == key)))
    assert len(rows) == 1
    assert rows[0].score == 4


def test_htmx_post_returns_the_next_question_partial(app, client, make, session) -> None:
    _child, invitation, token = _invite(make, session, age=12)
    open_link(client, token)
    location = start(client)
    steps, _ = _steps(app, session, invitation)
    html = client.get(location).get_data(as_text=True)
    data = form_for(steps[location.rsplit("/", 1)[-1]]) | {"csrf_token": csrf_from(html)}
    response = client.post(location, data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<title>")
    assert 'id="conversation"' in body
    assert "<html" not in body
    second = list(steps)[1]
    assert response.headers["HX-Push-Url"] == f"/c/q/{second}"
    assert "HX-Request" in response.headers.get("Vary", "")
    assert len(body.encode()) <= 10_000


def test_skip_is_stored_as_declined(app, client, make, session) -> None:
    _child, invitation, token = _invite(make, session)
    open_link(client, token)
    location = start(client)
    steps, response = _steps(app, session, invitation)
    html = client.get(location).get_data(as_text=True)
    skipped = client.post(location, data={"csrf_token": csrf_from(html), "action": "skip"})
    assert skipped.status_code == 303
    session.rollback()
    row = session.scalar(select(Answer).where(Answer.response_id == response.id))
    assert row.status == "declined"
    assert row.score is None
    assert row.text is None


# ---- bad input: a clear, translated 4xx; nothing stored -------------------------------


def _count(session, response) -> int:
    session.rollback()
    return session.scalar(select(func.count(Answer.id)).where(Answer.response_id == response.id))


@pytest.fixture
def answering(app, client, make, session):
    _child, invitation, token = _invite(make, session, age=12)
    open_link(client, token)
    start(client)
    steps, response = _steps(app, session, invitation)
    html = client.get("/c/q/W1").get_data(as_text=True)
    return steps, response, csrf_from(html)


def test_out_of_range_value_is_refused(client, session, answering) -> None:
    _steps_, response, csrf = answering
    for bad in ("7", "-1", "maybe", ""):
        r = client.post("/c/q/H1", data={"csrf_token": csrf, "answer": bad})
        assert r.status_code == 422
        assert "Vælg" in r.get_data(as_text=True)
    r = client.post("/c/q/L1", data={"csrf_token": csrf, "answer": "11"})
    assert r.status_code == 422
    assert _count(session, response) == 0


def test_unknown_question_is_404(client, session, answering) -> None:
    _steps_, response, csrf = answering
    assert client.post("/c/q/Z9", data={"csrf_token": csrf, "answer": "1"}).status_code == 404
    assert client.get("/c/q/goal-999").status_code == 404
    assert _count(session, response) == 0


def test_too_long_text_is_refused_and_the_limit_shown(client, session, answering) -> None:
    steps, response, csrf = answering
    limit = steps["W1"].max_length
    page = client.get("/c/q/W1").get_data(as_text=True)
    assert str(limit) in page
    r = client.post(
        "/c/q/W1", data={"csrf_token": csrf, "action": "answer", "text": "x" * (limit + 1)}
    )
    assert r.status_code == 422
    assert str(limit) in r.get_data(as_text=True)
    assert _count(session, response) == 0
    ok = client.post("/c/q/W1", data={"csrf_token": csrf, "action": "answer", "text": "x" * limit})
    assert ok.status_code == 303


def test_too_many_cards_are_refused(client, session, answering) -> None:
    steps, response, csrf = answering
    codes = [o.code for o in steps["W2"].options][:4]
    r = client.post("/c/q/W2", data={"csrf_token": csrf, "action": "answer", "answer": codes})
    assert r.status_code == 422
    assert "3" in r.get_data(as_text=True)
    r = client.post("/c/q/W2", data={"csrf_token": csrf, "action": "answer", "answer": ["nope"]})
    assert r.status_code == 422
    assert _count(session, response) == 0


def test_empty_text_is_refused(client, session, answering) -> None:
    _steps_, response, csrf = answering
    r = client.post("/c/q/W1", data={"csrf_token": csrf, "action": "answer", "text": "   "})
    assert r.status_code == 422
    assert _count(session, response) == 0


def test_missing_csrf_token_is_refused(client, session, answering) -> None:
    _steps_, response, _csrf = answering
    r = client.post("/c/q/H1", data={"answer": "never"})
    assert r.status_code == 400
    assert "Formularen" in r.get_data(as_text=True)
    assert _count(session, response) == 0


def test_wrong_method_is_405(client, answering) -> None:
    assert client.put("/c/q/H1").status_code == 405
    assert client.delete("/c/svar").status_code == 405
    assert client.get("/c/start").status_code == 405


def test_language_can_be_switched_from_any_screen(client, answering) -> None:
    r = client.get("/c/sprog/en?next=/c/q/H1")
    assert r.status_code == 303
    assert r.headers["Location"] == "/c/q/H1"
    assert 'lang="en"' in client.get("/c/q/H1").get_data(as_text=True)
    r = client.get("/c/sprog/en?next=https://evil.example/")
    assert r.headers["Location"] == "/c"


def test_help_page_works_without_a_session(client) -> None:
    html = client.get("/c/hjaelp").get_data(as_text=True)
    assert "116 111" in html
    assert "112" in html


def test_nul_bytes_are_a_400_on_every_backend(client, session, answering) -> None:
    _steps_, response, csrf = answering
    r = client.post("/c/q/W1", data={"csrf_token": csrf, "action": "answer", "text": "a\x00b"})
    assert r.status_code == 400
    assert _count(session, response) == 0


def test_pages_reached_by_a_link_never_repeat_its_token(client, make, session) -> None:
    _child, invitation, token = _invite(make, session)
    bad = client.get(f"/i/{token[:-12]}AAAAAAAAAAAA")
    assert bad.status_code == 404
    assert token[:20] not in bad.get_data(as_text=True)
    invitation.completed_at = utcnow()
    session.commit()
    done = client.get(f"/i/{token}")
    assert token not in done.get_data(as_text=True)
    assert "/c/sprog/en?next=/c" in done.get_data(as_text=True)


def test_an_answer_after_another_tab_finished_is_not_stored(app, client, make, session) -> None:
    """The screen read the invitation before another tab finished the questionnaire: the
    answer's upsert checks again, in its own statement, and stores nothing."""
    _child, invitation, token = _invite(make, session, age=12)
    open_link(client, token)
    start(client)
    steps, response = _steps(app, session, invitation)
    session.commit()
    database = app.extensions["kidsvoice.db"]
    screen = database.session()  # what the child's screen loaded, before the other tab
    loaded = active_invitation(screen, invitation.public_id)
    screen.commit()
    with database.transaction() as other_tab:
        other_tab.get(Invitation, invitation.id).completed_at = utcnow()
    question = steps["H1"]
    writer = database.session(write=True)
    with pytest.raises(AlreadyAnswered):
        save_answer(writer, response=loaded.response, question=question,
                    parsed=parse_answer(question, MultiDict({"answer": "always"})))
    writer.rollback()
    writer.close()
    screen.close()
    session.rollback()
    assert session.scalar(select(func.count(Answer.id)).where(
        Answer.response_id == response.id)) == 0
