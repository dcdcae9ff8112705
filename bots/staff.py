"""Staff commands on the bot: `/link CODE` links a staff member's own Telegram/Bale chat for alarms.

`StaffCommands` wraps the dialog engine the door hands every stored message to: a staff command is
answered here and never reaches the customer flows (so there is one reply, not two); everything else
goes to the engine unchanged. The words staff read here are this surface's copy.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from core.actions.dialog import drop_pending
from core.actions.outbox import queue_bot_reply
from core.actions.staff_links import link_chat
from core.errors import ValidationError
from core.models import Channel, Conversation
from core.text import to_ascii_digits
from handlers.retry import Retry
from handlers.turn import Turn

log = logging.getLogger(__name__)

LINK = re.compile(r"^/link(?:@\w+)?(?:\s+(?P<code>\S+))?\s*$", re.IGNORECASE)
LINKABLE = (Channel.TELEGRAM, Channel.BALE)
CHANNEL_NAMES = {Channel.TELEGRAM: "تلگرام", Channel.BALE: "بله"}
LINKED = "حساب {channel} شما به کاربر «{name}» در پیک وصل شد. از این پس هشدارهای شما در همین گفتگو فرستاده می‌شود."
REFUSED = "این کد معتبر نیست یا زمان آن گذشته است. لطفاً در پنل پیک، صفحهٔ «هشدارهای من»، کد تازه‌ای بگیرید."
USAGE = "لطفاً کد را پس از دستور بفرستید؛ برای نمونه: /link ABCD2345"


class StaffCommands:
    """The dialog engine with the staff commands in front of it (same `take`, every other attribute passed on)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    async def take(self, turn: Turn) -> Retry | None:
        """Answer `/link CODE`; hand every other message to the engine (and its Retry, if any, back)."""
        match = LINK.match(to_ascii_digits(turn.text or "").strip())
        if match is None or Channel(turn.channel) not in LINKABLE:
            if self.engine is not None:
                return await self.engine.take(turn)
            return None
        try:
            # Claimed before linking: a code is used once, so a crash here loses the reply, never links twice.
            if turn.pending and not await drop_pending(turn.message_id):
                return None
            await queue_bot_reply(turn.conversation_id, await link(turn, match.group("code") or ""))
        except Exception:  # never crash the door; the staff member can send the code again
            log.exception("/link on conversation %s failed", turn.conversation_id)
        return None


async def link(turn: Turn, code: str) -> str:
    """Link the chat of the conversation to the code's user; the reply to send."""
    if not code:
        return USAGE
    conversation = await Conversation.get(id=turn.conversation_id)
    try:
        staff_link = await link_chat(turn.channel, conversation.thread_key, code)
    except ValidationError:  # LinkRefused, or a chat that cannot be linked
        return REFUSED
    user = await staff_link.user
    return LINKED.format(channel=CHANNEL_NAMES[Channel(turn.channel)], name=user.full_name or user.username)
