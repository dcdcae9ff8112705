"""Telegram/Bale flood control: pace sends per chat and per bot, and pause the bot after a 429.

Telegram allows about one message per second in a chat (short bursts are tolerated) and about 30
per second for a bot overall; past that it answers 429 with `retry_after`, and further sends during
that window only extend it. So the sender waits for a token before each send and, once told to
retry after N seconds, refuses new sends until then without calling the API.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

PER_CHAT_RATE = 1.0  # messages per second, sustained
PER_CHAT_BURST = 3
MAX_TRACKED_CHATS = 10_000


class TokenBucket:
    """`rate` tokens a second up to `burst`; `delay()` takes one and says how long to wait for it."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def delay(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class FloodGate:
    """Pacing for one bot: a global bucket (`max_rate` per second, 0 = unpaced) and one per chat."""

    def __init__(self, max_rate: float = 30.0) -> None:
        self.bot = TokenBucket(max_rate, max(1.0, max_rate)) if max_rate > 0 else None
        self.chats: OrderedDict[str, TokenBucket] = OrderedDict()
        self.paused_until = 0.0

    def cool_down(self, seconds: float) -> None:
        """Telegram said 429 retry_after=seconds: no sends on this bot until then."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    def paused_for(self) -> float:
        """Seconds left of a 429 pause (0 when sending is allowed)."""
        return max(0.0, self.paused_until - time.monotonic())

    def _chat(self, chat_id: str) -> TokenBucket:
        bucket = self.chats.pop(chat_id, None) or TokenBucket(PER_CHAT_RATE, PER_CHAT_BURST)
        self.chats[chat_id] = bucket
        while len(self.chats) > MAX_TRACKED_CHATS:
            self.chats.popitem(last=False)
        return bucket

    async def wait_turn(self, chat_id: str) -> None:
        """Sleep until this chat and this bot may send one more message."""
        wait = self._chat(chat_id).delay()
        if self.bot is not None:
            wait = max(wait, self.bot.delay())
        if wait > 0:
            await asyncio.sleep(wait)
