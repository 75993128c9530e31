"""The session cookie: Flask's signed cookie, with three changes.

1. **Never on a static file's response.**  The session is permanent and was signed afresh on
   every response, so a static file carried a ``Set-Cookie`` and ``Vary: Cookie``: a browser
   whose memory cache was gone (a tablet the next day) revalidated every file, since the
   cookie had changed, and a ``public`` response with someone's session cookie is nothing a
   shared cache should ever hold.
2. **Re-signed at most once a minute when unchanged** (:data:`REFRESH_AFTER_SECONDS`).  The
   idle timeout (``PERMANENT_SESSION_LIFETIME``, ``KIDSVOICE_STAFF_IDLE_MINUTES``) is the
   cookie's signed age, so an active session must be re-signed to stay alive; but re-signing
   it on each of a child's answers, seconds apart, cost about a tenth of the answer's server
   time (``bench/load.py``) and renewed nothing that mattered.  A session still ends after
   the idle minutes without a request, give or take that minute; a changed session is
   written at once, as before.
3. **One signing serializer per key set**, instead of one built for reading and another for
   writing the cookie on every request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: An unchanged session younger than this is not signed again.
REFRESH_AFTER_SECONDS = 60


class CookieSession(SecureCookieSession):
    #: The cookie this session came from was signed less than a minute ago.
    signed_recently = False


class SessionInterface(SecureCookieSessionInterface):
    session_class = CookieSession

    def __init__(self) -> None:
        self._serializers: dict[Any, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._serializers:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            self._serializers[key] = serializer
        return self._serializers[key]

    def open_session(self, app: Flask, request: Request) -> CookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        now = serializer.make_signer().get_timestamp()  # the clock the signature is read by
        # itsdangerous (>= 2.0, as pyproject.toml asks) gives the signing time in aware UTC.
        session.signed_recently = now - int(signed_at.timestamp()) < REFRESH_AFTER_SECONDS
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if getattr(session, "signed_recently", False):
            return False
        return super().should_set_cookie(app, session)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)
