"""Attacks, tried: issue 7 item 8, one section each (formula injection in CSV exports is tested
with the exports, in the outcomes tests).  docs/SECURITY.md names these tests next to the
defences they prove.

Every section walks the app's URL map where it can, so that a route added later is attacked
too.  Routes of features still being built are tried when they exist (the parametrized cases
that need them skip, naming what is missing).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select

from kidsvoice import mail
from kidsvoice.coordinator import handover
from kidsvoice.models import (
    Answer,
    AuditEntry,
    Child,
    Goal,
    Invitation,
    Programme,
    Response,
    Round,
    RoundKind,
    StaffUser,
    utcnow,
)
from kidsvoice.operations.answers import steps_for
from kidsvoice.operations.invitations import issue
from kidsvoice.operations.programmes import add_round
from kidsvoice.questionnaire import QuestionKind
from kidsvoice.tokens import InvitationTokens
from tests.conftest import csrf_token
from tests.meeting_data import BASELINE_6_9, add_goal, complete_round, text

PAYLOAD = """<script>alert(1)</script><img src=x onerror=alert(1)>"'&"""
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
DANGEROUS = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>")
OTHER_NAME = "Zebrafinken"  # the other programme's child: never on a page of ours


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: FlaskClient, user: StaffUser, password: str) -> None:
    response = client.post("/login", data={"email": user.email, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.status_code


def assert_escaped(html: str, where: str, *, shown: bool = True) -> None:
    """The payload never reaches the page as markup; when ``shown``, it is there, escaped."""
    assert PAYLOAD not in html, where
    for fragment in DANGEROUS:
        assert fragment not in html, (where, fragment)
    if shown:
        assert ESCAPED in html, f"{where}: the payload is not on the page at all"


def _rules(app: Flask, *, with_args: bool | None = None) -> Iterator[Any]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if with_args is not None and bool(rule.arguments) != with_args:
            continue
        yield rule


def _url(app: Flask, endpoint: str, **values: Any) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


# ======================================================================= tokens


def _open(client: FlaskClient, token: str) -> Any:
    return client.get(f"/i/{token}")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_tampered_tokens_are_refused_like_unknown_ones(client, make, session) -> None:
    child = make.child()
    invitation, token = make.invitation(child)
    session.commit()
    payload, signature = token.rsplit(".", 1)
    # (a middle character: the last one of a base64 signature carries unused padding bits)
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    public_id, secret = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged_payload = _b64(json.dumps([public_id, "x" * len(secret)]).encode())
    other_key = InvitationTokens(["an attacker's own key, long enough to look real"])
    tampered = {
        "flipped signature": f"{payload}.{flipped}",
        "changed payload": f"{forged_payload}.{signature}",
        "signed by another key": other_key.issue(invitation.public_id).token,
        # Signed with the real key but with another secret: the stored hash decides.
        "right key, wrong secret": make.tokens.issue(invitation.public_id).token,
        "no signature": payload,
        "empty payload": f".{signature}",
        "huge": "A" * 5000,
    }
    assert _open(client, "..%2F..%2Fetc%2Fpasswd").status_code == 404
    unknown_token = make.tokens.issue("no-such-invitation").token
    unknown = _open(client, unknown_token)
    assert unknown.status_code == 404
    for name, bad in tampered.items():
        response = _open(client, bad)
        assert response.status_code == 404, name
        # the same page as for an unknown link (the language links repeat the address):
        # no hint of what was wrong
        assert response.get_data(as_text=True).replace(bad, "T") == unknown.get_data(
            as_text=True).replace(unknown_token, "T"), name
        assert "Ida" not in response.get_data(as_text=True), name
    with client.session_transaction() as s:
        assert "child_invitation" not in s
    session.rollback()
    assert session.get(Invitation, invitation.id).opened_at is None
    assert _open(client, token).status_code == 303  # the real link still works


def test_expired_and_revoked_tokens_are_refused(client, make, session) -> None:
    child = make.child()
    expired, expired_token = make.invitation(child, child.programme.rounds[0])
    revoked, revoked_token = make.invitation(child, child.programme.rounds[1])
    expired.expires_at = utcnow() - timedelta(seconds=1)
    revoked.revoked_at = utcnow()
    session.commit()
    for token in (expired_token, revoked_token):
        response = _open(client, token)
        assert response.status_code == 410
        assert "Ida" not in response.get_data(as_text=True)
        with client.session_transaction() as s:
            assert "child_invitation" not in s


def test_guessing_tokens_at_rate_is_stopped(app, client, make, session) -> None:
    child = make.child()
    _invitation, token = make.invitation(child)
    session.commit()
    limit = int(app.config["KIDSVOICE_LINK_FAILURE_LIMIT"].split("/")[0])
    for _ in range(limit):
        guess = make.tokens.issue(secrets.token_urlsafe(9)).token  # well-formed, signed
        assert _open(client, guess).status_code == 404
    assert _open(client, token).status_code == 429  # from here on, even a right link waits
    assert app.test_client().get(f"/i/{token}").status_code == 429  # the same address


# ======================================================================= single use, read-only


@dataclass
class Journey:
    client: FlaskClient
    invitation: Invitation
    response: Response
    steps: dict[str, Any]


def _answer_form(question: Any, words: str) -> dict[str, Any]:
    if question.kind is QuestionKind.TEXT:
        return {"action": "answer", "text": words}
    if question.kind is QuestionKind.CARDS:
        codes = [o.code for o in question.options]
        if "other" in codes:
            return {"action": "answer", "answer": [codes[0], "other"], "other_text": words}
        return {"action": "answer", "answer": codes[:1]}
    scored = [o for o in question.options if o.score is not None]
    return {"answer": scored[0].code}


def answer_everything(app: Flask, client: FlaskClient, session: Any, invitation: Invitation,
                      words: str) -> Journey:
    """Open the link and answer every question (free text: ``words``), up to the review."""
    assert _open(client, invitation_token(invitation)).status_code == 303
    html = client.get("/c").get_data(as_text=True)
    location = client.post("/c/start", data={"csrf_token": csrf_from(html)}).headers["Location"]
    session.rollback()
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    steps = {q.key: q for q in steps_for(response, app.extensions["kidsvoice.questionnaires"])}
    while location.startswith("/c/q/"):
        page = client.get(location).get_data(as_text=True)
        form = _answer_form(steps[location.rsplit("/", 1)[-1]], words)
        result = client.post(location, data={**form, "csrf_token": csrf_from(page)})
        assert result.status_code == 303, (location, result.status_code)
        location = result.headers["Location"]
    assert location == "/c/svar"
    return Journey(client, invitation, response, steps)


_TOKENS: dict[int, str] = {}


def invitation_token(invitation: Invitation) -> str:
    return _TOKENS[invitation.id]


def _invite(make: Any, child: Child, round_: Round | None = None) -> Invitation:
    invitation, token = make.invitation(child, round_)
    _TOKENS[invitation.id] = token
    return invitation


def _child_urls(app: Flask, key: str) -> list[tuple[str, str, str]]:
    found = []
    for rule in _rules(app):
        if not rule.endpoint.startswith("child."):
            continue
        values = {"key": key, "code": "en", "token": "x"}
        url = _url(app, rule.endpoint, **{a: values[a] for a in rule.arguments})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def test_every_child_route_is_read_only_after_finishing(app, client, make, session) -> None:
    """Single use: once finished, no child route shows or changes an answer — not even for a
    copy of the session cookie taken before the finish (a replayed session)."""
    child = make.child(age=8)
    invitation = _invite(make, child)
    session.commit()
    journey = answer_everything(app, client, session, invitation, "Min hemmelighed 4711")
    review = client.get("/c/svar").get_data(as_text=True)
    assert "Min hemmelighed 4711" in review
    token = csrf_from(review)
    with client.session_transaction() as s:
        replayed = dict(s)  # what an adult with the tablet could have copied
    assert client.post("/c/svar", data={"csrf_token": token}).status_code == 303
    session.rollback()
    before = [(a.question_key, a.status, a.score, a.text, a.choices, a.hidden_from_meeting)
              for a in session.scalars(select(Answer).where(
                  Answer.response_id == journey.response.id).order_by(Answer.id))]
    finished_at = session.get(Response, journey.response.id).completed_at
    assert finished_at is not None

    attacker = app.test_client()
    with attacker.session_transaction() as s:
        s.update(replayed)
    first_key = next(iter(journey.steps))
    for endpoint, method, url in _child_urls(app, first_key):
        data = {"csrf_token": token, "action": "answer", "text": "changed", "answer": "x",
                "hide": list(journey.steps)}
        for who in (client, attacker):
            response = who.open(url, method=method, data=data if method == "POST" else None)
            assert response.status_code < 500, (endpoint, method)
            assert "Min hemmelighed 4711" not in response.get_data(as_text=True), (endpoint,
                                                                                   method)
        with attacker.session_transaction() as s:  # keep replaying the old cookie
            s.clear()
            s.update(replayed)
    # the link itself opens to "already answered", without answers
    again = _open(app.test_client(), invitation_token(invitation))
    assert again.status_code == 200
    assert "Min hemmelighed 4711" not in again.get_data(as_text=True)
    session.rollback()
    after = [(a.question_key, a.status, a.score, a.text, a.choices, a.hidden_from_meeting)
             for a in session.scalars(select(Answer).where(
                 Answer.response_id == journey.response.id).order_by(Answer.id))]
    assert after == before
    assert session.get(Response, journey.response.id).completed_at == finished_at


def test_unique_constraints_have_no_null_loophole(app) -> None:
    """One invitation per child and round, one response per invitation, one answer per
    question: each enforced by a UNIQUE constraint whose columns are all NOT NULL (NULLs are
    distinct in a unique constraint, so a nullable column would let duplicates in)."""
    inspector = inspect(app.extensions["kidsvoice.db"].engine)
    wanted = {
        "invitations": {("child_id", "round_id"), ("public_id",)},
        "responses": {("invitation_id",)},
        "answers": {("response_id", "question_key")},
    }
    for table, keys in wanted.items():
        columns = {c["name"]: c for c in inspector.get_columns(table)}
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)}
        uniques |= {tuple(i["column_names"]) for i in inspector.get_indexes(table) if i["unique"]}
        for key in keys:
            assert key in uniques, (table, key, uniques)
            for column in key:
                assert columns[column]["nullable"] is False, (table, column)


