"""Configuration from environment variables and a `.env` file (the contract of DESIGN.md)."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from core.errors import ConfigError
from core.owner_only import create_file, make_dirs

DB_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg", "psycopg")
CURRENCIES = ("IRR", "IRT")


@dataclass(frozen=True)
class Settings:
    """Every setting Peyk reads; built once by `load_settings`."""

    database_url: str = "sqlite://data/peyk.sqlite3"
    data_dir: Path = Path("data")
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    public_url: str | None = None
    secret_key: str = field(default="", repr=False)
    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    # Bot-wide pace of Telegram/Bale sends (messages a second); 0 turns it off (loopback fakes, benchmarks).
    telegram_max_rate: float = 30.0
    bale_token: str | None = field(default=None, repr=False)
    bale_api_url: str = "https://tapi.bale.ai/bot"
    kavenegar_api_key: str | None = field(default=None, repr=False)
    kavenegar_api_url: str = "https://api.kavenegar.com/v1"
    kavenegar_sender: str | None = None
    kavenegar_callback_secret: str | None = field(default=None, repr=False)
    smtp_ingress: tuple[str, int] | None = None
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str | None = None
    imap_url: str | None = field(default=None, repr=False)
    fax_gateways: tuple[str, ...] = ()
    cti_token: str | None = field(default=None, repr=False)
    mail_max_attachments: int = 100  # files kept per incoming mail; the rest are refused (the mail is kept)
    smtp_max_recipients: int = 100  # RCPT TO per SMTP message; 452 beyond
    timezone: str = "Asia/Tehran"
    currency: str = "IRR"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _read_env(env: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    path = env_file if env_file is not None else Path(".env")
    if env is None and path.is_file():
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(os.environ if env is None else env)
    return {k: v for k, v in values.items() if k.startswith("PEYK_") and v != ""}


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ConfigError(f"{name}: expected a URL starting with {' or '.join(s + '://' for s in schemes)}")
    if parts.scheme not in ("sqlite",) and not parts.netloc:
        raise ConfigError(f"{name}: the URL has no host")
    if parts.scheme == "sqlite" and not (parts.netloc or parts.path):
        raise ConfigError(f"{name}: the sqlite URL names no file")
    return value


def _check_port(name: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ConfigError(f"{name}: {value!r} is not a port number (1-65535)")
    return int(value)


def _check_rate(name: str, value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 <= rate <= 1000:
        raise ConfigError(f"{name}: {value!r} is not a rate in messages per second (0-1000, 0 = unpaced)")
    return rate


def _check_count(name: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 100_000:
        raise ConfigError(f"{name}: {value!r} is not a whole number from 1 to 100000")
    return int(value)


def _host_port(name: str, value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host:
        raise ConfigError(f"{name}: expected host:port, for example 127.0.0.1:2525")
    return host, _check_port(name, port)


def _check_webhook_secret(values: dict[str, str]) -> None:
    """Webhook mode (a public URL and a bot token) needs the secret Telegram echoes on every update."""
    secret = values.get("PEYK_TELEGRAM_WEBHOOK_SECRET")
    bots = "PEYK_TELEGRAM_TOKEN" in values or "PEYK_BALE_TOKEN" in values
    if secret is None and bots and "PEYK_PUBLIC_URL" in values:
        raise ConfigError(
            "PEYK_TELEGRAM_WEBHOOK_SECRET: required in webhook mode (PEYK_PUBLIC_URL and a bot token are set)"
        )
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("PEYK_TELEGRAM_WEBHOOK_SECRET: use 1-256 characters from A-Z, a-z, 0-9, _ and -")


def _secret_key(values: dict[str, str], data_dir: Path) -> str:
    if "PEYK_SECRET_KEY" in values:
        if len(values["PEYK_SECRET_KEY"]) < 16:
            raise ConfigError("PEYK_SECRET_KEY: use at least 16 characters")
        return values["PEYK_SECRET_KEY"]
    key_file = data_dir / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    make_dirs(data_dir)
    key = secrets.token_urlsafe(48)
    try:
        fd = create_file(key_file)  # 0600 from the first byte: never readable by others, not even briefly
    except FileExistsError:  # another process made it just now
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


def load_settings(env: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Read and validate settings; raise ConfigError naming the first wrong variable."""
    v = _read_env(env, env_file)
    data_dir = Path(v.get("PEYK_DATA_DIR", "data"))
    db_url = _check_url("PEYK_DATABASE_URL", v.get("PEYK_DATABASE_URL", Settings.database_url), DB_SCHEMES)
    currency = v.get("PEYK_CURRENCY", "IRR").upper()
    if currency not in CURRENCIES:
        raise ConfigError(f"PEYK_CURRENCY: {currency!r} is not IRR (Rial) or IRT (Toman)")
    tz = v.get("PEYK_TIMEZONE", "Asia/Tehran")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"PEYK_TIMEZONE: unknown time zone {tz!r}") from exc
    urls = {}
    for name, schemes in (
        ("PEYK_PUBLIC_URL", ("http", "https")),
        ("PEYK_TELEGRAM_API_URL", ("http", "https")),
        ("PEYK_BALE_API_URL", ("http", "https")),
        ("PEYK_KAVENEGAR_API_URL", ("http", "https")),
        ("PEYK_SMTP_URL", ("smtp", "smtps")),
        ("PEYK_IMAP_URL", ("imap", "imaps")),
    ):
        if name in v:
            checked = _check_url(name, v[name], schemes)
            urls[name] = checked.rstrip("/") if "API" in name else checked
    _check_webhook_secret(v)
    gateways = tuple(g.strip().lower() for g in v.get("PEYK_FAX_GATEWAYS", "").split(",") if g.strip())
    return Settings(
        database_url=db_url,
        data_dir=data_dir,
        http_host=v.get("PEYK_HTTP_HOST", "127.0.0.1"),
        http_port=_check_port("PEYK_HTTP_PORT", v.get("PEYK_HTTP_PORT", "8080")),
        public_url=urls.get("PEYK_PUBLIC_URL", "").rstrip("/") or None,
        secret_key=_secret_key(v, data_dir),
        telegram_token=v.get("PEYK_TELEGRAM_TOKEN"),
        telegram_api_url=urls.get("PEYK_TELEGRAM_API_URL", Settings.telegram_api_url),
        telegram_webhook_secret=v.get("PEYK_TELEGRAM_WEBHOOK_SECRET"),
        telegram_max_rate=_check_rate("PEYK_TELEGRAM_MAX_RATE", v.get("PEYK_TELEGRAM_MAX_RATE", "30")),
        bale_token=v.get("PEYK_BALE_TOKEN"),
        bale_api_url=urls.get("PEYK_BALE_API_URL", Settings.bale_api_url),
        kavenegar_api_key=v.get("PEYK_KAVENEGAR_API_KEY"),
        kavenegar_api_url=urls.get("PEYK_KAVENEGAR_API_URL", Settings.kavenegar_api_url),
        kavenegar_sender=v.get("PEYK_KAVENEGAR_SENDER"),
        kavenegar_callback_secret=v.get("PEYK_KAVENEGAR_CALLBACK_SECRET"),
        smtp_ingress=_host_port("PEYK_SMTP_INGRESS", v["PEYK_SMTP_INGRESS"]) if "PEYK_SMTP_INGRESS" in v else None,
        smtp_url=urls.get("PEYK_SMTP_URL"),
        mail_from=v.get("PEYK_MAIL_FROM"),
        imap_url=urls.get("PEYK_IMAP_URL"),
        fax_gateways=gateways,
        cti_token=v.get("PEYK_CTI_TOKEN"),
        mail_max_attachments=_check_count("PEYK_MAIL_MAX_ATTACHMENTS", v.get("PEYK_MAIL_MAX_ATTACHMENTS", "100")),
        smtp_max_recipients=_check_count("PEYK_SMTP_MAX_RECIPIENTS", v.get("PEYK_SMTP_MAX_RECIPIENTS", "100")),
        timezone=tz,
        currency=currency,
    )
