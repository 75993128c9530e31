"""Bad input on every route, as every staff role: a 4xx or a redirect, never a 500.

Each route is visited with odd path values (very long, not ASCII, dots, an encoded slash) and
odd query strings, and every route taking a POST is sent a form whose every usual field holds
the same odd value (empty, very long, a huge number, an impossible date, a direction
override) with a valid CSRF token.  The pages' own tests check what each says; this one only
checks that nothing falls over.  The admin's two-factor switch is left out: switching it on
would send every later request to the set-up.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for
from werkzeug.routing import IntegerConverter

from tests.conftest import csrf_token

ROLES = ["admin", "coordinator", "facilitator", "evaluator"]
PATH_VALUES = ["x" * 3000, "ø", "..", "%2F"]
QUERIES = ["", "page=-1", "page=x", "q=" + "x" * 500, "round=x", "state=nope",
           "before=-5", "band=zz", "date_from=2026-13-45", "next=//evil.example"]
FIELDS = ["which", "days", "after", "text", "start_rating", "agreed_on", "email", "password",
          "code", "name", "first_name", "birth_year", "language", "supported_languages",
          "round", "action", "answer", "status", "retention_months", "kind", "label",
          "planned_on", "idle_minutes", "contact", "external_ref", "facilitators",
          "coordinator", "role", "active", "q", "page", "token", "reason"]
FORM_VALUES = ["", "x" * 5000, "99999999999999999999", "2026-02-30", "\u202e1"]
LEFT_OUT = ("/staff/two-factor", "/account/two-factor", "/logout")


def _int_args(rule: Any) -> set[str]:
    return {a for a in rule.arguments if isinstance(rule._converters.get(a), IntegerConverter)}


def _url(app: Flask, rule: Any, values: dict[str, Any]) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _logged_in(app: Flask, user: Any, password: str) -> Any:
    """A client of its own: a visit may end the staff session (a child's page, leaving)."""
    client = app.test_client()
    response = client.post("/login", data={
        "email": user.email, "password": password, "csrf_token": csrf_token(client)})
    assert response.status_code in (302, 303)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_odd_addresses_and_queries(app, make, session, role) -> None:
    user = make.staff(role)
    session.commit()
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        client = _logged_in(app, user, make.PASSWORD)
        ints = _int_args(rule)
        for value in PATH_VALUES:
            url = _url(app, rule, {a: 1 if a in ints else value for a in rule.arguments})
            for query in QUERIES if value == PATH_VALUES[0] else [""]:
                status = client.get(f"{url}?{query}" if query else url).status_code
                if status >= 500:  # noqa: PLR2004
                    failures.append((url[:80], query[:30], status))
        if ints:  # an id larger than any column holds
            url = _url(app, rule, {a: 10**20 if a in ints else "x" for a in rule.arguments})
            if (status := client.get(url).status_code) >= 500:  # noqa: PLR2004
                failures.append((url[:80], "", status))
    assert not failures, failures[:20]


@pytest.mark.parametrize("role", ROLES)
def test_odd_forms(app, make, session, role) -> None:
    programme = make.programme()
    child = make.child(programme)
    user = make.staff(role, **({} if role == "admin" else {"programmes": [programme]}))
    session.commit()

    failures = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule.endswith(LEFT_OUT):
            continue
        ints = _int_args(rule)
        values = {
            a: (programme.id if "programme" in a else programme.rounds[0].id if "round" in a
                else child.id) if a in ints else child.public_id
            for a in rule.arguments
        }
        url = _url(app, rule, values)
        for value in FORM_VALUES:
            client = _logged_in(app, user, make.PASSWORD)
            form = dict.fromkeys(FIELDS, value)
            form["csrf_token"] = csrf_token(client, "/")
            status = client.post(url, data=form).status_code
            if status >= 500:  # noqa: PLR2004
                failures.append((url, value[:20], status))
    assert not failures, failures[:20]
