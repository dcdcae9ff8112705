"""The interface every channel offers: a pure `parse_inbound` and an async `send`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.inbound import InboundAttachment, InboundMessage
from core.models import Channel, OutboundMessage

__all__ = [
    "Delivery",
    "HoldQueue",
    "InboundAttachment",
    "InboundMessage",
    "InvalidInbound",
    "PermanentSendError",
    "Sender",
    "TransientSendError",
]


class InvalidInbound(ValueError):
    """Provider input that cannot be parsed; the message is the reason (sent back as HTTP 400)."""


@dataclass(frozen=True)
class Delivery:
    """A send the provider accepted: its id there and how many parts it was billed as."""

    provider_id: str | None = None
    parts: int = 1


class TransientSendError(Exception):
    """Try again later (timeouts, 5xx, Telegram 429 with retry_after seconds)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """Will never succeed (blocked bot, invalid number): mark failed with the reason."""


class HoldQueue(Exception):
    """The whole channel must wait (Kavenegar 418: no credit): hold, alarm admins, don't burn retries."""


class Sender(Protocol):
    """Sends one outbox row on one channel."""

    channel: Channel

    async def send(self, out: OutboundMessage) -> Delivery: ...


def parse_error(reason: str, **context: Any) -> InvalidInbound:
    """An InvalidInbound with context appended, for logs and 400 bodies."""
    extra = ", ".join(f"{k}={v!r}" for k, v in context.items())
    return InvalidInbound(f"{reason} ({extra})" if extra else reason)
