"""Two-factor login for staff: set-up, the login's second step, single-use codes, back-off,
turning it off, the administrator's setting that makes it required, the reset — and an
audit entry for every login, failed login and logout."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from kidsvoice import totp
from kidsvoice.audit import Action, verify_session
from kidsvoice.models import AuditEntry, Setting, StaffUser, utcnow
from kidsvoice.operations.twofactor import REQUIRE_TOTP
from tests.conftest import csrf_token


def code_for(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, totp.step_at(time.time()) + offset)


def _login(client, email: str, password: str, next_: str | None = None):
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password,
                                  "csrf_token": csrf_token(client)})


def _code(client, code: str):
    return client.post("/login/code", data={"code": code,
                                            "csrf_token": csrf_token(client, "/login/code")})


def _reload(session, user: StaffUser) -> StaffUser:
    session.rollback()
    session.expire_all()
    return session.get(StaffUser, user.id)


@pytest.fixture
def with_2fa(make, session):
    """A coordinator with two-factor login on; returns (user, secret)."""
    user = make.staff("coordinator")
    secret = totp.new_secret()
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    session.commit()
    return user, secret


def _entries(session, action: str | None = None) -> list[AuditEntry]:
    session.rollback()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query))


# ---- set-up --------------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_the_key_and_a_code_turns_it_on(client, login_as,
                                                                    session) -> None:
    user = login_as("facilitator")
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    assert "Opsæt totrinslogin" in page.get_data(as_text=True)
    started = client.post("/account/two-factor/start",
                          data={"csrf_token": csrf_token(client, "/account/two-factor")})
    assert started.status_code == 303
    html = client.get("/account/two-factor").get_data(as_text=True)
    secret = _reload(session, user).totp_secret
    assert secret
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert "<svg" in html
    assert 'role="img"' in html
    assert totp.grouped(secret) in html  # and the key as text
    assert _reload(session, user).totp_enabled_at is None  # offered, not on yet
    # a reload shows the same key: nobody has to scan twice
    assert totp.grouped(secret) in client.get("/account/two-factor").get_data(as_text=True)

    wrong = client.post("/account/two-factor", data={
        "code": "000000" if code_for(secret) != "000000" else "111111",
        "csrf_token": csrf_token(client, "/account/two-factor")})
    assert wrong.status_code == 400
    assert "Den kode er forkert" in wrong.get_data(as_text=True)
    assert 'aria-invalid="true"' in wrong.get_data(as_text=True)
    assert _reload(session, user).totp_enabled_at is None

    right = client.post("/account/two-factor", data={
        "code": code_for(secret), "csrf_token": csrf_token(client, "/account/two-factor")})
    assert right.status_code == 303
    stored = _reload(session, user)
    assert stored.totp_enabled_at is not None
    assert stored.totp_last_step is not None
    assert [e.actor_id for e in _entries(session, Action.TOTP_ENABLED)] == [user.id]
    assert "Totrinslogin er slået til" in client.get("/account/two-factor").get_data(as_text=True)


def test_a_new_key_replaces_the_offered_one(client, login_as, session) -> None:
    user = login_as("coordinator")
    token = csrf_token(client, "/account/two-factor")
    client.post("/account/two-factor/start", data={"csrf_token": token})
    first = _reload(session, user).totp_secret
    client.post("/account/two-factor/start", data={"csrf_token": token})
    assert _reload(session, user).totp_secret == first  # a second click keeps it
    client.post("/account/two-factor/start", data={"csrf_token": token, "again": "1"})
    assert _reload(session, user).totp_secret not in (None, first)


# ---- the login's second step ----------------------------------------------------------


def test_the_password_alone_logs_nobody_in(client, make, with_2fa) -> None:
    user, secret = with_2fa
    response = _login(client, user.email, make.PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # not logged in
    with client.session_transaction() as s:
        assert "_user_id" not in s
    page = client.get("/login/code")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    done = _code(client, code_for(secret))
    assert done.status_code == 302
    assert done.headers["Location"] == "/"
    assert user.name in client.get("/").get_data(as_text=True)


def test_a_code_works_once(app, client, make, with_2fa) -> None:
    user, secret = with_2fa
    code = code_for(secret)
    _login(client, user.email, make.PASSWORD)
    assert _code(client, code).status_code == 302
    other = app.test_client()  # someone who saw the code over a shoulder
    _login(other, user.email, make.PASSWORD)
    replay = _code(other, code)
    assert replay.status_code == 401
    assert "Den kode er forkert" in replay.get_data(as_text=True)
    assert other.get("/").status_code == 302
    assert _code(other, code_for(secret, +1)).status_code == 302  # the next code works


def test_wrong_codes_count_in_the_account_back_off(client, make, session, with_2fa) -> None:
    user, secret = with_2fa
    _login(client, user.email, make.PASSWORD)
    for _ in range(5):
        assert _code(client, "000000" if code_for(secret) != "000000" else "111111"
                     ).status_code in (401, 429)
    blocked = _code(client, code_for(secret))
    assert blocked.status_code == 429
    assert "For mange forkerte forsøg" in blocked.get_data(as_text=True)
    stored = _reload(session, user)
    assert stored.failed_logins == 5
    assert stored.locked_until is not None


def test_the_right_password_does_not_buy_fresh_code_guesses(client, make, session,
                                                           with_2fa) -> None:
    user, secret = with_2fa
    wrong = "000000" if code_for(secret) != "000000" else "111111"
    for _ in range(4):
        _login(client, user.email, make.PASSWORD)  # the password again ...
        _code(client, wrong)  # ... and one more guess
    assert _reload(session, user).failed_logins == 4  # the counter was never reset
    _login(client, user.email, make.PASSWORD)
    assert _code(client, code_for(secret)).status_code == 302
    assert _reload(session, user).failed_logins == 0


def test_code_failures_share_the_address_limit_with_passwords(app, client, make,
                                                            with_2fa) -> None:
    user, secret = with_2fa
    app.config["KIDSVOICE_LOGIN_FAILURE_LIMIT"] = "3/minute"
    wrong = "000000" if code_for(secret) != "000000" else "111111"
    assert _login(client, user.email, "wrong password!").status_code == 401
    assert _login(client, user.email, make.PASSWORD).status_code == 303  # not counted
    assert _code(client, wrong).status_code == 401
    assert _code(client, wrong).status_code == 401
    response = _code(client, code_for(secret))
    assert response.status_code == 429  # three failures from this address: wait
    assert client.get("/").status_code == 302


def test_the_code_step_expires(client, make, with_2fa, monkeypatch) -> None:
    user, secret = with_2fa
    _login(client, user.email, make.PASSWORD)
    token = csrf_token(client, "/login/code")
    real = time.time
    monkeypatch.setattr("kidsvoice.staff.auth.time.time", lambda: real() + 301)
    response = client.post("/login/code", data={"code": code_for(secret), "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_the_code_step_without_a_password_goes_to_login(client) -> None:
    response = client.get("/login/code")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as s:  # a forged pending login without a time
        s["login_pending"] = {"user_id": 1}
    assert client.get("/login/code").status_code == 303


def test_next_is_kept_through_the_code_step_and_stays_on_this_site(app, make,
                                                                   with_2fa) -> None:
    user, secret = with_2fa
    client = app.test_client()
    _login(client, user.email, make.PASSWORD, next_="/programmes/")
    assert _code(client, code_for(secret)).headers["Location"] == "/programmes/"
    evil = app.test_client()
    _login(evil, user.email, make.PASSWORD, next_="//evil.example/")
    assert _code(evil, code_for(secret, +1)).headers["Location"] == "/"


def test_the_session_is_fresh_at_each_step(client, make, with_2fa) -> None:
    user, secret = with_2fa
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
        s["locale"] = "en"
    _login(client, user.email, make.PASSWORD)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["locale"] == "en"
        s["planted"] = "again"
    _code(client, code_for(secret))
    with client.session_transaction() as s:
        assert "planted" not in s
        assert "login_pending" not in s
        assert s["_user_id"] == str(user.id)


# ---- turning it off --------------------------------------------------------------------


def test_turning_it_off_takes_the_password_and_a_code(client, make, session, with_2fa) -> None:
    user, secret = with_2fa
    _login(client, user.email, make.PASSWORD)
    _code(client, code_for(secret))
    token = csrf_token(client, "/account/two-factor")
    no_code = client.post("/account/two-factor/off",
                          data={"password": make.PASSWORD, "code": "", "csrf_token": token})
    assert no_code.status_code == 400
    wrong_password = client.post("/account/two-factor/off", data={
        "password": "not it at all", "code": code_for(secret, +1), "csrf_token": token})
    assert wrong_password.status_code == 401
    assert "Adgangskoden eller koden er forkert" in wrong_password.get_data(as_text=True)
    assert _reload(session, user).totp_enabled_at is not None
    done = client.post("/account/two-factor/off", data={
        "password": make.PASSWORD, "code": code_for(secret, +1), "csrf_token": token})
    assert done.status_code == 303
    stored = _reload(session, user)
    assert stored.totp_enabled_at is None
    assert stored.totp_secret is None
    assert stored.failed_logins == 0
    assert [e.actor_id for e in _entries(session, Action.TOTP_DISABLED)] == [user.id]


# ---- required by the administrator -----------------------------------------------------


def _require(session) -> None:
    session.merge(Setting(key=REQUIRE_TOTP, value={"required": True}))
    session.commit()


def test_when_required_staff_set_it_up_before_anything_else(client, make, session) -> None:
    programme = make.programme()
    user = make.staff("coordinator", programmes=[programme])
    _require(session)
    response = _login(client, user.email, make.PASSWORD, next_=f"/programmes/{programme.id}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/two-factor"
    secret = _reload(session, user).totp_secret
    assert secret  # offered at once: the page shows the QR code straight away
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert totp.grouped(secret) in page
    for url in ("/", f"/programmes/{programme.id}", "/children/", "/programmes/new"):
        blocked = client.get(url)
        assert blocked.status_code == 303, url
        assert blocked.headers["Location"] == "/account/two-factor", url
    htmx = client.get("/", headers={"HX-Request": "true"})
    assert htmx.headers.get("HX-Redirect") == "/account/two-factor"
    client.post("/account/two-factor", data={
        "code": code_for(secret), "csrf_token": csrf_token(client, "/account/two-factor")})
    assert client.get(f"/programmes/{programme.id}").status_code == 200
    # and logging out is always possible
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302


def test_admin_makes_it_required_and_optional_again(client, login_as, session) -> None:
    admin = login_as("admin")
    page = client.get("/admin/staff").get_data(as_text=True)
    assert "Kræv totrinslogin for alle medarbejdere" in page
    token = csrf_token(client, "/admin/staff")
    response = client.post("/admin/staff/two-factor", data={"required": "y", "csrf_token": token})
    assert response.status_code == 303
    session.rollback()
    assert session.get(Setting, REQUIRE_TOTP).value == {"required": True}
    # the admin is the first to be sent to the set-up page
    assert client.get("/admin/staff").headers["Location"] == "/account/two-factor"
    entries = _entries(session, Action.SETTING_CHANGED)
    assert [(e.actor_id, e.detail) for e in entries] == [
        (admin.id, {"setting": "require_totp", "value": True})]


def test_admin_resets_a_lost_phone(client, make, login_as, session, with_2fa) -> None:
    user, _secret = with_2fa
    admin = login_as("admin")
    assert "Nulstil" in client.get("/admin/staff").get_data(as_text=True)
    response = client.post(f"/admin/staff/{user.id}/two-factor/reset",
                           data={"csrf_token": csrf_token(client, "/admin/staff")})
    assert response.status_code == 303
    stored = _reload(session, user)
    assert stored.totp_secret is None
    assert stored.totp_enabled_at is None
    [entry] = _entries(session, Action.TOTP_RESET)
    assert entry.actor_id == admin.id
    assert entry.detail["staff_id"] == user.id
    assert client.post("/admin/staff/999999/two-factor/reset", data={
        "csrf_token": csrf_token(client, "/admin/staff")}).status_code == 404
    # the staff member logs in with the password alone again
    other = client.application.test_client()
    assert _login(other, user.email, make.PASSWORD).status_code == 302


def test_reset_from_the_command_line(app, make, session, with_2fa) -> None:
    user, _secret = with_2fa
    result = app.test_cli_runner().invoke(args=["staff", "reset-2fa", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert _reload(session, user).totp_enabled_at is None
    [entry] = _entries(session, Action.TOTP_RESET)
    assert entry.actor == "cli"
    unknown = app.test_cli_runner().invoke(args=["staff", "reset-2fa", "nobody@example.org"])
    assert unknown.exit_code != 0


# ---- the audit log of logins ------------------------------------------------------------


def test_every_login_failed_login_and_logout_is_audited(client, make, session,
                                                        with_2fa) -> None:
    plain = make.staff("evaluator")
    session.commit()
    user, secret = with_2fa
    typed_unknown = "someones.private.address@example.net"
    _login(client, typed_unknown, "a password typed here")
    _login(client, plain.email, "wrong password!")
    _login(client, plain.email, make.PASSWORD)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _login(client, user.email, make.PASSWORD)
    _code(client, "000000" if code_for(secret) != "000000" else "111111")
    _code(client, code_for(secret))

    entries = _entries(session)
    got = [(e.action, e.actor_id, e.actor, e.detail.get("reason")) for e in entries]
    assert got == [
        (Action.LOGIN_FAILED, None, "unknown account", "unknown account"),
        (Action.LOGIN_FAILED, plain.id, plain.email, "wrong password"),
        (Action.LOGIN, plain.id, plain.email, None),
        (Action.LOGOUT, plain.id, plain.email, None),
        (Action.LOGIN_FAILED, user.id, user.email, "wrong or used code"),
        (Action.LOGIN, user.id, user.email, None),
    ]
    assert entries[-1].detail["second_factor"] == "totp"
    everything = repr([(e.actor, e.detail) for e in entries])
    assert typed_unknown not in everything
    assert "a password typed here" not in everything
    assert make.PASSWORD not in everything
    assert secret not in everything
    assert verify_session(session) == []
