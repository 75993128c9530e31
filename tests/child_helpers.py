"""Helpers for driving the child's journey through the Flask test client."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from kidsvoice.questionnaire import Question, QuestionKind


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf token in page"
    return match.group(1)


def open_link(client: FlaskClient, token: str) -> str:
    response = client.get(f"/i/{token}")
    assert response.status_code == 303, response.status_code
    assert response.headers["Location"] == "/c"
    return client.get("/c").get_data(as_text=True)


def start(client: FlaskClient) -> str:
    html = client.get("/c").get_data(as_text=True)
    response = client.post("/c/start", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def form_for(question: Question, choice: str = "first") -> dict[str, Any]:
    """A valid answer for any kind of question."""
    if question.kind is QuestionKind.TEXT:
        return {"action": "answer", "text": f"My answer to {question.key}"}
    if question.kind is QuestionKind.CARDS:
        return {"action": "answer", "answer": [question.options[0].code, question.options[1].code]}
    scored = [o for o in question.options if o.score is not None]
    option = scored[0] if choice == "first" else scored[-1]
    return {"answer": option.code}


def answer_current(client: FlaskClient, location: str, steps: dict[str, Question],
                   choice: str = "first") -> str:
    html = client.get(location).get_data(as_text=True)
    key = location.rsplit("/", 1)[-1]
    data = form_for(steps[key], choice)
    data["csrf_token"] = csrf_from(html)
    response = client.post(location, data=data)
    assert response.status_code == 303, (
        key, response.status_code, response.get_data(as_text=True)[:500]
    )
    return response.headers["Location"]
