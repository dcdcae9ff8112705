"""Configuration: the contract's variables, defaults and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import load_settings
from core.errors import ConfigError
from core.logs import mask, secrets_of


def settings(tmp_path: Path, **env: str):
    return load_settings({"PEYK_DATA_DIR": str(tmp_path), **env})


def test_defaults_follow_the_contract(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert s.database_url == "sqlite://data/peyk.sqlite3"
    assert (s.http_host, s.http_port) == ("127.0.0.1", 8080)
    assert s.telegram_api_url == "https://api.telegram.org/bot"
    assert s.bale_api_url == "https://tapi.bale.ai/bot"
    assert s.kavenegar_api_url == "https://api.kavenegar.com/v1"
    assert (s.timezone, s.currency) == ("Asia/Tehran", "IRR")


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = settings(tmp_path).secret_key
    assert len(first) >= 32
    assert settings(tmp_path).secret_key == first


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PEYK_DATABASE_URL", "mysql://root@localhost/x"),
        ("PEYK_DATABASE_URL", "not a url"),
        ("PEYK_HTTP_PORT", "0"),
        ("PEYK_HTTP_PORT", "80a"),
        ("PEYK_CURRENCY", "USD"),
        ("PEYK_TIMEZONE", "Mars/Olympus"),
        ("PEYK_SMTP_INGRESS", "2525"),
        ("PEYK_SMTP_URL", "http://mail.example.ir"),
        ("PEYK_IMAP_URL", "imaps://"),
        ("PEYK_PUBLIC_URL", "example.ir"),
    ],
)
def test_a_wrong_value_names_its_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        settings(tmp_path, **{name: value})


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("PEYK_CURRENCY=IRT\nPEYK_HTTP_PORT=9000\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEYK_HTTP_PORT", "9100")
    monkeypatch.setenv("PEYK_DATA_DIR", str(tmp_path))
    s = load_settings()
    assert (s.currency, s.http_port) == ("IRT", 9100)


def test_secrets_are_masked_in_log_text(tmp_path: Path) -> None:
    s = settings(
        tmp_path,
        PEYK_TELEGRAM_TOKEN="123456:ABCDEF-secret",
        PEYK_KAVENEGAR_API_KEY="4F6B2F3A-kave",
        PEYK_SMTP_URL="smtp://support:hunter22@mail.example.ir:587",
    )
    line = "posting to https://api.telegram.org/bot123456:ABCDEF-secret/sendMessage key=4F6B2F3A-kave hunter22"
    masked = mask(line, secrets_of(s))
    assert "ABCDEF-secret" not in masked and "4F6B2F3A-kave" not in masked and "hunter22" not in masked
    assert "smtp://support:***@mail" in mask("smtp://support:other@mail", [])
    shown = repr(s)
    assert "ABCDEF-secret" not in shown and "4F6B2F3A-kave" not in shown and s.secret_key not in shown


def test_mail_limits_default_to_100_and_take_whole_numbers(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert (s.mail_max_attachments, s.smtp_max_recipients) == (100, 100)
    s = settings(tmp_path, PEYK_MAIL_MAX_ATTACHMENTS="5", PEYK_SMTP_MAX_RECIPIENTS="20")
    assert (s.mail_max_attachments, s.smtp_max_recipients) == (5, 20)


@pytest.mark.parametrize("name", ["PEYK_MAIL_MAX_ATTACHMENTS", "PEYK_SMTP_MAX_RECIPIENTS"])
@pytest.mark.parametrize("value", ["0", "-1", "ten", "1.5", "100001"])
def test_a_mail_limit_that_is_not_a_positive_whole_number_is_refused_by_name(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(ConfigError, match=name):
        settings(tmp_path, **{name: value})