def test_double_finish_and_two_tabs_do_not_duplicate(app, make, session) -> None:
    child = make.child(age=8)
    invitation = _invite(make, child)
    session.commit()
    first = app.test_client()
    journey = answer_everything(app, first, session, invitation, "hej")
    second = app.test_client()  # a second tab with its own copy of the session
    with first.session_transaction() as s:
        copied = dict(s)
    with second.session_transaction() as s:
        s.update(copied)
    token = csrf_from(first.get("/c/svar").get_data(as_text=True))
    assert first.post("/c/svar", data={"csrf_token": token}).status_code == 303
    assert second.post("/c/svar", data={"csrf_token": token}).status_code in (200, 303)
    session.rollback()
    assert session.scalar(select(func.count(Response.id)).where(
        Response.invitation_id == invitation.id)) == 1
    counts = session.execute(select(Answer.question_key, func.count()).where(
        Answer.response_id == journey.response.id).group_by(Answer.question_key)).all()
    assert counts
    assert all(n == 1 for _key, n in counts)


# ======================================================================= two programmes


@dataclass
class Teams:
    ours: Programme
    theirs: Programme
    coordinator: StaffUser  # ours
    facilitator: StaffUser  # ours, assigned to our child
    evaluator: StaffUser  # ours
    their_coordinator: StaffUser
    our_child: Child
    their_child: Child
    their_goal: Goal
    their_answer: Answer
    their_invitation: Invitation


