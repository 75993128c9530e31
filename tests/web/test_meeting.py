"""The meeting pages over HTTP: who may open a child's sheet, what it shows, what is recorded,
and the goal forms' rules.

The access matrix uses two programmes: a child of programme A, seen by its assigned
facilitator and A's coordinators; and everyone else — a facilitator of A not assigned, A's
other coordinator for the safeguarding page, B's coordinator, an evaluator, an admin — gets 403
on every meeting URL, for that child, for B's child and for ids that do not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kidsvoice.models import AuditEntry, Child, Goal, StaffUser
from tests.conftest import csrf_token
from tests.meeting_data import BASELINE_6_9, FOLLOW_UP_6_9, add_goal, complete_round, score, text


@dataclass
class World:
    child: Child  # programme A, facilitator assigned, coordinator A1 is its coordinator
    other_child: Child  # programme B
    users: dict[str, StaffUser]
    round_ids: list[int]
    other_round_id: int
    goal_id: int


@pytest.fixture
def world(make) -> World:
    a, b = make.programme("Skolefravær A"), make.programme("Skolefravær B")
    users = {
        "facilitator": make.staff("facilitator", programmes=[a]),
        "facilitator_unassigned": make.staff("facilitator", programmes=[a]),
        "coordinator": make.staff("coordinator", programmes=[a]),
        "coordinator_same_programme": make.staff("coordinator", programmes=[a]),
        "coordinator_other_programme": make.staff("coordinator", programmes=[b]),
        "evaluator": make.staff("evaluator", programmes=[a]),
        "admin": make.staff("admin"),
    }
    child = make.child(a, first_name="Ida", age=8)
    child.facilitators.append(users["facilitator"])
    child.coordinator_id = users["coordinator"].id
    baseline = complete_round(make.session, child, a.rounds[0], answers={
        **BASELINE_6_9, "W1": text("<script>alert('hej')</script> mere tid med mor")},
        hidden={"W3"})
    assert baseline
    goal = add_goal(make.session, child, "Komme i skole hver dag", 3, round_=a.rounds[0])
    complete_round(make.session, child, a.rounds[1],
                   answers={**FOLLOW_UP_6_9, f"goal-{goal.id}": score(8)})
    other = make.child(b, first_name="Bo", age=12)
    other.facilitators.append(users["facilitator"])  # assigned, but B is not A: still theirs
    complete_round(make.session, other, b.rounds[0], answers=BASELINE_6_9)
    make.session.commit()
    return World(child, other, users, [r.id for r in a.rounds], b.rounds[0].id, goal.id)


def login(app: Flask, user: StaffUser, password: str, lang: str = "en") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    response = client.post("/login", data={
        "email": user.email, "password": password, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    return client


def urls(child_id: int, round_id: int, goal_id: int) -> list[tuple[str, str]]:
    base = f"/children/{child_id}"
    return [
        ("GET", f"{base}/sheet"),
        ("GET", f"{base}/sheet/{round_id}"),
        ("GET", f"{base}/sheet/{round_id}/print"),
        ("GET", f"{base}/rounds"),
        ("GET", f"{base}/safeguarding"),
        ("GET", f"{base}/goals"),
        ("POST", f"{base}/goals"),
        ("GET", f"{base}/goals/{goal_id}"),
        ("POST", f"{base}/goals/{goal_id}"),
        ("POST", f"{base}/goals/{goal_id}/status"),
    ]


def audit_count(session: Any, action: str | None = None) -> int:
    session.rollback()
    query = select(func.count(AuditEntry.id))
    if action:
        query = query.where(AuditEntry.action == action)
    return session.scalar(query)


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    "who",
    ["facilitator_unassigned", "coordinator_other_programme", "evaluator", "admin"],
)
def test_everyone_else_gets_403_whatever_the_id(app, make, world, who) -> None:
    client = login(app, world.users[who], make.PASSWORD)
    app.config["WTF_CSRF_ENABLED"] = False  # a well-formed POST must still be refused
    before = audit_count(make.session)
    targets = [
        (world.child.id, world.round_ids[0], world.goal_id),
        (world.child.id + 1000, world.round_ids[0], world.goal_id),
        (0, 1, 1),
    ]
    if who != "coordinator_other_programme":  # B's own child is theirs
        targets.append((world.other_child.id, world.other_round_id, world.goal_id))
    for child_id, round_id, goal_id in targets:
        for method, url in urls(child_id, round_id, goal_id):
            data = {"text": "Et mål", "start_rating": "3", "agreed_on": date.today().isoformat(),
                    "status": "achieved"}
            response = client.open(url, method=method, data=data if method == "POST" else None)
            assert response.status_code == 403, (who, method, url, response.status_code)
            body = response.get_data(as_text=True)
            assert "Komme i skole" not in body
            assert "mere tid med mor" not in body
    assert audit_count(make.session) == before  # a refused look is not a look
    make.session.rollback()
    assert make.session.scalar(select(func.count(Goal.id))) == 1


def test_the_assigned_facilitator_sees_the_sheet_but_not_the_kept_answers(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD)
    for method, url in urls(world.child.id, world.round_ids[0], world.goal_id):
        if method != "GET":
            continue
        expected = 403 if url.endswith("/safeguarding") else 200
        assert client.get(url).status_code == expected, url


def test_a_coordinator_of_the_programme_sees_everything(app, make, world) -> None:
    client = login(app, world.users["coordinator"], make.PASSWORD)
    for method, url in urls(world.child.id, world.round_ids[0], world.goal_id):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_only_the_childs_own_coordinator_reads_what_was_kept(app, make, world) -> None:
    client = login(app, world.users["coordinator_same_programme"], make.PASSWORD)
    assert client.get(f"/children/{world.child.id}/sheet").status_code == 200
    assert client.get(f"/children/{world.child.id}/safeguarding").status_code == 403


def test_a_round_of_another_child_is_404(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD)
    assert client.get(f"/children/{world.child.id}/sheet/{world.other_round_id}").status_code == 404
    assert client.get(f"/children/{world.child.id}/goals/{world.goal_id + 99}").status_code == 404


def test_the_children_list_shows_only_ones_own_children(app, make, world) -> None:
    body = login(app, world.users["facilitator"], make.PASSWORD).get("/children/").get_data(
        as_text=True)
    assert "Ida" in body
    assert "Bo" in body
    body = login(app, world.users["facilitator_unassigned"], make.PASSWORD).get(
        "/children/").get_data(as_text=True)
    assert "Ida" not in body
    body = login(app, world.users["coordinator_other_programme"], make.PASSWORD).get(
        "/children/").get_data(as_text=True)
    assert "Bo" in body
    assert "Ida" not in body


def _names(body: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/children/\d+/sheet"><bdi>([^<]*)</bdi>', body)


def test_the_children_list_is_paged_by_name_and_costs_the_same_whatever_its_length(
    app, make, world
) -> None:
    """A coordinator of a large programme: 50 a page, in name order (Danish letters and case
    ignored), the search box once there is more than a page, and no statement per child."""
    from tests.web._coordinator import statements

    programme = world.child.programme
    for n in range(60):
        make.child(programme, first_name=f"barn {n:02d}")
    make.child(programme, first_name="Åse")
    make.session.commit()
    client = login(app, world.users["coordinator"], make.PASSWORD)
    first = client.get("/children/").get_data(as_text=True)
    assert len(_names(first)) == 50  # noqa: PLR2004
    assert 'role="search"' in first
    assert "62 children" in first
    assert "Page 1 of 2" in first
    assert 'rel="next" href="/children/?page=2"' in first
    second = client.get("/children/?page=2").get_data(as_text=True)
    # by name, in any case, Å after Z as in Danish
    assert _names(first) + _names(second) == [f"barn {n:02d}" for n in range(60)] + [
        "Ida", "Åse"]
    assert 'rel="prev" href="/children/?page=1"' in second
    assert 'rel="next"' not in second
    # a page past the end shows the last one
    assert _names(client.get("/children/?page=9").get_data(as_text=True)) == _names(second)

    with statements(app) as seen_long:
        client.get("/children/")
    with statements(app) as seen_short:
        login(app, world.users["facilitator"], make.PASSWORD).get("/children/")
    assert len(seen_long) <= len(seen_short) + 1, (seen_long, seen_short)  # the login's user


@pytest.mark.parametrize(("search", "found"), [
    ("BARN 1", [f"barn {n}" for n in range(10, 20)]),
    ("åse", ["Åse"]),  # beyond ASCII, in any case, on SQLite too
    ("50%", ["50% barn"]),  # % and _ are themselves, not wildcards
    ("_", ["a_b"]),
    ("sag-7", ["barn 07"]),  # the case reference
    ("nobody", []),
])
def test_the_children_list_finds_by_name_or_case_reference(
    app, make, world, search, found
) -> None:
    programme = world.child.programme
    for n in range(60):
        make.child(programme, first_name=f"barn {n:02d}", external_ref=f"SAG-{n}")
    for name in ("Åse", "50% barn", "a_b", "ab"):
        make.child(programme, first_name=name)
    make.session.commit()
    client = login(app, world.users["coordinator"], make.PASSWORD)
    body = client.get("/children/", query_string={"q": search}).get_data(as_text=True)
    assert _names(body) == found
    if not found:
        assert "No children match." in body
    assert 'role="search"' in body  # kept, to search again


def test_the_children_list_search_finds_only_ones_own_children(app, make, world) -> None:
    client = login(app, world.users["facilitator_unassigned"], make.PASSWORD)
    assert _names(client.get("/children/?q=ida").get_data(as_text=True)) == []
    client = login(app, world.users["facilitator"], make.PASSWORD)
    assert _names(client.get("/children/?q=ida").get_data(as_text=True)) == ["Ida"]


@pytest.mark.parametrize(("query", "message"), [
    ("page=x", "Skriv et helt tal."),
    ("page=0", "Den side findes ikke."),
    ("q=" + "x" * 61, "Højst 60 tegn."),
])
def test_bad_list_input_is_refused_in_danish(app, make, world, query, message) -> None:
    client = login(app, world.users["coordinator"], make.PASSWORD, lang="da")
    response = client.get("/children/?" + query)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert _names(body) == ["Ida"]  # the whole list still, from the first page


# --------------------------------------------------------------------------- the sheet


def test_the_sheet_shows_the_answers_but_not_the_kept_one(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD)
    body = client.get(f"/children/{world.child.id}/sheet/{world.round_ids[0]}").get_data(
        as_text=True)
    assert "&lt;script&gt;alert(&#39;hej&#39;)&lt;/script&gt; mere tid med mor" in body
    assert "<script>alert" not in body
    assert "Lære at cykle" in body
    assert "Jeg er bange for Kasper" not in body
    assert "The child kept 1 answer from the meeting" in body
    assert "safeguarding" not in body  # no link for a facilitator
    assert "Something to talk about" in body
    assert "Didn't want to say" in body  # H4 declined
    assert 'media="print"' in body
    assert "print-sheet.css" in body


def test_the_coordinator_gets_a_link_to_the_safeguarding_page(app, make, world) -> None:
    client = login(app, world.users["coordinator"], make.PASSWORD)
    body = client.get(f"/children/{world.child.id}/sheet/{world.round_ids[0]}").get_data(
        as_text=True)
    assert f"/children/{world.child.id}/safeguarding" in body
    page = client.get(f"/children/{world.child.id}/safeguarding").get_data(as_text=True)
    assert "Not for the meeting" in page
    assert "Jeg er bange for Kasper i frikvarteret" in page


def test_the_latest_sheet_shows_change_and_goal_progress(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD)
    body = client.get(f"/children/{world.child.id}/sheet").get_data(as_text=True)
    assert "Flere venner" in body  # the follow-up's W1
    assert "Up 8 since Before." in body  # Heard 75 -> 83
    assert "From 3 to 8 of 10: up 5." in body
    assert "<svg class=\"goal-chart\"" in body
    assert "<polyline" in body
    assert "Start, at the meeting" in body  # the chart's text alternative
    assert "Min lærer hjalp mig" in body  # G4


def test_the_sheet_costs_the_same_queries_whatever_the_child_answered(app, make, world) -> None:
    """No N+1: two rounds, goals and their ratings cost no more statements than one round
    without goals (the sheet's speed among 100,000 children is bench/scale.py's business)."""
    from tests.web._coordinator import statements

    counts = {}
    for who in ("facilitator", "coordinator"):
        client = login(app, world.users[who], make.PASSWORD)
        for name, child in (("two rounds", world.child), ("one round", world.other_child)):
            if who == "coordinator" and child is world.other_child:
                continue  # B's child: not this coordinator's
            client.get(f"/children/{child.id}/sheet")  # warm: the login's own lookups
            with statements(app) as seen:
                assert client.get(f"/children/{child.id}/sheet").status_code == 200
            counts[who, name] = len(seen)
    assert counts["facilitator", "two rounds"] == counts["facilitator", "one round"], counts
    # user, settings, (the writer's) user, child, rounds, answers, goals, audit head, audit entry
    assert counts["facilitator", "two rounds"] <= 9, counts  # noqa: PLR2004
    # ... and, for a coordinator, whether they may open the safeguarding page
    assert counts["coordinator", "two rounds"] == counts["facilitator", "two rounds"] + 1, counts


def test_the_sheet_in_danish(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD, lang="da")
    body = client.get(f"/children/{world.child.id}/sheet/{world.round_ids[0]}").get_data(
        as_text=True)
    assert '<html lang="da"' in body
    assert "Svarark" in body
    assert "Barnet har holdt 1 svar uden for mødet" in body


def test_a_child_without_answers_has_no_sheet_yet(app, make, world) -> None:
    child = make.child(world.child.programme, first_name="Sam")
    child.facilitators.append(world.users["facilitator"])
    make.session.commit()
    client = login(app, world.users["facilitator"], make.PASSWORD)
    response = client.get(f"/children/{child.id}/sheet")
    assert response.status_code == 200
    assert "has not finished a questionnaire yet" in response.get_data(as_text=True)


def test_an_unfinished_response_is_not_on_the_sheet(app, make, world) -> None:
    child = make.child(world.child.programme, first_name="Sam")
    child.facilitators.append(world.users["facilitator"])
    complete_round(make.session, child, answers=BASELINE_6_9, finished=False)
    make.session.commit()
    client = login(app, world.users["facilitator"], make.PASSWORD)
    body = client.get(f"/children/{child.id}/sheet").get_data(as_text=True)
    assert "has not finished a questionnaire yet" in body
    assert "Lære at cykle" not in body


# --------------------------------------------------------------------------- audit


def test_every_look_is_recorded(app, make, world) -> None:
    client = login(app, world.users["coordinator"], make.PASSWORD)
    child_url = f"/children/{world.child.id}"
    assert client.get(f"{child_url}/sheet/{world.round_ids[0]}").status_code == 200
    assert client.get(f"{child_url}/sheet/{world.round_ids[0]}/print").status_code == 200
    assert client.get(f"{child_url}/rounds").status_code == 200
    assert client.get(f"{child_url}/safeguarding").status_code == 200
    make.session.rollback()
    entries = list(make.session.scalars(
        select(AuditEntry).where(AuditEntry.subject == world.child.public_id)
        .order_by(AuditEntry.id)))
    assert [e.action for e in entries] == [
        "sheet_view", "sheet_print", "sheet_view", "safeguarding_view"]
    assert all(e.actor == world.users["coordinator"].email for e in entries)
    assert all(e.actor_id == world.users["coordinator"].id for e in entries)
    assert all(e.programme_id == world.child.programme_id for e in entries)
    assert entries[0].detail["round"] == world.round_ids[0]
    assert entries[2].detail == {"view": "all_rounds"}


def test_the_print_view_opens_the_print_dialog(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD)
    body = client.get(
        f"/children/{world.child.id}/sheet/{world.round_ids[0]}/print").get_data(as_text=True)
    assert "print-sheet.js" in body
    assert "Printed on" in body
    assert "sheet-print" in body


# --------------------------------------------------------------------------- goals


def goal_form(client: FlaskClient, child_id: int, **data: str) -> Any:
    token = csrf_token(client, f"/children/{child_id}/goals")
    fields = {"text": "Lære at cykle", "start_rating": "2",
              "agreed_on": date.today().isoformat(), "csrf_token": token}
    fields.update(data)
    return client.post(f"/children/{child_id}/goals", data=fields)


def goal_count(session: Any) -> int:
    session.rollback()
    return session.scalar(select(func.count(Goal.id)))


def test_recording_goals(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD)
    response = goal_form(client, world.child.id, text="  Sove   godt om natten  ",
                         start_rating="4")
    assert response.status_code == 303
    make.session.rollback()
    goal = make.session.scalar(select(Goal).order_by(Goal.id.desc()))
    assert (goal.text, goal.start_rating, goal.status.value) == ("Sove godt om natten", 4, "open")
    assert goal.round_id == world.round_ids[1]  # the latest answered round's meeting
    assert goal.created_by_id == world.users["facilitator"].id
    page = client.get(f"/children/{world.child.id}/goals").get_data(as_text=True)
    assert "Sove godt om natten" in page
    assert "The goal was recorded." in page
    assert audit_count(make.session, "goal_recorded") == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "   "}, "text", "Skriv målet med barnets egne ord."),
        ({"text": "x" * 201}, "text", "200"),
        ({"start_rating": "11"}, "start_rating", "Vælg barnets vurdering fra 0 til 10."),
        ({"start_rating": "-1"}, "start_rating", "Vælg barnets vurdering fra 0 til 10."),
        ({"start_rating": "tre"}, "start_rating", "Vælg barnets vurdering fra 0 til 10."),
        ({"start_rating": ""}, "start_rating", "Vælg barnets vurdering fra 0 til 10."),
        ({"agreed_on": "i går"}, "agreed_on", "Skriv datoen, hvor målet blev aftalt."),
        ({"agreed_on": (date.today() + timedelta(days=2)).isoformat()}, "agreed_on",
         "Datoen kan ikke ligge i fremtiden."),
    ],
)
def test_bad_goal_input_is_refused_in_danish(app, make, world, data, field, message) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD, lang="da")
    before = goal_count(make.session)
    response = goal_form(client, world.child.id, **data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert re.search(rf'id="{field}-error"', body), body
    assert goal_count(make.session) == before


def test_at_most_three_open_goals(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD)
    assert goal_form(client, world.child.id, text="To").status_code == 303
    assert goal_form(client, world.child.id, text="Tre").status_code == 303
    response = goal_form(client, world.child.id, text="Fire")
    assert response.status_code == 400
    assert "already has 3 open goals" in response.get_data(as_text=True)
    assert goal_count(make.session) == 3
    page = client.get(f"/children/{world.child.id}/goals").get_data(as_text=True)
    assert "Record the goal</button>" not in page  # no form while three are open


def test_edit_mark_and_reopen(app, make, world) -> None:
    client = login(app, world.users["coordinator"], make.PASSWORD)
    url = f"/children/{world.child.id}/goals/{world.goal_id}"
    token = csrf_token(client, url)
    response = client.post(url, data={"text": "Komme i skole hver morgen", "start_rating": "2",
                                      "agreed_on": "2027-01-05", "csrf_token": token})
    if date.today() < date(2027, 1, 5):  # the date check is relative to today
        assert response.status_code == 400
        response = client.post(url, data={"text": "Komme i skole hver morgen",
                                          "start_rating": "2",
                                          "agreed_on": date.today().isoformat(),
                                          "csrf_token": token})
    assert response.status_code == 303
    make.session.rollback()
    goal = make.session.get(Goal, world.goal_id)
    assert (goal.text, goal.start_rating) == ("Komme i skole hver morgen", 2)

    bad = client.post(url, data={"text": "", "start_rating": "2",
                                 "agreed_on": date.today().isoformat(), "csrf_token": token})
    assert bad.status_code == 400
    assert 'id="text-error"' in bad.get_data(as_text=True)

    assert client.post(f"{url}/status", data={"status": "achieved", "csrf_token": token}
                       ).status_code == 303
    make.session.rollback()
    assert make.session.get(Goal, world.goal_id).status.value == "achieved"
    assert client.post(f"{url}/status", data={"status": "deleted", "csrf_token": token}
                       ).status_code == 400
    for words in ("En", "To", "Tre"):
        assert goal_form(client, world.child.id, text=words).status_code == 303
    refused = client.post(f"{url}/status", data={"status": "open", "csrf_token": token})
    assert refused.status_code == 400
    assert "already has 3 open goals" in refused.get_data(as_text=True)
    make.session.rollback()
    assert make.session.get(Goal, world.goal_id).status.value == "achieved"


def test_goal_forms_need_a_csrf_token(app, make, world) -> None:
    client = login(app, world.users["facilitator"], make.PASSWORD)
    response = client.post(f"/children/{world.child.id}/goals",
                           data={"text": "Et mål", "start_rating": "3",
                                 "agreed_on": date.today().isoformat()})
    assert response.status_code == 400
    assert goal_count(make.session) == 1
