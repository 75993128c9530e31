"""Headers and sessions: the header set on every page, for everyone who can reach it; the
production cookie and HSTS; the staff idle timeout; request size limits (413, never 500).

The walk visits every GET route of the URL map — filled with real ids made by the factories,
so pages render with data rather than stopping at a 404 — as an anonymous visitor, a child
holding a link, a tablet in tablet mode, and a member of staff of each role.  A route added
later is walked too; one with a URL argument the walk does not know fails here until
``_VALUES`` learns it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import itsdangerous.timed
import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from kidsvoice import create_app
from kidsvoice.cookie_session import REFRESH_AFTER_SECONDS
from kidsvoice.models import Child, Goal, Programme, Round, StaffUser
from tests.conftest import csrf_token
from tests.meeting_data import BASELINE_6_9, add_goal, complete_round

#: The policy issue 7 asks for, exactly.
EXPECTED_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
DENIED_FEATURES = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def check_page_headers(response: Any, where: str) -> None:
    """The header set every page carries, whoever asks and whatever the status."""
    h = response.headers
    assert h.get("Content-Security-Policy") == EXPECTED_CSP, where
    assert "unsafe-inline" not in h["Content-Security-Policy"], where
    assert "unsafe-eval" not in h["Content-Security-Policy"], where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("Referrer-Policy") == "no-referrer", where
    assert h.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert h.get("X-Frame-Options") == "DENY", where
    policy = h.get("Permissions-Policy", "")
    assert all(feature in policy for feature in DENIED_FEATURES), where
    # Personal data on every page: never stored by a browser, a proxy or a shared tablet,
    # and never validated later.
    assert h.get("Cache-Control") == "no-store", where
    assert "ETag" not in h, where
    assert "Last-Modified" not in h, where
    assert "Cookie" in h.get("Vary", ""), where
    for cookie in h.getlist("Set-Cookie"):
        assert "HttpOnly" in cookie, (where, cookie)
        assert "SameSite=Lax" in cookie, (where, cookie)
        assert "Domain=" not in cookie, (where, cookie)
    assert response.status_code < 500, (where, response.status_code)


# ---- a small world with every kind of id -------------------------------------------------


@dataclass
class World:
    programme: Programme
    baseline: Round
    follow_up: Round
    child: Child
    goal: Goal
    answer_id: int
    token: str
    admin: StaffUser
    coordinator: StaffUser
    facilitator: StaffUser
    evaluator: StaffUser


@pytest.fixture
def world(make, session) -> World:
    programme = make.programme("Skolefravær 2027")
    coordinator = make.staff("coordinator", programmes=[programme])
    facilitator = make.staff("facilitator", programmes=[programme])
    evaluator = make.staff("evaluator", programmes=[programme])
    admin = make.staff("admin")
    child = make.child(programme, first_name="Ida", age=8, coordinator=coordinator,
                       facilitators=[facilitator])
    baseline, follow_up = programme.rounds
    response = complete_round(session, child, baseline, answers=BASELINE_6_9, hidden={"W3"})
    answer_id = next(a.id for a in response.answers if a.question_key == "W1")
    goal = add_goal(session, child, "At have en god ven i klassen", 3, round_=baseline)
    _invitation, token = make.invitation(child, follow_up)
    session.commit()
    return World(programme, baseline, follow_up, child, goal, answer_id, token, admin, coordinator,
                 facilitator, evaluator)


def _values(world: World) -> dict[str, Callable[[str], Any]]:
    """URL argument → its value for an endpoint (coordinator pages name children by public
    id, meeting pages by database id)."""
    def child_id(endpoint: str) -> Any:
        if endpoint.startswith(("coordinator.", "tablet.")):
            return world.child.public_id
        return world.child.id

    return {
        "programme_id": lambda _e: world.programme.id,
        "child_id": child_id,
        "public_id": lambda _e: world.child.public_id,
        "answer_id": lambda _e: world.answer_id,
        "round_id": lambda _e: world.baseline.id,
        "goal_id": lambda _e: world.goal.id,
        "key": lambda _e: "W1",
        "code": lambda _e: "en",
        "token": lambda _e: world.token,
    }


def get_urls(app: Flask, world: World) -> list[tuple[str, str]]:
    """(endpoint, url) for every GET route but static files; child and tablet pages last and
    the token link at the very end (opening it starts a child's session)."""
    values = _values(world)
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or set()):
            continue
        unknown = sorted(set(rule.arguments) - set(values))
        if unknown:
            pytest.fail(f"{rule.rule}: teach tests/web/test_headers.py a value for {unknown}")
        with app.test_request_context():
            url = url_for(rule.endpoint, **{a: values[a](rule.endpoint) for a in rule.arguments})
        found.append((rule.endpoint, url))
    # Staff pages first: a child page clears the session of anyone who is not a child on it.
    found.sort(key=lambda item: (item[0] == "child.link", item[0].startswith(("child.",
                                                                               "tablet."))))
    return found