@pytest.fixture
def teams(make, session) -> Teams:
    ours = make.programme("Vores program")
    theirs = make.programme("Deres program")
    coordinator = make.staff("coordinator", programmes=[ours])
    facilitator = make.staff("facilitator", programmes=[ours])
    evaluator = make.staff("evaluator", programmes=[ours])
    their_coordinator = make.staff("coordinator", programmes=[theirs])
    their_facilitator = make.staff("facilitator", programmes=[theirs])
    our_child = make.child(ours, first_name="Ida", coordinator=coordinator,
                           facilitators=[facilitator])
    their_child = make.child(theirs, first_name=OTHER_NAME, coordinator=their_coordinator,
                             facilitators=[their_facilitator])
    response = complete_round(session, their_child, theirs.rounds[0],
                              answers={**BASELINE_6_9, "W1": text(f"{OTHER_NAME} skrev det")},
                              hidden={"W3"})
    their_answer = next(a for a in response.answers if a.question_key == "W1")
    goal = add_goal(session, their_child, f"{OTHER_NAME}s mål", 4, round_=theirs.rounds[0])
    invitation, _token = make.invitation(their_child, theirs.rounds[1])
    complete_round(session, our_child, ours.rounds[0], answers=BASELINE_6_9)
    session.commit()
    return Teams(ours, theirs, coordinator, facilitator, evaluator, their_coordinator,
                 our_child, their_child, goal, their_answer, invitation)


def _their_values(teams: Teams, endpoint: str) -> dict[str, Any]:
    child_id: Any = teams.their_child.id
    if endpoint.startswith(("coordinator.", "tablet.")):
        child_id = teams.their_child.public_id
    return {
        "programme_id": teams.theirs.id,
        "child_id": child_id,
        "public_id": teams.their_child.public_id,
        "round_id": teams.theirs.rounds[0].id,
        "goal_id": teams.their_goal.id,
        "answer_id": teams.their_answer.id,
    }


def _state_of_their_child(session: Any, teams: Teams) -> tuple[Any, ...]:
    session.rollback()
    session.expire_all()
    child = session.get(Child, teams.their_child.id)
    goal = session.get(Goal, teams.their_goal.id)
    answer = session.get(Answer, teams.their_answer.id)
    invitation = session.get(Invitation, teams.their_invitation.id)
    return (
        child is not None and child.archived_at, child and child.first_name,
        goal and (goal.text, goal.status, goal.start_rating),
        answer and (answer.read_at, answer.text),
        invitation and (invitation.revoked_at, invitation.expires_at),
        session.scalar(select(func.count(Invitation.id)).where(
            Invitation.child_id == teams.their_child.id)),
        session.get(Programme, teams.theirs.id).archived,
    )


#: Ids that name another team's things.  ``user_id`` is only on admin pages (an admin manages
#: every account by design).
TEAM_IDS = {"programme_id", "child_id", "public_id", "round_id", "goal_id", "answer_id"}


