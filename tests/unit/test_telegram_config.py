"""Bot settings: webhook mode needs its secret, and the secret must be one Telegram accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import load_settings
from core.errors import ConfigError

PUBLIC = {"PEYK_PUBLIC_URL": "https://crm.example.ir"}


def settings(tmp_path: Path, **env: str):
    return load_settings({"PEYK_DATA_DIR": str(tmp_path), **env})


@pytest.mark.parametrize("token", ["PEYK_TELEGRAM_TOKEN", "PEYK_BALE_TOKEN"])
def test_webhook_mode_without_a_secret_names_the_missing_variable(tmp_path: Path, token: str) -> None:
    with pytest.raises(ConfigError, match=r"^PEYK_TELEGRAM_WEBHOOK_SECRET: required in webhook mode"):
        settings(tmp_path, **PUBLIC, **{token: "123:abc"})


def test_webhook_mode_with_a_secret_loads(tmp_path: Path) -> None:
    s = settings(tmp_path, **PUBLIC, PEYK_TELEGRAM_TOKEN="123:abc", PEYK_TELEGRAM_WEBHOOK_SECRET="s3cret_-X")
    assert (s.public_url, s.telegram_webhook_secret) == ("https://crm.example.ir", "s3cret_-X")


def test_polling_mode_needs_no_secret(tmp_path: Path) -> None:
    assert settings(tmp_path, PEYK_TELEGRAM_TOKEN="123:abc").telegram_webhook_secret is None


def test_a_public_url_without_bots_needs_no_secret(tmp_path: Path) -> None:
    assert settings(tmp_path, **PUBLIC).public_url == "https://crm.example.ir"


@pytest.mark.parametrize("secret", ["has space", "نامعتبر", "a" * 257, "semi;colon"])
def test_a_secret_telegram_would_refuse_is_a_config_error(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ConfigError, match=r"^PEYK_TELEGRAM_WEBHOOK_SECRET: use 1-256 characters"):
        settings(tmp_path, PEYK_TELEGRAM_WEBHOOK_SECRET=secret)
