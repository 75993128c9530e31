"""Staff login and logout: passwords, back-off, CSRF, redirects and the session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kidsvoice.models import StaffUser, utcnow
from tests.conftest import csrf_token


def _login(client, email: str, password: str, next_: str | None = None):
    token = csrf_token(client)
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def test_login_and_logout(client, make) -> None:
    user = make.staff("coordinator")
    make.session.commit()
    response = _login(client, user.email.upper(), make.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert user.name in page
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_translated_message(client, make) -> None:
    user = make.staff("coordinator")
    make.session.commit()
    response = _login(client, user.email, "not the password")
    assert response.status_code == 401
    assert "E-mail eller adgangskode er forkert" in response.get_data(as_text=True)
    unknown = _login(client, "nobody@example.org", "whatever-password")
    assert unknown.status_code == 401
    # the same message: no hint whether the address exists
    assert "E-mail eller adgangskode er forkert" in unknown.get_data(as_text=True)


def test_repeated_failures_slow_the_account_down(client, make, session) -> None:
    user = make.staff("coordinator")
    make.session.commit()
    for _ in range(5):
        _login(client, user.email, "wrong password!")
    response = _login(client, user.email, make.PASSWORD)  # right password, but must wait
    assert response.status_code == 429
    assert client.get("/").status_code == 302
    session.rollback()
    stored = session.scalar(select(StaffUser).where(StaffUser.id == user.id))
    assert stored.locked_until is not None
    # once the wait is over, the right password works and the counter resets
    stored.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    assert _login(client, user.email, make.PASSWORD).status_code == 302
    session.rollback()
    assert session.get(StaffUser, user.id).failed_logins == 0


def test_login_without_csrf_token_is_refused(client, make) -> None:
    user = make.staff("coordinator")
    make.session.commit()
    response = client.post("/login", data={"email": user.email, "password": make.PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_with_empty_fields_is_a_400_with_messages(client) -> None:
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html


def test_next_is_followed_only_on_this_site(client, make) -> None:
    user = make.staff("admin")
    make.session.commit()
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "http:evil"):
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        response = _login(client, user.email, make.PASSWORD, next_=evil)
        assert response.headers["Location"] == "/", evil
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = _login(client, user.email, make.PASSWORD, next_="/admin/staff")
    assert response.headers["Location"] == "/admin/staff"


def test_login_starts_a_fresh_session(client, make) -> None:
    user = make.staff("coordinator")
    make.session.commit()
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
        s["locale"] = "en"
    _login(client, user.email, make.PASSWORD)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["locale"] == "en"
        assert s["_user_id"] == str(user.id)


def test_anonymous_get_redirects_to_login_with_next(client) -> None:
    response = client.get("/admin/staff")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/staff")
