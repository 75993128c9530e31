"""Logs keep no secrets: every log record of a real scenario, served over HTTP by werkzeug's
server (whose access log records every request line), is captured and searched.

The scenario: a staff member with two-factor login mistypes the password, logs in, issues a
child's link; the child opens it, answers every question in their own words and finishes; the
link is tried again, a forged link too; the staff member reads the answer sheet and the answers
kept from the meeting.  No token (nor its secret half), short code, password, one-time code,
session cookie, CSRF token or word the child wrote may appear in any record — the access log's
``/i/<token>`` lines included, which must read ``/i/[redacted]``.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Iterator
from http.cookiejar import CookieJar
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from flask import Flask
from werkzeug.serving import make_server

from kidsvoice import totp
from kidsvoice.models import utcnow
from kidsvoice.questionnaire import QuestionKind


class Capture(logging.Handler):
    """Every record that reaches the root logger, formatted with its traceback if any."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs() -> Iterator[Capture]:
    """All log records of the test: the root logger's, werkzeug's access log, the app's."""
    handler = Capture()
    root = logging.getLogger()
    app_logger = logging.getLogger("kidsvoice")
    werkzeug = logging.getLogger("werkzeug")
    saved = (app_logger.level, werkzeug.level)
    app_logger.setLevel(logging.DEBUG)
    werkzeug.setLevel(logging.INFO)  # what `flask run` and `kidsvoice run` log
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        app_logger.setLevel(saved[0])
        werkzeug.setLevel(saved[1])


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class Browser:
    """A cookie-keeping HTTP client that follows redirects, over a real socket."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))
        self.cookies_seen: set[str] = set()

    def open(self, path: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
        body = urlencode(data, doseq=True).encode() if data is not None else None
        request = Request(self.base + path, data=body)  # noqa: S310 - our own http:// server
        try:
            with self.opener.open(request, timeout=10) as response:
                result = (response.status, response.geturl(), response.read().decode())
        except HTTPError as error:
            result = (error.code, error.geturl(), error.read().decode())
        self.cookies_seen |= {c.value for c in self.jar}
        return result

    def csrf(self, html: str) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, "no CSRF token"
        return match.group(1)


def test_logs_keep_no_token_password_cookie_or_child_words(app, make, session, served,
                                                           captured_logs) -> None:
    programme = make.programme("Skolefravær 2027")
    coordinator = make.staff("coordinator", programmes=[programme])
    secret = totp.new_secret()
    coordinator.totp_secret, coordinator.totp_enabled_at = secret, utcnow()
    child = make.child(programme, first_name="Ida", age=8, coordinator=coordinator)
    session.commit()
    words = f"Hemmeligt-{secrets.token_hex(6)}"
    wrong_password = f"wrong-{secrets.token_hex(6)}"
    forbidden: dict[str, str] = {"password": make.PASSWORD, "wrong password": wrong_password,
                                 "TOTP secret": secret, "child's words": words}

    staff = Browser(served)
    status, _url, html = staff.open("/login")
    status, _url, html = staff.open("/login", {"email": coordinator.email,
                                               "password": wrong_password,
                                               "csrf_token": staff.csrf(html)})
    assert status == 401
    status, url, html = staff.open("/login", {"email": coordinator.email,
                                              "password": make.PASSWORD,
                                              "csrf_token": staff.csrf(html)})
    assert url.endswith("/login/code")
    code = totp.code_at(secret, totp.step_at(time.time()))
    forbidden["one-time code"] = code
    status, url, html = staff.open("/login/code", {"code": code,
                                                   "csrf_token": staff.csrf(html)})
    assert status == 200, (status, url)
    assert url.endswith("/"), (status, url)
    child_page = f"/programmes/{programme.id}/children/{child.public_id}"
    status, _url, html = staff.open(child_page)
    status, _url, html = staff.open(
        f"{child_page}/rounds/{programme.rounds[0].id}/invite",
        {"csrf_token": staff.csrf(html), "days": "30"})
    assert status == 200
    link = re.search(r'value="(http://[^"]+/i/([^"]+))"', html)
    short_code = re.search(r"data-short-code>([2-9A-Z-]{10})<", html)
    assert link
    assert short_code
    token = link.group(2)
    forbidden.update({"token": token, "token's secret half": token.split(".")[0][-12:],
                      "short code": short_code.group(1),
                      "short code (typed)": short_code.group(1).replace("-", "")})

    kid = Browser(served)
    status, url, html = kid.open(f"/i/{token}")
    assert url.endswith("/c")
    status, url, html = kid.open("/c/start", {"csrf_token": kid.csrf(html)})
    registry = app.extensions["kidsvoice.questionnaires"]
    questions = {q.key: q for q in registry.get("kidsvoice-standard", 1).steps(
        "6-9", "baseline", [])}
    while "/c/q/" in url:
        question = questions[url.rsplit("/", 1)[-1]]
        data: dict[str, Any] = {"csrf_token": kid.csrf(html)}
        if question.kind is QuestionKind.TEXT:
            data.update(action="answer", text=words)
        elif question.kind is QuestionKind.CARDS:
            codes = [o.code for o in question.options]
            data.update(action="answer", answer=[codes[0], "other"] if "other" in codes
                        else codes[:1], other_text=words)
        else:
            data.update(answer=next(o.code for o in question.options if o.score is not None))
        status, url, html = kid.open(url.removeprefix(served), data)
        assert status == 200, (status, url)
    assert url.endswith("/c/svar")
    assert words in html
    status, url, html = kid.open("/c/svar", {"csrf_token": kid.csrf(html), "hide": ["W3"]})
    assert url.endswith("/c/tak")
    assert Browser(served).open(f"/i/{token}")[0] == 200  # "already answered"
    assert Browser(served).open(f"/i/{token[:-3]}xyz")[0] == 404  # a forged link

    for path in (f"/children/{child.id}/sheet", f"/children/{child.id}/safeguarding"):
        status, _url, html = staff.open(path)
        assert status == 200, path
        assert words in html, path

    for cookie in staff.cookies_seen | kid.cookies_seen:
        forbidden[f"session cookie {cookie[:6]}…"] = cookie
    log = "\n".join(captured_logs.lines)
    assert "/i/[redacted]" in log  # the access log was captured, and redacted
    assert len(captured_logs.lines) >= 30
    for what, value in forbidden.items():
        assert value not in log, f"the log holds the {what}"