def login(client: FlaskClient, user: StaffUser, password: str) -> None:
    response = client.post("/login", data={"email": user.email, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.status_code


def walk(client: FlaskClient, urls: list[tuple[str, str]], who: str) -> Counter[str]:
    statuses: Counter[str] = Counter()
    for endpoint, url in urls:
        response = client.get(url)
        check_page_headers(response, f"{who} GET {url}")
        statuses[f"{endpoint} {response.status_code}"] += 1
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    check_page_headers(missing, f"{who} GET /no-such-page")
    return statuses


IDENTITIES = ["anonymous", "child", "tablet", "admin", "coordinator", "facilitator",
              "evaluator"]


@pytest.mark.parametrize("who", IDENTITIES)
def test_every_page_carries_the_header_set(app, client, make, world, who) -> None:
    if who == "child":
        assert client.get(f"/i/{world.token}").status_code == 303
        html = client.get("/c").get_data(as_text=True)
        assert client.post("/c/start", data={"csrf_token": csrf_from(html)}).status_code == 303
    elif who == "tablet":
        login(client, world.coordinator, make.PASSWORD)
        page = client.get(f"/tablet/start/{world.programme.id}").get_data(as_text=True)
        started = client.post(f"/tablet/start/{world.programme.id}", data={
            "csrf_token": csrf_from(page), "round": world.follow_up.id, "idle_minutes": 5})
        assert started.status_code == 303
    elif who != "anonymous":
        login(client, getattr(world, who), make.PASSWORD)
    statuses = walk(client, get_urls(app, world), who)
    # The walk reached real pages, not only redirects and refusals.
    expected_pages = {
        "anonymous": ["staff.login 200", "child.help 200"],
        "child": ["child.start 200", "child.question 200", "child.review 200"],
        "tablet": ["tablet.lock 200"],
        "admin": ["admin.staff_list 200", "admin.audit_log 200", "coordinator.child 200"],
        "coordinator": ["meeting.sheet 200", "meeting.sheet_print 200",
                        "meeting.safeguarding 200", "coordinator.child 200",
                        "coordinator.programme 200", "meeting.goals 200"],
        "facilitator": ["meeting.sheet 200", "meeting.goals 200", "meeting.goal_edit 200"],
        "evaluator": ["staff.dashboard 200"],
    }[who]
    for page in expected_pages:
        assert statuses[page] == 1, (page, sorted(statuses))


def test_static_files_carry_the_policy_and_may_be_cached(client) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Cache-Control") != "no-store"


def test_static_files_never_carry_the_session(client, login_as) -> None:
    # A public file kept for a year: a session cookie on it (re-signed on every response)
    # would make browsers revalidate it whenever the cookie has changed, and is nothing a
    # shared cache should hold.
    login_as("coordinator")
    assert client.get("/").headers.getlist("Set-Cookie")  # pages still refresh the session
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []
    assert "Cookie" not in response.headers.get("Vary", "")


def test_htmx_is_configured_to_match_the_policy(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert '"historyCacheSize": 0' in html
    assert '"allowScriptTags": false' in html
    assert "<script>" not in html
    assert " style=" not in html
    assert "onclick" not in html


# ---- production: HSTS and __Host- cookies -------------------------------------------------


@pytest.fixture
def production_app(config) -> Any:
    app = create_app(replace(config, env="production", base_url="https://kidsvoice.example",
                             secret_keys=("p" * 48,)))
    yield app
    app.extensions["kidsvoice.db"].dispose()


def test_production_sets_hsts_and_host_only_secure_cookies(production_app, make) -> None:
    user = make.staff("coordinator")
    make.session.commit()
    client = production_app.test_client()
    https = "https://kidsvoice.example"
    page = client.get("/login", base_url=https)
    assert page.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    [cookie] = page.headers.getlist("Set-Cookie")
    assert cookie.startswith("__Host-kidsvoice=")
    for attribute in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert attribute in cookie, attribute
    assert "Domain=" not in cookie
    # A login over HTTPS works without a Referer (every page sends no-referrer) ...
    response = client.post("/login", base_url=https, data={
        "email": user.email, "password": make.PASSWORD, "csrf_token": csrf_from(
            page.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies = response.headers.getlist("Set-Cookie")
    assert all(c.startswith("__Host-kidsvoice=") and "Secure" in c for c in cookies)
    assert not any("remember" in c for c in cookies)  # no long-lived "remember me" cookie
    # ... and the session is the staff member's
    assert client.get("/", base_url=https).status_code == 200


def test_development_sends_no_hsts(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers


# ---- the staff idle timeout ----------------------------------------------------------


def test_staff_session_ends_after_the_idle_minutes(app, client, login_as, monkeypatch) -> None:
    idle = app.extensions["kidsvoice.config"].staff_idle_minutes
    assert idle == 30  # KIDSVOICE_STAFF_IDLE_MINUTES' default
    start = int(itsdangerous.timed.TimestampSigner.get_timestamp(None))  # type: ignore[arg-type]
    login_as("coordinator")

    def at(minutes: float) -> None:
        monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                            lambda _self: start + int(minutes * 60))

    at(idle - 1)
    assert client.get("/").status_code == 200  # active: the cookie is signed afresh
    at(2 * idle - 2)
    assert client.get("/").status_code == 200  # idle < limit since the last request
    at(3 * idle)
    response = client.get("/")  # idle longer than the limit: logged out
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_session_cookie_expires_with_the_idle_time(client, login_as) -> None:
    login_as("facilitator")
    response = client.get("/")
    [cookie] = response.headers.getlist("Set-Cookie")
    assert "Expires=" in cookie  # a permanent session, refreshed on each request


def test_an_unchanged_session_is_signed_again_only_after_a_minute(
        client, login_as, monkeypatch) -> None:
    """kidsvoice/cookie_session.py: a child's answers, seconds apart, do not re-sign the
    cookie; a session older than a minute is re-signed (the idle time runs on), and a changed
    session is written at once."""
    login_as("facilitator")
    start = int(itsdangerous.timed.TimestampSigner.get_timestamp(None))  # type: ignore[arg-type]

    def at(seconds: int) -> None:
        monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                            lambda _self: start + seconds)

    at(0)
    assert "Set-Cookie" in client.get("/").headers  # the page's CSRF token is new
    at(REFRESH_AFTER_SECONDS - 5)
    assert "Set-Cookie" not in client.get("/").headers
    at(REFRESH_AFTER_SECONDS + 5)
    assert "Set-Cookie" in client.get("/").headers
    at(REFRESH_AFTER_SECONDS + 10)  # signed 5 s ago
    assert "Set-Cookie" not in client.get("/").headers
    assert "Set-Cookie" in client.get("/?lang=en").headers  # changed: written at once


# ---- request size limits: 413, translated, never 500 -------------------------------------


TOO_BIG = "x" * (300 * 1024)


def test_an_oversized_child_answer_is_a_translated_413(app, client, world) -> None:
    client.get(f"/i/{world.token}")
    html = client.get("/c").get_data(as_text=True)
    client.post("/c/start", data={"csrf_token": csrf_from(html)})
    page = client.get("/c/q/W1").get_data(as_text=True)
    response = client.post("/c/q/W1", data={"csrf_token": csrf_from(page), "action": "answer",
                                            "text": TOO_BIG})
    assert response.status_code == 413
    assert "Det var for meget at sende på én gang" in response.get_data(as_text=True)
    check_page_headers(response, "413 child")
    # nothing was stored, and the child can go on
    assert client.get("/c/q/W1").status_code == 200


def test_an_oversized_staff_form_is_a_translated_413(client, login_as) -> None:
    login_as("coordinator")
    token = csrf_token(client, "/programmes/new")
    response = client.post("/programmes/new", data={"csrf_token": token, "name": TOO_BIG},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "That was too much to send at once" in response.get_data(as_text=True)
    check_page_headers(response, "413 staff")


def test_an_oversized_body_without_a_form_is_413(client) -> None:
    response = client.post("/login", data=TOO_BIG, content_type="application/octet-stream")
    assert response.status_code == 413


def test_pages_are_never_compressed_but_static_assets_are(client, login_as) -> None:
    """BREACH: a compressed page holding a CSRF token next to reflected input leaks the token
    through its length.  Pages go out uncompressed; CSS, JavaScript and SVG are gzipped."""
    login_as("coordinator")
    gzip = {"Accept-Encoding": "gzip"}
    for url in ("/", "/login", "/programmes/?q=" + "a" * 500):
        assert "Content-Encoding" not in client.get(url, headers=gzip).headers, url
    asset = client.get("/static/css/app.css", headers=gzip)
    assert asset.headers.get("Content-Encoding") == "gzip"
