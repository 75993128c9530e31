from __future__ import annotations

import pytest

from kidsvoice.config import DEVELOPMENT_SECRET, Config, ConfigError


def test_development_defaults_need_nothing() -> None:
    config = Config.from_env({})
    assert config.env == "development"
    assert config.secret_keys == (DEVELOPMENT_SECRET,)
    assert config.database_url.startswith("sqlite:///")
    assert config.default_locale == "da"


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ConfigError, match="KIDSVOICE_SECRET_KEY"):
        Config.from_env({"KIDSVOICE_ENV": "production", "KIDSVOICE_BASE_URL": "https://kv.example"})


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ConfigError, match="KIDSVOICE_SECRET_KEY"):
        Config.from_env({"KIDSVOICE_ENV": "production", "KIDSVOICE_SECRET_KEY": "short",
                         "KIDSVOICE_BASE_URL": "https://kv.example"})


def test_production_requires_https_base_url() -> None:
    with pytest.raises(ConfigError, match="https"):
        Config.from_env({"KIDSVOICE_ENV": "production", "KIDSVOICE_SECRET_KEY": "x" * 40})


def test_production_with_a_real_secret_starts() -> None:
    config = Config.from_env({
        "KIDSVOICE_ENV": "production",
        "KIDSVOICE_SECRET_KEY": "n" * 40,
        "KIDSVOICE_BASE_URL": "https://kv.example/",
        "DATABASE_URL": "postgresql+psycopg://kv@db/kv",
    })
    assert config.production
    assert config.base_url == "https://kv.example"
    assert config.database_url == "postgresql+psycopg://kv@db/kv"


def test_key_rotation_list_is_oldest_first_and_newest_signs() -> None:
    config = Config.from_env({"KIDSVOICE_SECRET_KEYS": "old-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
                                                       "new-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"})
    assert config.secret_keys[0].startswith("old")
    assert config.secret_key.startswith("new")


def test_bad_numbers_are_named() -> None:
    with pytest.raises(ConfigError, match="KIDSVOICE_INVITATION_DAYS"):
        Config.from_env({"KIDSVOICE_INVITATION_DAYS": "thirty"})


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ConfigError):
        Config.from_env({"KIDSVOICE_ENV": "staging"})


def test_create_app_in_production_without_secret_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    from kidsvoice import create_app

    monkeypatch.setenv("KIDSVOICE_ENV", "production")
    monkeypatch.delenv("KIDSVOICE_SECRET_KEY", raising=False)
    monkeypatch.delenv("KIDSVOICE_SECRET_KEYS", raising=False)
    with pytest.raises(ConfigError):
        create_app()
