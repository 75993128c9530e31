"""Configuration, read once from environment variables into a frozen dataclass.

Every setting has a safe development default, so ``make run`` needs nothing; production
(``KIDSVOICE_ENV=production``) refuses to start without a real secret key.  The README's
"Configuration" table lists the same variables for a municipality's IT department.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: Used only in development and tests.  Production refuses it (see :meth:`Config.check`).
DEVELOPMENT_SECRET = "kidsvoice-development-secret-not-for-production"  # noqa: S105

INSTANCE_DIR = Path(os.environ.get("KIDSVOICE_INSTANCE_DIR", Path.cwd() / "instance"))


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says which variable to set."""


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.replace(",", " ").split() if part.strip())


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


@dataclass(frozen=True)
class Config:
    """All of KidsVoice's settings.  Build one with :meth:`from_env`; tests use ``replace``."""

    env: str = "development"
    #: Signing keys, oldest first; the newest signs, all verify (key rotation).
    secret_keys: tuple[str, ...] = (DEVELOPMENT_SECRET,)
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'kidsvoice.db'}"
    #: The address children and staff reach KidsVoice on; used in printed letters and e-mails.
    base_url: str = "http://127.0.0.1:5000"
    default_locale: str = "da"
    locales: tuple[str, ...] = ("da", "en")
    #: Days an invitation link stays valid unless the coordinator chooses otherwise.
    invitation_days: int = 30
    #: Minutes of inactivity after which a staff member must log in again.
    staff_idle_minutes: int = 30
    #: Failed logins on one account before it is slowed down (exponential back-off).
    login_failures_before_backoff: int = 5
    #: Largest request body accepted, in bytes (larger: 413).
    max_content_length: int = 256 * 1024
    #: Where rate-limit counters live: memory:// (one process) or redis://host:6379/0.
    ratelimit_storage_url: str = "memory://"
    #: Failed link openings (unknown, expired, revoked) per client address.
    link_failure_limit: str = "20/minute;200/hour"
    #: Failed staff logins per client address (the per-account back-off comes on top).
    login_failure_limit: str = "10/minute;100/hour"
    #: Number of reverse proxies in front whose X-Forwarded-For/-Proto to trust (0: none).
    proxy_count: int = 0
    #: Working days (Mon–Fri) within which every free-text answer must be read (safeguarding).
    read_within_working_days: int = 2
    mail_server: str | None = None
    mail_port: int = 25
    mail_sender: str = "kidsvoice@localhost"
    mail_use_tls: bool = False
    mail_use_ssl: bool = False
    mail_username: str | None = None
    mail_password: str | None = field(default=None, repr=False)
    testing: bool = False
    #: Create tables directly instead of running migrations (tests only).
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def secret_key(self) -> str:
        """The newest key: Flask signs its session cookie with it."""
        return self.secret_keys[-1]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        keys = _split(env.get("KIDSVOICE_SECRET_KEYS", ""))
        single = env.get("KIDSVOICE_SECRET_KEY", "").strip()
        if single and single not in keys:
            keys = (*keys, single)
        config = cls(
            env=env.get("KIDSVOICE_ENV", "development").strip() or "development",
            secret_keys=keys or (DEVELOPMENT_SECRET,),
            database_url=env.get("DATABASE_URL") or cls.database_url,
            base_url=(env.get("KIDSVOICE_BASE_URL") or cls.base_url).rstrip("/"),
            default_locale=env.get("KIDSVOICE_DEFAULT_LOCALE", "da"),
            invitation_days=_int(env, "KIDSVOICE_INVITATION_DAYS", cls.invitation_days),
            staff_idle_minutes=_int(env, "KIDSVOICE_STAFF_IDLE_MINUTES", cls.staff_idle_minutes),
            max_content_length=_int(env, "KIDSVOICE_MAX_CONTENT_LENGTH", cls.max_content_length),
            ratelimit_storage_url=env.get("KIDSVOICE_RATELIMIT_STORAGE_URL") or "memory://",
            link_failure_limit=env.get("KIDSVOICE_LINK_FAILURE_LIMIT") or cls.link_failure_limit,
            login_failure_limit=env.get("KIDSVOICE_LOGIN_FAILURE_LIMIT") or cls.login_failure_limit,
            proxy_count=_int(env, "KIDSVOICE_PROXY_COUNT", 0),
            read_within_working_days=_int(
                env, "KIDSVOICE_READ_WITHIN_WORKING_DAYS", cls.read_within_working_days
            ),
            mail_server=env.get("KIDSVOICE_MAIL_SERVER") or None,
            mail_port=_int(env, "KIDSVOICE_MAIL_PORT", cls.mail_port),
            mail_sender=env.get("KIDSVOICE_MAIL_SENDER", cls.mail_sender),
            mail_use_tls=_bool(env.get("KIDSVOICE_MAIL_USE_TLS"), False),
            mail_use_ssl=_bool(env.get("KIDSVOICE_MAIL_USE_SSL"), False),
            mail_username=env.get("KIDSVOICE_MAIL_USERNAME") or None,
            mail_password=env.get("KIDSVOICE_MAIL_PASSWORD") or None,
        )
        config.check()
        return config

    def check(self) -> None:
        """Refuse settings that would be unsafe in production."""
        if self.env not in {"development", "production", "testing"}:
            raise ConfigError("KIDSVOICE_ENV must be 'development' or 'production'")
        if not 0 <= self.read_within_working_days <= 30:
            raise ConfigError("KIDSVOICE_READ_WITHIN_WORKING_DAYS must be between 0 and 30")
        if self.default_locale not in self.locales:
            raise ConfigError(f"KIDSVOICE_DEFAULT_LOCALE must be one of {', '.join(self.locales)}")
        if self.production:
            weak = [k for k in self.secret_keys if k == DEVELOPMENT_SECRET or len(k) < 32]
            if weak:
                raise ConfigError(
                    "KIDSVOICE_SECRET_KEY must be set to a random value of at least 32 "
                    "characters in production, e.g. "
                    "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                )
            if not self.base_url.startswith("https://"):
                raise ConfigError("KIDSVOICE_BASE_URL must be an https:// address in production")

    def with_(self, **changes: Any) -> Config:
        return replace(self, **changes)


def random_secret() -> str:
    return secrets.token_urlsafe(48)
