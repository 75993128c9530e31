from __future__ import annotations

import logging

from kidsvoice.logredact import RedactTokens, install, redact


def test_token_paths_are_redacted_in_strings_and_args() -> None:
    line = '127.0.0.1 - - "GET /i/WyJhYiJd.sig-_x HTTP/1.1" 303 -'
    assert redact(line) == '127.0.0.1 - - "GET /i/[redacted] HTTP/1.1" 303 -'
    assert redact({"r": "GET /i/abc?x=1 HTTP/1.1", "s": 200}) == {
        "r": "GET /i/[redacted]?x=1 HTTP/1.1", "s": 200}
    assert redact(("GET /c/q/H1",)) == ("GET /c/q/H1",)


def test_server_loggers_carry_the_filter(caplog) -> None:
    install()
    for name in ("werkzeug", "gunicorn.access"):
        assert any(isinstance(f, RedactTokens) for f in logging.getLogger(name).filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"%s" %s', "GET /i/secret-token HTTP/1.1", 303)
    assert "secret-token" not in caplog.text
    assert "/i/[redacted]" in caplog.text
