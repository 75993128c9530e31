"""A child writes a worry: the answer and response are flagged, the coordinator is e-mailed at
once (a real SMTP server), and the child sees 116 111 in the very next screen."""

from __future__ import annotations

import email
import logging
import socket
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from kidsvoice.audit import Action
from kidsvoice.models import Answer, AuditEntry, Response
from tests.child_helpers import csrf_from, open_link, start

WORRY = "Min far slår mig når han er sur"
HARMLESS = "Jeg vil gerne have flere venner"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, smtp_session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait(self, n: int = 1, timeout: float = 5.0) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    config = app.extensions["kidsvoice.config"]
    app.extensions["kidsvoice.config"] = config.with_(
        mail_server="127.0.0.1", mail_port=controller.port, mail_sender="kidsvoice@kommune.test")
    yield inbox
    controller.stop()


@pytest.fixture
def child_answering(app, client, make, session):
    """A 12-year-old with an own coordinator, at the first question (W1, free text)."""
    programme = make.programme("Skolefravær 2027")
    coordinator = make.staff("coordinator", programmes=[programme], email="karin@kommune.test")
    other = make.staff("coordinator", programmes=[programme], email="ole@kommune.test")
    child = make.child(programme, first_name="Ida", age=12, coordinator=coordinator)
    invitation, token = make.invitation(child)
    session.commit()
    open_link(client, token)
    assert start(client) == "/c/q/W1"
    return {"child": child, "invitation": invitation, "coordinator": coordinator,
            "other": other, "programme": programme}


def _post(client, key: str, data: dict, htmx: bool = False):
    html = client.get(f"/c/q/{key}").get_data(as_text=True)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/c/q/{key}", data={"csrf_token": csrf_from(html), **data},
                       headers=headers)


def _response(session, invitation) -> Response:
    session.rollback()
    return session.scalar(select(Response).where(Response.invitation_id == invitation.id))


def _answer(session, invitation, key: str) -> Answer:
    response = _response(session, invitation)
    return session.scalar(select(Answer).where(Answer.response_id == response.id,
                                               Answer.question_key == key))


def test_htmx_the_same_response_that_saved_the_answer_shows_116_111(client, session,
                                                                      child_answering) -> None:
    result = _post(client, "W1", {"action": "answer", "text": WORRY}, htmx=True)
    assert result.status_code == 200
    body = result.get_data(as_text=True)
    assert "116 111" in body
    assert 'href="tel:116111"' in body
    assert "112" in body
    assert 'id="worry-help-heading"' in body
    assert 'id="question"' in body  # and the next question, to go on
    assert result.headers["HX-Push-Url"] == "/c/q/W2"
    # the next screen after that is calm again
    assert "116 111" not in _post(client, "W2", {"action": "skip"}, htmx=True).get_data(
        as_text=True)


def test_without_javascript_the_page_after_the_redirect_shows_it_once(client, session,
                                                                       child_answering) -> None:
    result = _post(client, "W1", {"action": "answer", "text": WORRY})
    assert result.status_code == 303
    assert result.headers["Location"] == "/c/q/W2"
    page = client.get("/c/q/W2").get_data(as_text=True)
    assert "116 111" in page
    assert 'id="worry-help-heading"' in page
    again = client.get("/c/q/W2").get_data(as_text=True)
    assert 'id="worry-help-heading"' not in again  # a one-time marker


def test_the_answer_and_the_response_are_flagged_and_audited(client, session,
                                                             child_answering) -> None:
    invitation = child_answering["invitation"]
    _post(client, "W1", {"action": "answer", "text": WORRY})
    answer = _answer(session, invitation, "W1")
    assert answer.worry is True
    assert answer.text == WORRY
    response = _response(session, invitation)
    first_flag = response.flagged_at
    assert first_flag is not None
    _post(client, "W3", {"action": "answer", "text": "Jeg vil ikke leve mere"})
    assert _response(session, invitation).flagged_at == first_flag  # the first time only
    entries = list(session.scalars(select(AuditEntry).where(
        AuditEntry.action == Action.WORRY_FLAGGED).order_by(AuditEntry.id)))
    assert [e.detail["question"] for e in entries] == ["W1", "W3"]
    assert [e.detail["first"] for e in entries] == [True, False]
    assert {e.subject for e in entries} == {child_answering["child"].public_id}
    for entry in entries:
        assert "slår" not in str(entry.detail)
        assert "leve" not in str(entry.detail)


def test_a_harmless_answer_shows_no_help_and_flags_nothing(client, session,
                                                           child_answering) -> None:
    result = _post(client, "W1", {"action": "answer", "text": HARMLESS}, htmx=True)
    assert 'id="worry-help-heading"' not in result.get_data(as_text=True)
    assert _answer(session, child_answering["invitation"], "W1").worry is False
    assert _response(session, child_answering["invitation"]).flagged_at is None


def test_something_else_card_text_is_checked_too(client, session, child_answering) -> None:
    result = _post(client, "W2", {"action": "answer", "answer": ["other"],
                                  "other_text": "at han ikke rører ved mig"}, htmx=True)
    assert "116 111" in result.get_data(as_text=True)
    assert _answer(session, child_answering["invitation"], "W2").worry is True


