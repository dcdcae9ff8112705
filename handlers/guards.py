"""Guards in front of every step: the SMS flood limit (SMS costs money) and input length limits.

A sender who floods gets one polite warning, then silence until `sms_silence` has passed; staff see
a label and a note on the conversation. Counting reads stored messages, so several processes agree.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from core.models import Channel, DialogState, Direction, Message
from handlers.config import BotConfig

# Control characters other than newline and tab never reach a flow.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))


class Flood(StrEnum):
    OK = "ok"
    MUTED = "muted"
    WARN = "warn"


async def flood(
    channel: Channel, conversation_id: int, state: DialogState, config: BotConfig, now: datetime
) -> tuple[Flood, int]:
    """Whether to answer this sender: ok, muted (stay silent), or warn (first message over the limit)."""
    if channel != Channel.SMS:
        return Flood.OK, 0
    if state.muted_until is not None and now < state.muted_until:
        return Flood.MUTED, 0
    since = now - config.sms_flood_window
    count = await Message.filter(conversation_id=conversation_id, direction=Direction.IN, created_at__gte=since).count()
    return (Flood.WARN if count > config.sms_flood_count else Flood.OK), count


def clean_input(text: str) -> str:
    """The text a step sees: no control characters, outer spaces trimmed."""
    return (text or "").translate(_CONTROL).strip()


def too_long(text: str, config: BotConfig) -> bool:
    """True when a message is longer than any answer the bot takes."""
    return len(text) > config.max_input
