"""The fake Bot API that also watches each chat: sends in flight at once and the texts delivered, in order."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from aiohttp import web

from tests.support.fake_bot_api import FakeBotApi


class ChatWatchingBotApi(FakeBotApi):
    """FakeBotApi plus, per chat id, `most_in_flight` (the most calls open at once) and `delivered` texts.

    `slow_first` makes the first call to each chat wait that long before it is answered (with whatever
    failure `fail()` set up); `slow_each` delays every sendMessage, like a Bot API under load.
    """

    def __init__(self, token: str, *, slow_first: float = 0.0, slow_each: float = 0.0) -> None:
        super().__init__(token)
        self.slow_first = slow_first
        self.slow_each = slow_each
        self.in_flight: dict[str, int] = defaultdict(int)
        self.most_in_flight: dict[str, int] = defaultdict(int)
        self.delivered: dict[str, list[str]] = defaultdict(list)
        self._seen: set[str] = set()

    async def _method(self, request: web.Request) -> web.Response:
        body = await request.json() if request.content_type == "application/json" else {}
        chat = str(body.get("chat_id", ""))
        sending = request.match_info["method"].lower() == "sendmessage"
        self.in_flight[chat] += 1
        self.most_in_flight[chat] = max(self.most_in_flight[chat], self.in_flight[chat])
        try:
            delay = self.slow_each if sending else 0.0
            if self.slow_first and chat not in self._seen:
                self._seen.add(chat)
                delay += self.slow_first
            if delay:
                await asyncio.sleep(delay)
            response = await super()._method(request)
            if response.status == 200 and sending:
                self.delivered[chat].append(str(body["text"]))
            return response
        finally:
            self.in_flight[chat] -= 1
