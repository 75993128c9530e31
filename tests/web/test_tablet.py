"""Tablet mode: the staff login ends, children take turns by short code or by the adult's
choice, the lock screen forgets the previous child, and leaving needs the password — and, for
a staff member with two-factor login, a code from their app."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from kidsvoice import totp
from kidsvoice.audit import Action
from kidsvoice.child.session import CHILD_KEY, TABLET_KEY
from kidsvoice.models import AuditEntry, Invitation, Setting, StaffUser, utcnow
from kidsvoice.operations.invitations import issue
from kidsvoice.operations.twofactor import REQUIRE_TOTP
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


# ---- the adult step with two-factor login ------------------------------------------------


def _totp(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, totp.step_at(time.time()) + offset)


def _wrong_code(secret: str) -> str:
    near = {_totp(secret, offset) for offset in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222") if c not in near)


def _start_two_step(client, make, programme, session):
    """A coordinator with two-factor login logs in with password and code (this time step's
    code is then spent) and starts tablet mode; returns (user, secret)."""
    user = make.staff("coordinator", programmes=[programme], name="Karin")
    secret = totp.new_secret()
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    session.commit()
    login = client.post("/login", data={"email": user.email, "password": make.PASSWORD,
                                        "csrf_token": csrf_token(client)})
    assert login.headers["Location"] == "/login/code"
    code = client.post("/login/code", data={"code": _totp(secret),
                                            "csrf_token": csrf_token(client, "/login/code")})
    assert code.status_code == 302
    started = post(client, f"/tablet/start/{programme.id}",
                   {"round": str(programme.rounds[0].id), "idle_minutes": "5"})
    assert started.headers["Location"] == "/tablet/"
    return user, secret


def _adult(client, password: str, code: str | None = None, action: str = "pick"):
    data = {"action": action, "password": password}
    if code is not None:
        data["code"] = code
    return post(client, "/tablet/adult", data, token_from="/tablet/adult")


def _pick_open(client) -> bool:
    return client.get("/tablet/pick").status_code == 200


def _audit(session, action: str) -> list[AuditEntry]:
    return list(fresh(session).scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_a_two_step_adult_needs_the_password_and_a_code(client, make, programme,
                                                        session) -> None:
    make.child(programme, first_name="Noahmand")
    user, secret = _start_two_step(client, make, programme, session)
    form = client.get("/tablet/adult")
    page = text(form)
    assert form.status_code == 200
    assert ("Tablet-tilstand blev startet af <bdi>Karin</bdi>. Den persons adgangskode og en "
            "kode fra vedkommendes app skal bruges") in page
    field = re.search(r'<input[^>]*name="code"[^>]*>', page)
    assert field, "no code field"
    assert 'autocomplete="one-time-code"' in field.group(0)
    assert 'inputmode="numeric"' in field.group(0)
    assert re.search(r'<label[^>]*for="code"[^>]*>Kode fra din app</label>', page)
    assert page.index('name="password"') < page.index('name="code"')  # one screen, in order

    # the password alone is not enough
    missing = _adult(client, make.PASSWORD)
    assert missing.status_code == 400
    assert "Skriv den 6-cifrede kode fra din app." in text(missing)
    assert not _pick_open(client)
    # a wrong code, or a wrong password: one message that does not say which
    for password, code in ((make.PASSWORD, _wrong_code(secret)),
                           ("guess", _totp(secret, 1)),
                           (make.PASSWORD, _totp(secret))):  # the login's code is spent
        wrong = _adult(client, password, code)
        assert wrong.status_code == 401, (password, code)
        html = text(wrong)
        assert "Adgangskoden eller koden er forkert." in html
        assert "Den adgangskode er ikke rigtig." not in html
        assert f'value="{code}"' not in html  # a typed code is not shown again
        assert not _pick_open(client)
        with client.session_transaction() as s:
            assert TABLET_KEY in s
            assert "pick_until" not in s[TABLET_KEY] or s[TABLET_KEY]["pick_until"] < time.time()

    right = _adult(client, make.PASSWORD, _totp(secret, 1))
    assert right.status_code == 303
    assert right.headers["Location"] == "/tablet/pick"
    assert "Noahmand" in text(client.get("/tablet/pick"))
    assert fresh(session).get(StaffUser, user.id).failed_logins == 0  # the success resets

    failures = _audit(session, Action.LOGIN_FAILED)
    assert [(e.actor_id, e.detail) for e in failures] == [
        (user.id, {"step": "tablet code", "reason": "wrong or used code"}),
        (user.id, {"step": "tablet password", "reason": "wrong password"}),
        (user.id, {"step": "tablet code", "reason": "wrong or used code"}),
    ]
    [granted] = _audit(session, Action.TABLET_ADULT)
    assert granted.actor_id == user.id
    assert granted.programme_id == programme.id
    assert granted.detail == {"action": "pick", "second_factor": "totp"}


def test_a_code_works_once_at_the_tablet(client, make, programme, session) -> None:
    _user, secret = _start_two_step(client, make, programme, session)
    code = _totp(secret, 1)
    spaced = f"{code[:3]} {code[3:]}"  # typed as the app shows it: parsed like the login's
    assert _adult(client, make.PASSWORD, spaced).status_code == 303
    assert _pick_open(client)
    client.get("/tablet/")  # back to the lock screen: the list closes
    assert not _pick_open(client)
    # the child who watched types the same password and code again: refused
    for action in ("pick", "leave"):
        again = _adult(client, make.PASSWORD, code, action=action)
        assert again.status_code == 401
        assert "Adgangskoden eller koden er forkert." in text(again)
        assert not _pick_open(client)
    with client.session_transaction() as s:
        assert TABLET_KEY in s  # still a tablet: leaving needed a fresh code too


def test_leaving_tablet_mode_with_two_factor_login(client, make, programme, session) -> None:
    user, secret = _start_two_step(client, make, programme, session)
    left = _adult(client, make.PASSWORD, _totp(secret, 1), action="leave")
    assert left.status_code == 303
    assert left.headers["Location"] == "/login"
    with client.session_transaction() as s:
        assert TABLET_KEY not in s
    [entry] = _audit(session, Action.TABLET_ADULT)
    assert (entry.actor_id, entry.detail) == (user.id, {"action": "leave",
                                                       "second_factor": "totp"})


def test_wrong_codes_at_the_tablet_back_off(client, make, programme, session) -> None:
    user, secret = _start_two_step(client, make, programme, session)
    for _ in range(4):
        assert _adult(client, make.PASSWORD, _wrong_code(secret)).status_code == 401
    assert _adult(client, make.PASSWORD, _wrong_code(secret)).status_code == 429  # the 5th
    slowed = _adult(client, make.PASSWORD, _totp(secret, 1))  # right, but too late
    assert slowed.status_code == 429
    assert "For mange forkerte forsøg. Vent et par minutter, og prøv igen." in text(slowed)
    assert not _pick_open(client)
    assert fresh(session).get(StaffUser, user.id).locked_until is not None
    # the same back-off as the login's: the staff member's login waits too
    other = client.application.test_client()
    login = other.post("/login", data={"email": user.email, "password": make.PASSWORD,
                                       "csrf_token": csrf_token(other)})
    assert login.status_code == 429


def test_without_two_factor_login_the_password_is_enough(client, login_as, make, programme,
                                                         session) -> None:
    user = _start(client, login_as, programme)
    page = text(client.get("/tablet/adult"))
    assert 'name="code"' not in page
    assert "one-time-code" not in page
    assert "Den persons adgangskode skal bruges" in page
    wrong = _adult(client, "guess")
    assert wrong.status_code == 401
    assert "Den adgangskode er ikke rigtig." in text(wrong)
    assert _adult(client, make.PASSWORD).status_code == 303
    assert _pick_open(client)
    [failed] = _audit(session, Action.LOGIN_FAILED)
    assert (failed.actor_id, failed.detail) == (user.id, {"step": "tablet password",
                                                         "reason": "wrong password"})
    [granted] = _audit(session, Action.TABLET_ADULT)
    assert (granted.actor_id, granted.detail) == (user.id, {"action": "pick",
                                                           "second_factor": "none"})


def _require_two_factor(session, required: bool) -> None:
    fresh(session).merge(Setting(key=REQUIRE_TOTP, value={"required": required}))
    session.commit()


def test_required_two_factor_login_ends_a_password_only_tablet(client, login_as, make,
                                                               programme, session) -> None:
    # When it is required, staff without it cannot start tablet mode: login sends them to
    # the set-up first.
    _require_two_factor(session, True)
    newcomer = make.staff("coordinator", programmes=[programme])
    session.commit()
    login = client.post("/login", data={"email": newcomer.email, "password": make.PASSWORD,
                                        "csrf_token": csrf_token(client)})
    assert login.headers["Location"] == "/account/two-factor"
    refused = client.get(f"/tablet/start/{programme.id}")
    assert refused.headers["Location"] == "/account/two-factor"
    refused = post(client, f"/tablet/start/{programme.id}",
                   {"round": str(programme.rounds[0].id), "idle_minutes": "5"},
                   token_from="/account/two-factor")
    assert refused.headers["Location"] == "/account/two-factor"
    with client.session_transaction() as s:
        assert TABLET_KEY not in s
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/two-factor")})
    # A tablet started before the administrator made it required: the password no longer
    # opens the children's names; the right one ends tablet mode and asks for a login.
    _require_two_factor(session, False)
    make.child(programme, first_name="Noahmand")
    user = _start(client, login_as, programme)
    _require_two_factor(session, True)
    assert _adult(client, "guess").status_code == 401
    with client.session_transaction() as s:
        assert TABLET_KEY in s  # a wrong password does not end it
    ended = _adult(client, make.PASSWORD)
    assert ended.status_code == 303
    assert ended.headers["Location"] == "/login"
    with client.session_transaction() as s:
        assert TABLET_KEY not in s
    assert client.get("/tablet/pick").status_code == 303
    login_page = text(client.get("/login"))
    assert ("Totrinslogin er nu obligatorisk. Log ind for at sætte det op, og start derefter "
            "tablet-tilstand igen.") in login_page
    assert "Noahmand" not in login_page
    [entry] = _audit(session, Action.TABLET_ADULT)
    assert (entry.actor_id, entry.detail) == (user.id, {
        "action": "pick", "second_factor": "none", "sent_to_set_up": True})


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
