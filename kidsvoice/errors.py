"""Friendly, translated error pages; never a stack trace, never a 500 for bad input."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: (_l("Something in the request was wrong"), _l("Please go back and try again.")),
    403: (_l("You do not have access to this page"), _l("Ask an administrator if you need it.")),
    404: (_l("Page not found"), _l("Check the address, or go back to the start page.")),
    405: (_l("That did not work"), _l("Please go back and try again.")),
    410: (_l("This page is no longer here"), _l("Go back to the start page.")),
    413: (_l("That was too much to send at once"), _l("Please shorten it and try again.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes and try again.")),
    500: (_l("Something went wrong on our side"), _l("Please try again in a moment.")),
}


def render_error(
    code: int, title: str | None = None, message: str | None = None
) -> tuple[str, int]:
    default_title, default_message = MESSAGES.get(code, MESSAGES[400])
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title or default_title,
            message=message or default_message,
        ),
        code,
    )


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            str(_l("The form had expired")),
            str(
                _l("For your safety, forms expire. Please go back, reload the page and try again.")
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_error(code if code in MESSAGES else 400)

    @app.errorhandler(InternalServerError)
    def _internal(_error: InternalServerError) -> tuple[str, int]:
        return render_error(500)
