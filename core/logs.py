"""Logging set-up that never prints a secret (tokens, API keys, passwords in URLs)."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from core.config import Settings

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*://[^:/@\s]+:)[^@\s]+@", re.I)


def secrets_of(settings: Settings) -> list[str]:
    """Every configured secret value, longest first."""
    values = [
        settings.secret_key,
        settings.telegram_token,
        settings.telegram_webhook_secret,
        settings.bale_token,
        settings.kavenegar_api_key,
        settings.kavenegar_callback_secret,
        settings.cti_token,
    ]
    for url in (settings.smtp_url, settings.imap_url, settings.database_url):
        if url and (password := urlsplit(url).password):
            values.append(password)
    return sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True)


def mask(text: str, secrets: list[str]) -> str:
    """Replace every secret and every password inside a URL with `***`."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return _URL_PASSWORD.sub(r"\g<scheme>***@", text)


class SecretFilter(logging.Filter):
    """Masks secrets in every record's final message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info), self.secrets)
        return True


def setup_logging(settings: Settings, level: int = logging.INFO) -> None:
    """Log to stderr with secrets masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter(secrets_of(settings)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