@pytest.mark.parametrize("who", ["coordinator", "facilitator", "evaluator"])
def test_another_programmes_ids_give_nothing_on_any_staff_route(app, client, make, session,
                                                                teams, who) -> None:
    """IDOR: every staff route with an id, given the other programme's ids, answers 403 or
    404 — never their data, never a change."""
    login(client, getattr(teams, who), make.PASSWORD)
    token = csrf_token(client, "/")
    before = _state_of_their_child(session, teams)
    tried = 0
    for rule in _rules(app, with_args=True):
        if not set(rule.arguments) & TEAM_IDS or not set(rule.arguments) <= TEAM_IDS:
            continue
        values = _their_values(teams, rule.endpoint)
        url = _url(app, rule.endpoint, **{a: values[a] for a in rule.arguments})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "text": "x", "start_rating": "1", "status": "dropped",
                    "archived": "1", "days": "30", "first_name": OTHER_NAME,
                    "email": "x@example.org", "which": "all"}
            response = client.open(url, method=method, data=data if method == "POST" else None)
            tried += 1
            if rule.endpoint.startswith("tablet."):  # not a tablet: sent to log in
                assert response.status_code in (302, 303, 403, 404), (rule.rule, method)
            else:
                assert response.status_code in (403, 404), (rule.rule, method,
                                                             response.status_code)
            body = response.get_data(as_text=True)
            assert OTHER_NAME not in body, (rule.rule, method)
            assert "Deres program" not in body, (rule.rule, method)
    assert tried >= 20
    assert _state_of_their_child(session, teams) == before


def test_mixing_our_programme_with_their_child_gives_404(app, client, make, session,
                                                         teams) -> None:
    login(client, teams.coordinator, make.PASSWORD)
    ours, theirs = teams.ours, teams.their_child
    for url in (f"/programmes/{ours.id}/children/{theirs.public_id}",
                f"/programmes/{ours.id}/children/{theirs.public_id}/edit",
                f"/programmes/{ours.id}/rounds/{teams.theirs.rounds[0].id}/edit"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert OTHER_NAME not in response.get_data(as_text=True)


def test_a_tablet_cannot_start_another_programmes_child(app, client, make, session,
                                                        teams) -> None:
    login(client, teams.coordinator, make.PASSWORD)
    page = client.get(f"/tablet/start/{teams.ours.id}").get_data(as_text=True)
    client.post(f"/tablet/start/{teams.ours.id}", data={
        "csrf_token": csrf_from(page), "round": teams.ours.rounds[1].id, "idle_minutes": 5})
    adult = client.get("/tablet/adult").get_data(as_text=True)
    client.post("/tablet/adult", data={"csrf_token": csrf_from(adult), "action": "pick",
                                       "password": make.PASSWORD})
    pick = client.get("/tablet/pick")
    assert pick.status_code == 200
    assert OTHER_NAME not in pick.get_data(as_text=True)
    response = client.post(f"/tablet/pick/{teams.their_child.public_id}",
                           data={"csrf_token": csrf_from(pick.get_data(as_text=True))})
    assert response.status_code == 404
    with client.session_transaction() as s:
        assert "child_invitation" not in s


# ======================================================================= CSRF


def _post_routes(app: Flask) -> list[Any]:
    return [r for r in _rules(app) if "POST" in (r.methods or set())]


def _identity_for(app: Flask, rule: Any) -> str:
    from kidsvoice.access import access_of
    from kidsvoice.models import Role

    access = access_of(app, rule.endpoint)
    assert access is not None
    if rule.endpoint.startswith("tablet.") and access.kind != "staff":
        return "tablet"
    if access.kind == "child":
        return "child"
    if access.kind == "public":
        return "anonymous"
    for role in (Role.COORDINATOR, Role.ADMIN, Role.FACILITATOR, Role.EVALUATOR):
        if role in access.roles:
            return role.value
    raise AssertionError(rule.endpoint)


@pytest.mark.parametrize("forged", ["missing", "wrong", "another session's"])
def test_every_form_refuses_a_missing_or_wrong_csrf_token(app, make, session, teams,
                                                          forged) -> None:
    """Every POST route, as someone allowed to use it, without a valid token: 400, and the
    friendly "the form had expired" page."""
    admin = make.staff("admin")
    child_invitation = _invite(make, teams.our_child, teams.ours.rounds[1])
    session.commit()
    clients: dict[str, FlaskClient] = {}

    def client_for(identity: str) -> FlaskClient:
        if identity in clients:
            return clients[identity]
        c = app.test_client()
        if identity in ("coordinator", "tablet"):
            login(c, teams.coordinator, make.PASSWORD)
        elif identity == "admin":
            login(c, admin, make.PASSWORD)
        elif identity == "facilitator":
            login(c, teams.facilitator, make.PASSWORD)
        elif identity == "evaluator":
            login(c, teams.evaluator, make.PASSWORD)
        elif identity == "child":
            _open(c, invitation_token(child_invitation))
        if identity == "tablet":
            page = c.get(f"/tablet/start/{teams.ours.id}").get_data(as_text=True)
            c.post(f"/tablet/start/{teams.ours.id}", data={
                "csrf_token": csrf_from(page), "round": teams.ours.rounds[0].id,
                "idle_minutes": 5})
        clients[identity] = c
        return c

    stranger = app.test_client()
    stranger_token = csrf_token(stranger)
    values = {"programme_id": teams.ours.id, "round_id": teams.ours.rounds[0].id,
              "public_id": teams.our_child.public_id, "key": "W1", "code": "en", "token": "x",
              "goal_id": 1, "answer_id": 1, "user_id": teams.facilitator.id}
    before = session.scalar(select(func.count(AuditEntry.id)))
    checked = 0
    for rule in _post_routes(app):
        identity = _identity_for(app, rule)
        c = client_for(identity)
        child_id: Any = teams.our_child.id
        if rule.endpoint.startswith(("coordinator.", "tablet.")):
            child_id = teams.our_child.public_id
        url = _url(app, rule.endpoint, **{a: {**values, "child_id": child_id}[a]
                                          for a in rule.arguments})
        data: dict[str, Any] = {"name": "x", "text": "x"}
        if forged == "wrong":
            data["csrf_token"] = "IjAwMDAi.aaaa.bbbb"
        elif forged == "another session's":
            data["csrf_token"] = stranger_token
        response = c.post(url, data=data)
        assert response.status_code == 400, (rule.rule, identity, response.status_code)
        html = response.get_data(as_text=True)
        assert "Formularen var udløbet" in html, (rule.rule, identity)
        checked += 1
    assert checked >= 15
    session.rollback()
    # Nothing was written but the logins' own entries.
    logins = session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "login"))
    assert session.scalar(select(func.count(AuditEntry.id))) == before + logins