def test_changing_a_flagged_answer_keeps_the_flag_and_makes_it_unread(client, session,
                                                                      child_answering) -> None:
    invitation = child_answering["invitation"]
    _post(client, "W1", {"action": "answer", "text": WORRY})
    answer = _answer(session, invitation, "W1")
    answer.read_at = answer.answered_at
    answer.read_by_id = child_answering["coordinator"].id
    session.commit()
    _post(client, "W1", {"action": "answer", "text": WORRY})  # the same words: still read
    assert _answer(session, invitation, "W1").read_at is not None
    _post(client, "W1", {"action": "answer", "text": HARMLESS})  # changed: unread again
    changed = _answer(session, invitation, "W1")
    assert changed.read_at is None
    assert changed.read_by_id is None
    assert changed.worry is True  # the coordinator was told; a later edit does not undo that


def test_the_last_question_leads_to_the_review_with_the_help(client, make, session) -> None:
    programme = make.programme()
    child = make.child(programme, age=12)
    invitation, token = make.invitation(child)
    session.commit()
    open_link(client, token)
    start(client)
    for key in ("W1", "W2", "W3"):
        _post(client, key, {"action": "skip"})
    # coming back from the review to change W4 returns to the review
    html = client.get("/c/q/W4?from=review").get_data(as_text=True)
    result = client.post("/c/q/W4", data={"csrf_token": csrf_from(html), "from": "review",
                                          "action": "answer", "text": "I want to die"})
    assert result.status_code == 303
    assert result.headers["Location"] == "/c/svar"
    review = client.get("/c/svar").get_data(as_text=True)
    assert "116 111" in review
    assert 'id="worry-help-heading"' in review
    assert 'id="worry-help-heading"' not in client.get("/c/svar").get_data(as_text=True)


def test_the_coordinator_is_emailed_at_once_without_the_childs_words(
        client, session, child_answering, smtp_server) -> None:
    _post(client, "W1", {"action": "answer", "text": WORRY})
    [message] = smtp_server.wait(1)
    assert message["To"] == "karin@kommune.test"  # the child's own coordinator, not Ole
    assert message["From"] == "kidsvoice@kommune.test"
    body = message.get_content()
    assert "http://localhost/safeguarding/" in body
    assert "24" in body
    for secret in ("slår", "Ida", "Skolefravær", child_answering["child"].public_id):
        assert secret not in body
        assert secret not in message["Subject"]
    # a second worry in the same response: no second e-mail
    _post(client, "W3", {"action": "answer", "text": "Jeg vil ikke leve mere"})
    time.sleep(0.3)
    assert len(smtp_server.messages) == 1


def test_without_an_own_coordinator_every_coordinator_of_the_programme_is_told(
        client, make, session, smtp_server) -> None:
    programme = make.programme()
    make.staff("coordinator", programmes=[programme], email="a@kommune.test")
    make.staff("coordinator", programmes=[programme], email="b@kommune.test")
    make.staff("facilitator", programmes=[programme], email="f@kommune.test")
    make.staff("coordinator", programmes=[make.programme()], email="elsewhere@kommune.test")
    child = make.child(programme, age=12)
    _invitation, token = make.invitation(child)
    session.commit()
    open_link(client, token)
    start(client)
    _post(client, "W1", {"action": "answer", "text": "he hits me"})
    messages = smtp_server.wait(2)
    assert sorted(m["To"] for m in messages) == ["a@kommune.test", "b@kommune.test"]


def test_a_deactivated_own_coordinator_hands_over_to_the_programme(
        client, make, session, smtp_server) -> None:
    programme = make.programme()
    gone = make.staff("coordinator", programmes=[programme], email="gone@kommune.test")
    make.staff("coordinator", programmes=[programme], email="here@kommune.test")
    gone.active = False
    child = make.child(programme, age=12, coordinator=gone)
    _invitation, token = make.invitation(child)
    session.commit()
    open_link(client, token)
    start(client)
    _post(client, "W1", {"action": "answer", "text": "he hits me"})
    assert [m["To"] for m in smtp_server.wait(1)] == ["here@kommune.test"]


def test_no_mail_configured_still_flags_and_helps(client, session, child_answering) -> None:
    result = _post(client, "W1", {"action": "answer", "text": WORRY}, htmx=True)
    assert "116 111" in result.get_data(as_text=True)
    assert _response(session, child_answering["invitation"]).flagged_at is not None


def test_a_broken_mail_server_loses_nothing(app, client, session, child_answering) -> None:
    config = app.extensions["kidsvoice.config"]
    app.extensions["kidsvoice.config"] = config.with_(mail_server="127.0.0.1",
                                                      mail_port=_free_port())
    result = _post(client, "W1", {"action": "answer", "text": WORRY}, htmx=True)
    assert result.status_code == 200
    assert "116 111" in result.get_data(as_text=True)
    assert _answer(session, child_answering["invitation"], "W1").worry is True


def test_nothing_the_child_wrote_reaches_the_logs(app, client, session, child_answering,
                                                  smtp_server, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    _post(client, "W1", {"action": "answer", "text": WORRY})
    smtp_server.wait(1)
    _post(client, "W3", {"action": "answer", "text": "I want to kill myself"})
    text = caplog.text
    assert "slår" not in text
    assert "kill myself" not in text
