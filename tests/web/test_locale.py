"""Danish by default; the browser's language next; the person's own choice first."""

from __future__ import annotations


def _lang(html: str) -> str:
    import re

    match = re.search(r'<html lang="([^"]+)"', html)
    assert match
    return match.group(1)


def test_danish_is_the_default(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert _lang(html) == "da"
    assert "Log ind" in html


def test_accept_language_is_honoured(client) -> None:
    html = client.get(
        "/login", headers={"Accept-Language": "en-GB,en;q=0.9"}
    ).get_data(as_text=True)
    assert _lang(html) == "en"
    assert "Log in to KidsVoice" in html


def test_unsupported_language_falls_back_to_danish(client) -> None:
    html = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert _lang(html) == "da"


def test_choice_is_kept_in_the_session_and_beats_the_browser(client) -> None:
    client.get("/login?lang=en")
    html = client.get("/login", headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert _lang(html) == "en"
    client.get("/login?lang=da")
    assert _lang(client.get("/login").get_data(as_text=True)) == "da"


def test_unknown_choice_is_ignored(client) -> None:
    html = client.get("/login?lang=xx", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(html) == "en"


def test_error_pages_are_translated(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.get_data(as_text=True)
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "Page not found" in response.get_data(as_text=True)
