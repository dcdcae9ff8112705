"""Talk to a person: the conversation goes to the shared inbox as open, and the bot stays quiet there.

The engine answers only conversations in `bot` status, so nothing more is sent until staff resolve
the conversation (a later message reopens it with the bot) or hand it back to the bot.
"""

from __future__ import annotations

from core.actions.conversations import set_status
from core.models import ConversationStatus
from handlers import copy
from handlers.flow import Ctx


async def hand_over(ctx: Ctx) -> str:
    """Open the conversation for the team; returns what the customer is told."""
    await set_status(ctx.conversation_id, ConversationStatus.OPEN, by=None)
    return copy.HANDOVER
