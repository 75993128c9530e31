"""KidsVoice: hearing children in social work.

``create_app`` wires configuration, extensions, blueprints, error pages and headers, and
nothing else; each of those lives in its own module.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Response, request

from .config import Config

__all__ = ["create_app"]


def create_app(config: Config | None = None) -> Flask:
    """The application factory (``flask --app kidsvoice``; gunicorn uses :mod:`kidsvoice.wsgi`)."""
    from . import access, assets, errors, i18n, security
    from .db import Database
    from .extensions import babel, compress, csrf, htmx, limiter, login_manager
    from .ids import IdConverter
    from .instruments import load_instruments
    from .logredact import install as redact_tokens_in_logs
    from .web import close_session

    config = config or Config.from_env()
    config.check()
    redact_tokens_in_logs()
    app = Flask(__name__)
    app.url_map.converters["int"] = IdConverter  # before any route: no id past a column's size
    app.config.from_mapping(_flask_settings(config))
    app.extensions["kidsvoice.config"] = config
    app.extensions["kidsvoice.db"] = Database(config.database_url)
    app.extensions["kidsvoice.questionnaires"] = load_instruments()

    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(i18n.TRANSLATIONS_DIR),
    )
    login_manager.init_app(app)
    # Access is checked before CSRF, so an anonymous POST is sent to the login page.
    app.before_request(i18n.remember_locale_choice)
    app.before_request(security.refuse_nul_bytes)
    app.before_request(access.enforce)
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    if config.testing:
        limiter.reset()  # counters live in the process: each test app starts from zero
    if config.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=config.proxy_count, x_proto=config.proxy_count
        )
    assets.init_app(app)

    from .admin import bp as admin_bp
    from .child import bp as child_bp
    from .meeting import bp as meeting_bp
    from .staff import bp as staff_bp

    app.register_blueprint(staff_bp)
    app.register_blueprint(child_bp)
    app.register_blueprint(admin_bp)

    from .coordinator import bp as coordinator_bp
    from .tablet import bp as tablet_bp

    app.register_blueprint(coordinator_bp)
    app.register_blueprint(tablet_bp)
    app.register_blueprint(meeting_bp)

    from .safeguarding_views import bp as safeguarding_bp
    from .safeguarding_views.rights import bp as rights_bp

    app.register_blueprint(safeguarding_bp)
    app.register_blueprint(rights_bp)

    from .evaluation import bp as evaluation_bp

    app.register_blueprint(evaluation_bp)

    from .health import bp as health_bp

    app.register_blueprint(health_bp)

    app.view_functions["static"] = access.public(app.view_functions["static"])
    app.teardown_appcontext(close_session)

    @app.after_request
    def _headers(response: Response) -> Response:
        return security.set_headers(app, response)

    errors.register(app)
    _template_globals(app)

    from .cli import register_commands

    register_commands(app)
    access.check_declarations(app)
    return app


def _flask_settings(config: Config) -> dict[str, Any]:
    production = config.production
    return {
        "SECRET_KEY": config.secret_key,
        "KIDSVOICE_SECRET_KEYS": list(config.secret_keys),
        "KIDSVOICE_PRODUCTION": production,
        "KIDSVOICE_LOCALES": list(config.locales),
        "KIDSVOICE_BASE_URL": config.base_url,
        "BABEL_DEFAULT_LOCALE": config.default_locale,
        "TESTING": config.testing,
        "MAX_CONTENT_LENGTH": config.max_content_length,
        "MAX_FORM_MEMORY_SIZE": config.max_content_length,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=config.staff_idle_minutes),
        "SESSION_COOKIE_NAME": "__Host-kidsvoice" if production else "kidsvoice",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session, which expires when idle
        # Flask-WTF's HTTPS "strict" mode demands a same-site Referer on every POST; but every
        # page says Referrer-Policy: no-referrer, so browsers send none and every form would
        # fail.  The CSRF token (bound to the session) and SameSite cookies protect the forms.
        "WTF_CSRF_SSL_STRICT": False,
        # Compress static assets only: pages carry CSRF tokens and personal data, and
        # compressing secrets next to reflected input invites BREACH-style attacks.
        "COMPRESS_MIMETYPES": ["text/css", "text/javascript", "application/javascript",
                               "image/svg+xml"],
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["gzip"],
        "COMPRESS_MIN_SIZE": 256,
        "RATELIMIT_STORAGE_URI": config.ratelimit_storage_url,
        "RATELIMIT_KEY_PREFIX": "kidsvoice",
        "KIDSVOICE_LINK_FAILURE_LIMIT": config.link_failure_limit,
        "KIDSVOICE_LOGIN_FAILURE_LIMIT": config.login_failure_limit,
        **dict(config.extra),
    }


def _template_globals(app: Flask) -> None:
    from flask_babel import get_locale

    from .i18n import LANGUAGE_NAMES, qgettext, supported_locales, text_direction
    from .labels import ROLE_NAMES, ROUND_KIND_NAMES

    app.jinja_env.globals.update(
        qgettext=qgettext,
        language_names=LANGUAGE_NAMES,
        role_names=ROLE_NAMES,
        round_kind_names=ROUND_KIND_NAMES,
    )

    @app.context_processor
    def _globals() -> dict[str, Any]:
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "page_locale": locale,
            "page_dir": text_direction(locale),
            "locales": supported_locales(),
            # A token link's own pages (problem, thanks, 429) must not repeat the token in
            # their language links: those point at the child's start page instead.
            "current_path": "/c" if request.endpoint == "child.link" else request.path,
        }