# ======================================================================= XSS


@pytest.fixture
def hostile(app, make, session) -> dict[str, Any]:
    """Every free-text field a person can fill, filled with the payload."""
    programme = make.programme(PAYLOAD, contact=PAYLOAD)
    coordinator = make.staff("coordinator", name=PAYLOAD, programmes=[programme])
    facilitator = make.staff("facilitator", name=PAYLOAD, programmes=[programme])
    admin = make.staff("admin", name=PAYLOAD)
    evaluator = make.staff("evaluator", name=PAYLOAD, programmes=[programme])
    child = make.child(programme, first_name=PAYLOAD, age=8, external_ref=PAYLOAD,
                       coordinator=coordinator, facilitators=[facilitator])
    check_in = add_round(session, programme=programme, kind=RoundKind.CHECK_IN, label=PAYLOAD,
                         planned_on=None)
    baseline, follow_up = programme.rounds[0], programme.rounds[1]
    baseline_invitation = _invite(make, child, baseline)
    session.commit()
    return {"programme": programme, "coordinator": coordinator, "facilitator": facilitator,
            "admin": admin, "evaluator": evaluator, "child": child, "check_in": check_in,
            "baseline": baseline, "follow_up": follow_up, "invitation": baseline_invitation}


def test_xss_through_every_free_text_field_on_every_page(app, make, session, hostile) -> None:
    h = hostile
    programme, child = h["programme"], h["child"]
    # The child's journey: every free-text answer is the payload; the review shows them.
    kid = app.test_client()
    journey = answer_everything(app, kid, session, h["invitation"], PAYLOAD)
    for key, _question in journey.steps.items():
        page = kid.get(f"/c/q/{key}").get_data(as_text=True)
        assert_escaped(page, f"child step {key}", shown=False)
    review = kid.get("/c/svar").get_data(as_text=True)
    assert_escaped(review, "child review")
    kid.post("/c/svar", data={"csrf_token": csrf_from(review), "hide": ["W3"]})
    assert_escaped(kid.get("/c/tak").get_data(as_text=True), "child done", shown=False)
    session.rollback()
    goal = add_goal(session, session.get(Child, child.id), PAYLOAD, 3, round_=h["baseline"])
    follow_up_invitation = _invite(make, session.get(Child, child.id), h["follow_up"])
    session.commit()

    # The child's follow-up: "you said — we agreed", and the goal question.
    kid2 = app.test_client()
    _open(kid2, invitation_token(follow_up_invitation))
    welcome = kid2.get("/c").get_data(as_text=True)
    assert_escaped(welcome, "child follow-up welcome")
    kid2.post("/c/start", data={"csrf_token": csrf_from(welcome)})
    assert_escaped(kid2.get(f"/c/q/goal-{goal.id}").get_data(as_text=True), "goal question")

    # Staff pages, each as someone who may see it.
    coordinator = app.test_client()
    login(coordinator, h["coordinator"], make.PASSWORD)
    pages = [
        "/", "/programmes/", f"/programmes/{programme.id}",
        f"/programmes/{programme.id}?q={PAYLOAD}",
        f"/programmes/{programme.id}/edit",
        f"/programmes/{programme.id}/children/{child.public_id}",
        f"/programmes/{programme.id}/children/{child.public_id}/edit",
        f"/programmes/{programme.id}/rounds/{h['check_in'].id}/edit",
        f"/programmes/{programme.id}/rounds/{h['baseline'].id}/invite",
        "/children/", f"/children/{child.id}/sheet",
        f"/children/{child.id}/sheet/{h['baseline'].id}",
        f"/children/{child.id}/sheet/{h['baseline'].id}/print",
        f"/children/{child.id}/rounds", f"/children/{child.id}/goals",
        f"/children/{child.id}/goals/{goal.id}", f"/children/{child.id}/safeguarding",
    ]
    optional = ["/safeguarding/", f"/rights/children/{child.public_id}",
                f"/rights/children/{child.public_id}/erase",
                f"/outcomes/{programme.id}", "/outcomes/"]
    for url in pages + optional:
        response = coordinator.get(url)
        if url in optional and response.status_code == 404:
            continue  # that feature is not there yet
        assert response.status_code == 200, (url, response.status_code)
        assert_escaped(response.get_data(as_text=True), url)

    # Handing over a new link: the page, the letter, the QR code's title, the e-mail form.
    page = coordinator.get(f"/programmes/{programme.id}/children/{child.public_id}")
    invite = coordinator.post(
        f"/programmes/{programme.id}/children/{child.public_id}/rounds/{h['check_in'].id}"
        "/invite", data={"csrf_token": csrf_from(page.get_data(as_text=True)), "days": "30"})
    assert invite.status_code == 200
    assert_escaped(invite.get_data(as_text=True), "handover and letter")
    bulk_page = coordinator.get(
        f"/programmes/{programme.id}/rounds/{h['check_in'].id}/invite").get_data(as_text=True)
    bulk = coordinator.post(f"/programmes/{programme.id}/rounds/{h['check_in'].id}/invite",
                            data={"csrf_token": csrf_from(bulk_page), "days": "30",
                                  "which": "all"})
    assert bulk.status_code == 200
    assert_escaped(bulk.get_data(as_text=True), "bulk letters")

    # The e-mail: plain text only, so nothing in it is markup; the words arrive unchanged.
    session.rollback()
    invitation = session.scalar(select(Invitation).where(
        Invitation.child_id == child.id, Invitation.round_id == h["check_in"].id))
    config = app.extensions["kidsvoice.config"]
    with app.test_request_context():
        issued = issue(session, child=invitation.child, round_=invitation.round,
                       tokens=InvitationTokens(config.secret_keys), days=30,
                       code_keys=config.secret_keys, actor=None)
        subject, body = handover.mail(handover.build(issued))
    session.rollback()
    message = mail.build_message(config, to="forælder@example.org", subject=subject, body=body)
    assert message.get_content_type() == "text/plain"
    assert not message.is_multipart()
    assert PAYLOAD in message.get_content()
    assert "&lt;" not in message.get_content()
    assert "\n" not in str(message["Subject"])

    # Tablet mode's list of children.
    tablet = app.test_client()
    login(tablet, h["coordinator"], make.PASSWORD)
    start = tablet.get(f"/tablet/start/{programme.id}").get_data(as_text=True)
    tablet.post(f"/tablet/start/{programme.id}", data={
        "csrf_token": csrf_from(start), "round": h["follow_up"].id, "idle_minutes": 5})
    adult = tablet.get("/tablet/adult").get_data(as_text=True)
    tablet.post("/tablet/adult", data={"csrf_token": csrf_from(adult), "action": "pick",
                                       "password": make.PASSWORD})
    assert_escaped(tablet.get("/tablet/pick").get_data(as_text=True), "tablet pick list")

    # The facilitator's sheet, the admin's pages, the evaluator's start page.
    facilitator = app.test_client()
    login(facilitator, h["facilitator"], make.PASSWORD)
    assert_escaped(facilitator.get(f"/children/{child.id}/sheet").get_data(as_text=True),
                   "facilitator sheet")
    admin = app.test_client()
    login(admin, h["admin"], make.PASSWORD)
    for url in ("/admin/staff", "/admin/audit", f"/admin/audit?actor={PAYLOAD}"):
        assert_escaped(admin.get(url).get_data(as_text=True), url)
    evaluator = app.test_client()
    login(evaluator, h["evaluator"], make.PASSWORD)
    assert_escaped(evaluator.get("/").get_data(as_text=True), "evaluator dashboard")


