"""The dialog engine's settings: what it takes from the service configuration, and the guard limits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from core.config import Settings

# Signs buttons when no PEYK_SECRET_KEY is set (tests): they then stop verifying after a restart.
_PROCESS_SECRET = secrets.token_hex(16)


@dataclass(frozen=True)
class BotConfig:
    """What the engine needs from the settings, plus the guard limits."""

    secret: str
    currency: str = "IRR"
    timezone: str = "Asia/Tehran"
    sms_enabled: bool = False
    max_input: int = 1000
    sms_flood_count: int = 12
    sms_flood_window: timedelta = timedelta(minutes=5)
    sms_silence: timedelta = timedelta(minutes=30)


def config_from(settings: Settings) -> BotConfig:
    """The engine's settings: the button-signing secret (its own domain of the service secret), money, time, SMS."""
    secret = settings.secret_key or _PROCESS_SECRET
    return BotConfig(
        secret=f"peyk-bot-buttons:{secret}",
        currency=settings.currency,
        timezone=settings.timezone,
        sms_enabled=bool(settings.kavenegar_api_key),
    )
