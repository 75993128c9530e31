"""HTTP response headers for every page, built from one policy (as Warehouse's ``csp.py``).

The Content-Security-Policy allows only KidsVoice's own scripts, styles and images: no inline
script or style, no eval.  htmx is configured to match by the ``htmx-config`` meta tag in
``base.html`` (no indicator styles, no eval, no script tags in swaps, no history cache).
"""

from __future__ import annotations

from flask import Flask, Response, abort, request
from werkzeug.datastructures import ImmutableMultiDict

CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_nul_bytes() -> None:
    """``before_request``: a NUL byte is never part of valid input.

    PostgreSQL refuses it in text, so without this an id in the address, a login field or a
    search holding ``%00`` would surface as a 500 there (and SQLite would silently cut the text
    short).  In the address and in a form it is refused (400); in the query string it becomes
    U+FFFD, which matches no name and fails every filter's own validation, so each page
    answers a bad filter in its own words.
    """
    if "\x00" in request.path:
        abort(400)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        request.args = ImmutableMultiDict(  # type: ignore[misc]
            [(k.replace("\x00", "\ufffd"), v.replace("\x00", "\ufffd"))
             for k, v in request.args.items(multi=True)]
        )
    if request.method not in {"GET", "HEAD", "OPTIONS"} and request.mimetype in _FORM_TYPES:
        if any("\x00" in key or "\x00" in value
               for key, value in request.form.items(multi=True)):
            abort(400)


def csp_header() -> str:
    return "; ".join(f"{directive} {value}" for directive, value in CSP.items())


def set_headers(app: Flask, response: Response) -> Response:
    """``after_request``: security headers on every response, no caching of pages."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", csp_header())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if app.config.get("KIDSVOICE_PRODUCTION"):
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint != "static":
        # Every page may show personal data or a child's answers: nothing is cached or
        # validated later (no ETag), on the server, a proxy or a shared tablet.
        headers["Cache-Control"] = "no-store"
        headers.pop("ETag", None)
        headers.pop("Last-Modified", None)
        headers.add("Vary", "HX-Request")
        headers.add("Vary", "Cookie")
    return response