def test_reflected_input_is_escaped_in_error_pages(app, client, make) -> None:
    admin = make.staff("admin")
    make.session.commit()
    login(client, admin, make.PASSWORD)
    for url in (f"/admin/audit?date_from={PAYLOAD}", f"/admin/audit?action={PAYLOAD}",
                f"/login?next={PAYLOAD}", f"/no-such-page/{PAYLOAD}"):
        response = client.get(url)
        assert response.status_code < 500, url
        assert_escaped(response.get_data(as_text=True), url, shown=False)


# ======================================================================= SQL injection


SQL = [
    "' OR '1'='1", "' OR 1=1 --", "1; DROP TABLE children; --", "%", "_", "\\", "%' --",
    "1 UNION SELECT first_name FROM children", "\x00", "' || (SELECT email FROM staff_users) || '",
]

#: (endpoint, query parameters) of every filter and search; ``{p}`` is the programme id.
FILTERS = [
    ("coordinator.programme", ["q", "state", "round", "archived", "page"]),
    ("admin.audit_log", ["action", "actor", "date_from", "date_to", "before"]),
    ("tablet.pick", ["q", "page"]),
    ("evaluation.index", ["programme"]),
    ("evaluation.programme", ["baseline", "follow_up", "band"]),
    ("rights.lookup", ["child"]),
]


