"""Tablet mode: the staff login ends, children take turns by short code or by the adult's
choice, the lock screen forgets the previous child, and leaving needs the password."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from kidsvoice.child.session import CHILD_KEY, TABLET_KEY
from kidsvoice.models import Invitation, StaffUser, utcnow
from kidsvoice.operations.invitations import issue
from tests.conftest import csrf_token
from tests.web._coordinator import fresh, post, text


@pytest.fixture
def programme(make):
    return make.programme("Skole-tablet")


def _issue(make, child, round_=None):
    keys = make.config.secret_keys
    return issue(make.session, child=child, round_=round_ or child.programme.rounds[0],
                 tokens=make.tokens, days=30, code_keys=keys)


def _start(client, login_as, programme, minutes: int = 5):
    user = login_as("coordinator", programmes=[programme])
    response = post(client, f"/tablet/start/{programme.id}",
                    {"round": str(programme.rounds[0].id), "idle_minutes": str(minutes)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/tablet/"
    return user


def _code(client, code: str):
    return client.post("/tablet/code", data={"code": code,
                                              "csrf_token": csrf_token(client, "/tablet/")})


def test_starting_tablet_mode_ends_the_staff_login(client, login_as, programme) -> None:
    user = _start(client, login_as, programme, minutes=10)
    with client.session_transaction() as s:
        assert set(s.keys()) <= {TABLET_KEY, "locale", "_fresh", "csrf_token"}
        assert "_user_id" not in s
        tablet = s[TABLET_KEY]
        assert tablet["programme_id"] == programme.id
        assert tablet["staff_id"] == user.id
        assert tablet["idle_seconds"] == 600
    assert client.get("/programmes/").status_code == 302  # logged out
    lock = client.get("/tablet/")
    assert lock.status_code == 200
    page = text(lock)
    assert "Skriv koden fra dit brev." in page
    assert programme.name not in page
    assert user.name not in page
    assert 'http-equiv="refresh"' not in page  # the lock screen itself never moves on


def test_without_tablet_mode_the_tablet_pages_send_to_login(client) -> None:
    for url in ("/tablet/", "/tablet/adult", "/tablet/pick"):
        response = client.get(url)
        assert response.status_code == 303
        assert "/login" in response.headers["Location"]


def test_a_child_types_their_code(client, login_as, make, programme, session) -> None:
    child = make.child(programme, first_name="Ida", language="en")
    issued = _issue(make, child)
    session.commit()
    _start(client, login_as, programme)
    typed = issued.short_code.display.lower().replace("-", " ")
    response = _code(client, typed)
    assert response.status_code == 303
    assert response.headers["Location"] == "/c"
    with client.session_transaction() as s:
        assert s[CHILD_KEY] == issued.invitation.public_id
        assert s["locale"] == "en"
        assert s[TABLET_KEY]["programme_id"] == programme.id
    invitation = fresh(session).get(Invitation, issued.invitation.id)
    assert invitation.opened_at is not None
    assert "Ida" in text(client.get("/c"))
    # back to the lock screen: the child's session is gone, the tablet's language is back
    lock = client.get("/tablet/")
    assert lock.status_code == 200
    assert "Ida" not in text(lock)
    with client.session_transaction() as s:
        assert CHILD_KEY not in s
        assert s["locale"] == "da"
    assert "Ida" not in text(client.get("/c"))


def test_every_tablet_page_ends_a_child_session(client, login_as, make, programme,
                                                session) -> None:
    child = make.child(programme, first_name="Ida")
    issued = _issue(make, child)
    session.commit()
    _start(client, login_as, programme)
    for url in ("/tablet/adult", "/tablet/pick", "/tablet/"):
        assert _code(client, issued.short_code.display).status_code == 303
        client.get(url)
        with client.session_transaction() as s:
            assert CHILD_KEY not in s, url
        assert "Ida" not in text(client.get("/c"))


def test_wrong_codes_are_counted_and_slow_the_tablet_down(client, login_as, make, programme,
                                                          session) -> None:
    child = make.child(programme)
    issued = _issue(make, child)
    session.commit()
    _start(client, login_as, programme)
    malformed = _code(client, "hello")
    assert malformed.status_code == 400
    assert "Det er ikke en kode" in text(malformed)
    for _ in range(5):
        wrong = _code(client, "ZZZ-ZZZ-ZZ" if issued.short_code.selector != "ZZZ" else "YYY-YYY-YY")
        assert wrong.status_code == 400
        assert "Den kode virkede ikke." in text(wrong)
    waiting = _code(client, issued.short_code.display)  # right code, but the tablet must wait
    assert waiting.status_code == 429
    assert "For mange forkerte koder." in text(waiting)
    with client.session_transaction() as s:
        s[TABLET_KEY] = {**s[TABLET_KEY], "wait_until": time.time() - 1}
    assert _code(client, issued.short_code.display).status_code == 303


def test_wrong_codes_for_one_invitation_lock_its_code(client, login_as, make, programme,
                                                      session) -> None:
    child = make.child(programme)
    issued = _issue(make, child)
    session.commit()
    _start(client, login_as, programme)
    right = issued.short_code.code
    wrong = right[:3] + ("22222" if right[3:] != "22222" else "33333")
    for _ in range(5):
        assert _code(client, wrong).status_code == 400
        with client.session_transaction() as s:  # a fresh tablet each time
            s[TABLET_KEY] = {**s[TABLET_KEY], "failures": 0, "wait_until": 0}
    assert fresh(session).get(Invitation, issued.invitation.id).short_code_failures == 5
    locked = _code(client, right)
    assert locked.status_code == 429
    assert "skrevet forkert for mange gange" in text(locked)


def test_codes_that_no_longer_work(client, login_as, make, programme, session) -> None:
    done = _issue(make, make.child(programme, first_name="A"))
    done.invitation.completed_at = utcnow()
    old = _issue(make, make.child(programme, first_name="B"))
    old.invitation.expires_at = utcnow()
    revoked = _issue(make, make.child(programme, first_name="C"))
    other_programme = _issue(make, make.child(make.programme("Anden")))
    session.commit()
    from kidsvoice.operations.invitations import revoke

    revoke(session, invitation=revoked.invitation)
    session.commit()
    _start(client, login_as, programme)
    assert _code(client, done.short_code.display).status_code == 409
    assert "Du har allerede svaret" in text(_code(client, done.short_code.display))
    assert _code(client, old.short_code.display).status_code == 410
    assert _code(client, revoked.short_code.display).status_code == 400  # its code is gone
    assert _code(client, other_programme.short_code.display).status_code == 400


def test_a_new_link_voids_the_old_code(client, login_as, make, programme, session) -> None:
    child = make.child(programme)
    first = _issue(make, child)
    second = _issue(make, child)
    session.commit()
    _start(client, login_as, programme)
    assert _code(client, first.short_code.display).status_code == 400
    assert _code(client, second.short_code.display).status_code == 303


def test_code_form_needs_csrf(client, login_as, programme) -> None:
    _start(client, login_as, programme)
    assert client.post("/tablet/code", data={"code": "K7P-M4X-Q9"}).status_code == 400


def test_the_adult_picks_a_child(client, login_as, make, programme, session) -> None:
    noah = make.child(programme, first_name="Noah")
    done = make.child(programme, first_name="Færdig")
    finished = _issue(make, done)
    finished.invitation.completed_at = utcnow()
    session.commit()
    _start(client, login_as, programme)
    assert client.get("/tablet/pick").status_code == 303  # not without the password
    form = client.get("/tablet/adult")
    assert form.status_code == 200
    assert 'http-equiv="refresh"' in text(form)
    wrong = post(client, "/tablet/adult", {"action": "pick", "password": "nope"},
                 token_from="/tablet/adult")
    assert wrong.status_code == 401
    assert "Den adgangskode er ikke rigtig." in text(wrong)
    missing = post(client, "/tablet/adult", {"action": "dance", "password": ""},
                   token_from="/tablet/adult")
    assert missing.status_code == 400
    right = post(client, "/tablet/adult", {"action": "pick", "password": make.PASSWORD},
                 token_from="/tablet/adult")
    assert right.status_code == 303
    assert right.headers["Location"] == "/tablet/pick"
    listing = text(client.get("/tablet/pick"))
    assert "Noah" in listing
    assert "Færdig" in listing
    assert f"/tablet/pick/{done.public_id}" not in listing  # finished: not a button
    assert client.get("/tablet/pick?page=x").status_code == 400
    assert "Noah" not in text(client.get("/tablet/pick?q=f%C3%A6r"))

    picked = post(client, f"/tablet/pick/{noah.public_id}", token_from="/tablet/adult")
    assert picked.status_code == 303
    assert picked.headers["Location"] == "/c"
    invitation = fresh(session).scalar(select(Invitation).where(Invitation.child_id == noah.id))
    assert invitation.opened_at is not None
    assert "Noah" in text(client.get("/c"))
    # the list is closed again: the back button finds nothing
    assert client.get("/tablet/pick").status_code == 303
    assert post(client, f"/tablet/pick/{noah.public_id}", token_from="/tablet/").status_code == 303


def test_picking_is_limited_to_the_programme(client, login_as, make, programme) -> None:
    stranger = make.child(make.programme("Anden"))
    _start(client, login_as, programme)
    post(client, "/tablet/adult", {"action": "pick", "password": make.PASSWORD},
         token_from="/tablet/adult")
    assert post(client, f"/tablet/pick/{stranger.public_id}",
                token_from="/tablet/adult").status_code == 404


def test_picking_a_finished_child_is_refused(client, login_as, make, programme,
                                             session) -> None:
    child = make.child(programme, first_name="Emil")
    issued = _issue(make, child)
    issued.invitation.completed_at = utcnow()
    session.commit()
    _start(client, login_as, programme)
    post(client, "/tablet/adult", {"action": "pick", "password": make.PASSWORD},
         token_from="/tablet/adult")
    response = post(client, f"/tablet/pick/{child.public_id}", token_from="/tablet/adult")
    assert response.status_code == 409
    assert "Emil har allerede svaret i denne runde." in text(response)


def test_leaving_tablet_mode_needs_the_password(client, login_as, make, programme) -> None:
    _start(client, login_as, programme)
    wrong = post(client, "/tablet/adult", {"action": "leave", "password": "guess"},
                 token_from="/tablet/adult")
    assert wrong.status_code == 401
    with client.session_transaction() as s:
        assert TABLET_KEY in s
    left = post(client, "/tablet/adult", {"action": "leave", "password": make.PASSWORD},
                token_from="/tablet/adult")
    assert left.status_code == 303
    assert left.headers["Location"] == "/login"
    with client.session_transaction() as s:
        assert TABLET_KEY not in s
        assert "_user_id" not in s
    assert client.get("/tablet/").status_code == 303


def test_password_guessing_backs_off(client, login_as, make, programme, session) -> None:
    user = _start(client, login_as, programme)
    for _ in range(5):
        post(client, "/tablet/adult", {"action": "leave", "password": "guess"},
             token_from="/tablet/adult")
    slowed = post(client, "/tablet/adult", {"action": "leave", "password": make.PASSWORD},
                  token_from="/tablet/adult")
    assert slowed.status_code == 429
    assert fresh(session).get(StaffUser, user.id).locked_until is not None


def test_idle_child_session_returns_to_the_lock_screen(client, login_as, make, programme,
                                                      session) -> None:
    child = make.child(programme, first_name="Sofie")
    issued = _issue(make, child)
    session.commit()
    _start(client, login_as, programme, minutes=2)
    assert _code(client, issued.short_code.display).status_code == 303
    assert "Sofie" in text(client.get("/c"))
    with client.session_transaction() as s:
        s[TABLET_KEY] = {**s[TABLET_KEY], "last_seen": time.time() - 1000}
    response = client.get("/c")
    assert response.status_code == 303
    assert response.headers["Location"] == "/tablet/"
    with client.session_transaction() as s:
        assert CHILD_KEY not in s
        assert TABLET_KEY in s
    htmx = client.get("/c", headers={"HX-Request": "true"})
    assert "Sofie" not in text(htmx)


def test_tablet_mode_ends_after_a_day(client, login_as, programme) -> None:
    _start(client, login_as, programme)
    with client.session_transaction() as s:
        s[TABLET_KEY] = {**s[TABLET_KEY], "started_at": time.time() - 13 * 3600}
    response = client.get("/tablet/")
    assert response.status_code == 303
    assert "/login" in response.headers["Location"]
    with client.session_transaction() as s:
        assert TABLET_KEY not in s


def test_idle_include_renders_only_in_tablet_mode(app) -> None:
    from flask import render_template_string
    from flask import session as flask_session

    template = "{% include 'tablet/_idle.html' %}"
    with app.test_request_context("/c"):
        assert render_template_string(template).strip() == ""
    with app.test_request_context("/c"):
        flask_session[TABLET_KEY] = {"programme_id": 1, "staff_id": 1, "idle_seconds": 300}
        html = render_template_string(template)
        assert '<noscript><meta http-equiv="refresh" content="300;url=/tablet/"></noscript>' in html
        assert 'data-idle-seconds="300"' in html
        assert "tablet-idle.js" in html


def test_start_form_bad_input_roles_and_boundary(client, login_as, make, programme) -> None:
    other = make.programme("Anden")
    login_as("coordinator", programmes=[programme])
    assert client.get(f"/tablet/start/{other.id}").status_code == 404
    bad = post(client, f"/tablet/start/{programme.id}",
               {"round": str(other.rounds[0].id), "idle_minutes": "1"})
    assert bad.status_code == 400
    assert "Vælg en af mulighederne." in text(bad)
    with client.session_transaction() as s:
        assert "_user_id" in s
        assert TABLET_KEY not in s


@pytest.mark.parametrize("role", ["facilitator", "evaluator"])
def test_other_roles_cannot_start_tablet_mode(client, login_as, programme, role) -> None:
    login_as(role, programmes=[programme])
    assert client.get(f"/tablet/start/{programme.id}").status_code == 403
