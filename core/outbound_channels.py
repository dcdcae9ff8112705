"""Which channels can send here: told by the dispatcher as it starts, asked whenever a message is queued.

A row on a channel that has no sender would wait «queued» forever (a reply on an email conversation
without PEYK_SMTP_URL; a fax notice, fax being inbound only). The outbox writes such rows failed
with `not_configured(channel)` instead, where staff see it on the message. The dispatcher
(channels.dispatcher.start_dispatcher) knows its senders and tells this module; until it has (no
dispatcher in this process: commands, in-process tests) every channel counts as configured.
"""

from __future__ import annotations

from collections.abc import Iterable

NOT_CONFIGURED = "کانال پیکربندی نشده"
# Staff-facing names of the channels (Persian copy).
CHANNEL_NAMES = {"telegram": "تلگرام", "bale": "بله", "sms": "پیامک", "email": "ایمیل", "fax": "فکس"}
_REASON = "{head}: ارسال {name} در این نصب راه‌اندازی نشده است و این پیام فرستاده نشد."

_configured: frozenset[str] | None = None


def configure(channels: Iterable[str] | None) -> None:
    """Set the channels this process can send on; None forgets them (every channel counts as configured)."""
    global _configured
    _configured = None if channels is None else frozenset(str(c) for c in channels)


def configured() -> frozenset[str] | None:
    """The channels that can send, or None when no dispatcher has said."""
    return _configured


def can_send(channel: str) -> bool:
    """Whether a message queued on `channel` will be sent by someone."""
    return _configured is None or str(channel) in _configured


def not_configured(channel: str) -> str:
    """The reason shown to staff on a message whose channel cannot send (starts with «کانال پیکربندی نشده»)."""
    name = CHANNEL_NAMES.get(str(channel), str(channel))
    return _REASON.format(head=NOT_CONFIGURED, name=name)