@pytest.mark.parametrize(("endpoint", "params"), FILTERS, ids=[f[0] for f in FILTERS])
def test_sql_injection_through_every_filter(app, client, make, session, teams, endpoint,
                                            params) -> None:
    if endpoint not in app.view_functions:
        pytest.skip(f"{endpoint} does not exist yet")
    admin = make.staff("admin")
    session.commit()
    children_before = session.scalar(select(func.count(Child.id)))
    if endpoint == "admin.audit_log":
        login(client, admin, make.PASSWORD)
    elif endpoint == "tablet.pick":
        login(client, teams.coordinator, make.PASSWORD)
        page = client.get(f"/tablet/start/{teams.ours.id}").get_data(as_text=True)
        client.post(f"/tablet/start/{teams.ours.id}", data={
            "csrf_token": csrf_from(page), "round": teams.ours.rounds[0].id, "idle_minutes": 5})
        adult = client.get("/tablet/adult").get_data(as_text=True)
        client.post("/tablet/adult", data={"csrf_token": csrf_from(adult), "action": "pick",
                                           "password": make.PASSWORD})
    elif endpoint.startswith("evaluation."):
        login(client, teams.evaluator, make.PASSWORD)
    else:
        login(client, teams.coordinator, make.PASSWORD)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    base = _url(app, endpoint, **dict.fromkeys(rule.arguments, teams.ours.id))
    for param in params:
        for attack in SQL:
            response = client.get(base, query_string={param: attack})
            assert response.status_code in (200, 400, 404, 422), (param, attack,
                                                                  response.status_code)
            html = response.get_data(as_text=True)
            assert OTHER_NAME not in html, (param, attack)  # no other programme's child
            for leak in ("Traceback", "OperationalError", "ProgrammingError", "sqlite3",
                         "psycopg", "syntax error"):
                assert leak not in html, (param, attack, leak)
    session.rollback()
    assert session.scalar(select(func.count(Child.id))) == children_before


def test_search_wildcards_are_literal(client, make, session, teams) -> None:
    make.child(teams.ours, first_name="100% Anna")
    session.commit()
    login(client, teams.coordinator, make.PASSWORD)
    found = client.get(f"/programmes/{teams.ours.id}", query_string={"q": "%"})
    html = found.get_data(as_text=True)
    assert "100% Anna" in html
    assert ">Ida<" not in html


# ======================================================================= redirects, fixation


OPEN_REDIRECTS = [
    "//evil.example/", "https://evil.example/", "http:evil.example", "/\\evil.example",
    "\\/evil.example", "/\t/evil.example", "/%09/evil.example", "javascript:alert(1)",
    "///evil.example", "/\x00//evil.example", " //evil.example", "/\u3000/evil.example",
    "https:/evil.example", "//evil.example%2F..",
]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_login_next_never_leaves_the_site(app, make, session, target) -> None:
    user = make.staff("coordinator")
    session.commit()
    client = app.test_client()
    response = client.post("/login", query_string={"next": target}, data={
        "email": user.email, "password": make.PASSWORD, "csrf_token": csrf_token(client)})
    assert_stays_here(response.headers["Location"], target)
    # and once logged in, visiting the login page again with it
    assert_stays_here(client.get("/login", query_string={"next": target}).headers["Location"],
                      target)


def assert_stays_here(location: str, target: str) -> None:
    """Where a browser would go: it drops tabs and newlines and reads ``\\`` as ``/``."""
    browser = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    assert browser.startswith("/"), (target, location)
    assert not browser.startswith("//"), (target, location)
    assert urlsplit(urljoin("https://kidsvoice.example/x", browser)).netloc == (
        "kidsvoice.example"), (target, location)
    assert "evil.example" not in location or location.startswith("/%"), (target, location)


@pytest.mark.parametrize("target", ["//evil.example/", "/c//evil.example", "https://evil.example",
                                    "/c\\evil", "/evil"])
def test_the_childs_language_switch_stays_on_child_pages(client, make, session,
                                                         target) -> None:
    child = make.child()
    invitation = _invite(make, child)
    session.commit()
    _open(client, invitation_token(invitation))
    response = client.get("/c/sprog/en", query_string={"next": target})
    location = response.headers["Location"]
    assert location.startswith("/c"), location
    assert not location.startswith("//"), location
    assert "evil.example" not in location.split("/c", 1)[0]


def test_session_fixation_is_impossible(app, client, make, session) -> None:
    """A session planted before login (or before a child opens a link) does not survive it,
    and a staff session never carries into a child's."""
    user = make.staff("coordinator")
    child = make.child()
    invitation = _invite(make, child)
    session.commit()
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
        s["_user_id"] = "999"
        s["child_invitation"] = "somebody-elses"
    login(client, user, make.PASSWORD)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert "child_invitation" not in s
        assert s["_user_id"] == str(user.id)
        s["planted"] = "again"
    _open(client, invitation_token(invitation))
    with client.session_transaction() as s:
        assert "planted" not in s
        assert "_user_id" not in s
        assert s["child_invitation"] == invitation.public_id
    assert client.get("/").status_code == 302  # the staff login did not carry over


def test_a_forged_session_cookie_is_ignored(app, make, session) -> None:
    from flask.sessions import SecureCookieSessionInterface

    user = make.staff("admin")
    session.commit()
    forger = Flask("forger")
    forger.secret_key = "not KidsVoice's key, but long enough to be plausible"
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    forged = serializer.dumps({"_user_id": str(user.id), "_fresh": True})
    client = app.test_client()
    client.set_cookie("kidsvoice", forged)
    assert client.get("/admin/staff").status_code == 302


# ======================================================================= Unicode tricks


RLO, ZWSP, ZWJ = "\u202e", "\u200b", "\u200d"
TRICKY_NAME = f"Ida{RLO}fdp.exe{ZWSP}🦄"
TRICKY_TEXT = f"Jeg er glad 😀 {RLO}tsrøv{ZWJ} men{ZWSP} ok 👩‍👧"


def _isolated_texts(html: str, needle: str) -> list[bool]:
    """For each text node containing ``needle``: is it inside an element that isolates its
    direction (``dir`` set, ``<bdi>``, a form control or the page title)?"""
    from html.parser import HTMLParser

    results: list[bool] = []

    class Walker(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[bool] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in {"br", "img", "input", "meta", "link", "hr", "source", "path", "rect"}:
                return
            isolates = tag in {"bdi", "textarea", "title", "option"} or any(
                name == "dir" for name, _v in attrs)
            self.stack.append(isolates)

        def handle_endtag(self, tag: str) -> None:
            if self.stack:
                self.stack.pop()

        def handle_data(self, data: str) -> None:
            if needle in data:
                results.append(any(self.stack[1:]))  # <html dir> isolates nothing

    Walker().feed(html)
    return results


def test_unicode_in_answers_is_kept_and_cannot_turn_the_page_around(app, make, session) -> None:
    """A right-to-left override, zero-width characters and emoji in a child's answer: stored
    as written (emoji intact), shown escaped, and isolated so that the override cannot
    reverse the text around it."""
    programme = make.programme()
    coordinator = make.staff("coordinator", programmes=[programme])
    child = make.child(programme, coordinator=coordinator)
    invitation = _invite(make, child)
    session.commit()
    kid = app.test_client()
    journey = answer_everything(app, kid, session, invitation, TRICKY_TEXT)
    review = kid.get("/c/svar").get_data(as_text=True)
    assert "😀" in review
    assert "👩‍👧" in review
    assert all(_isolated_texts(review, RLO)), "child review"
    kid.post("/c/svar", data={"csrf_token": csrf_from(review)})
    session.rollback()
    stored = session.scalar(select(Answer.text).where(
        Answer.response_id == journey.response.id, Answer.question_key == "W1"))
    assert stored == TRICKY_TEXT
    staff = app.test_client()
    login(staff, coordinator, make.PASSWORD)
    sheet = staff.get(f"/children/{child.id}/sheet").get_data(as_text=True)
    texts = _isolated_texts(sheet, RLO)
    assert texts, "sheet"
    assert all(texts), "sheet"


def test_unicode_in_names_is_kept(app, client, make, session) -> None:
    programme = make.programme(f"Program {RLO}2027 🦄")
    coordinator = make.staff("coordinator", programmes=[programme])
    child = make.child(programme, first_name=TRICKY_NAME, coordinator=coordinator)
    session.commit()
    login(client, coordinator, make.PASSWORD)
    html = client.get(f"/programmes/{programme.id}/children/{child.public_id}").get_data(
        as_text=True)
    assert "🦄" in html
    assert client.get(f"/programmes/{programme.id}", query_string={"q": "Ida"}).status_code == 200


def test_a_right_to_left_override_in_a_name_cannot_turn_the_page_around(app, client, make,
                                                                        session) -> None:
    programme = make.programme()
    coordinator = make.staff("coordinator", programmes=[programme])
    child = make.child(programme, first_name=TRICKY_NAME, coordinator=coordinator)
    session.commit()
    login(client, coordinator, make.PASSWORD)
    html = client.get(f"/programmes/{programme.id}/children/{child.public_id}").get_data(
        as_text=True)
    assert all(_isolated_texts(html, RLO))
    assert ZWSP not in html  # "Ida" and "I\u200bda" would look the same on a tablet's list


# ======================================================================= NUL bytes


def test_nul_bytes_are_refused_never_a_500(app, client, make, session, teams) -> None:
    """PostgreSQL refuses NUL in text: without a guard, ``%00`` in an id, a search or a login
    field is a 500 there.  In the address or a form: 400; in a filter: no match."""
    login(client, teams.coordinator, make.PASSWORD)
    ours = teams.ours
    for url in (f"/programmes/{ours.id}/children/%00", f"/programmes/{ours.id}/children/a%00b",
                "/i/%00", f"/rights/children/{teams.our_child.public_id}%00"):
        assert client.get(url).status_code == 400, url
    searched = client.get(f"/programmes/{ours.id}", query_string={"q": "Ida\x00"})
    assert searched.status_code == 200
    assert ">Ida<" not in searched.get_data(as_text=True)
    token = csrf_token(client, "/")
    response = client.post(f"/programmes/{ours.id}/edit", data={
        "csrf_token": token, "name": "Vores\x00program"})
    assert response.status_code == 400
    fresh = app.test_client()
    response = fresh.post("/login", data={"email": "x\x00@example.org", "password": "p\x00",
                                          "csrf_token": csrf_token(fresh)})
    assert response.status_code == 400
    session.rollback()
    assert session.get(Programme, ours.id).name == "Vores program"
