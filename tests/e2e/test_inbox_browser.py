"""The shared inbox in headless Chromium with Telegram through the webhook and the fake Bot API.

An agent signs in, sees a customer's Telegram message, replies (the reply reaches the fake Bot
API as sendMessage) and writes an internal note (which never does); a second message appears
on the open page without a reload.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Page

from channels.dispatcher import Dispatcher
from channels.telegram_sender import telegram_senders
from core.actions.dispatch import RetryPolicy
from core.actions.teams import create_team
from core.models import Message, MessageStatus, Role
from tests.support.bot_service import BotService, eventually, fakes, fixture, peyk
from tests.support.browser import screenshot, sign_in
from tests.support.seed import seed_user

__all__ = ["fakes", "peyk"]
CUSTOMER_CHAT = "5123456789"


@pytest.fixture
async def dispatcher(peyk: BotService) -> AsyncIterator[Dispatcher]:
    """The outbox dispatcher sending through the Telegram and Bale senders to the fakes."""
    senders = telegram_senders(peyk.settings)
    running = Dispatcher(senders, poll_interval=0.1, retry=RetryPolicy(base_s=0.2, cap_s=1.0, max_attempts=6))
    await running.start()
    yield running
    await running.stop()
    for sender in senders.values():
        await sender.close()


def _update(update_id: int, message_id: int, text: str) -> dict[str, Any]:
    """The customer's text message as Telegram posts it to the webhook."""
    update = copy.deepcopy(fixture("text"))
    update["update_id"] = update_id
    update["message"]["message_id"] = message_id
    update["message"]["text"] = text
    return update


def _texts(peyk: BotService) -> list[str]:
    return [str(c.params.get("text", "")) for c in peyk.telegram.sent("sendMessage")]


async def _now(value: object) -> object:
    return value


async def test_an_agent_answers_a_telegram_message_in_the_browser_and_sees_the_next_one_arrive_live(
    peyk: BotService, dispatcher: Dispatcher, page: Page
) -> None:
    team = await create_team("پشتیبانی")
    await seed_user("sara", "سارا احمدی", team=team, role=Role.AGENT)
    first = "سلام، کولر گازی که خریدم آب چکه می‌کند"
    assert (await peyk.update(_update(912400001, 201, first))).status == 200
    # The browser talks to the same address the webhook came in on (loopback, like an office LAN).
    await sign_in(page, peyk.url, "sara")
    await page.goto(peyk.url + "/admin/inbox")
    row = page.locator(".conversation-row", has_text="مریم احمدی")  # the excerpt may already be the bot's answer
    await row.wait_for()
    assert "تلگرام" in await row.inner_text()
    await row.locator("a.row-link").click()
    await page.wait_for_url("**/admin/conversations/*")
    await page.locator(".msg-in", has_text=first).wait_for()

    reply = "سلام، همکار فنی ما امروز با شما تماس می‌گیرد."
    await page.fill("#reply-text", reply)
    await page.get_by_role("button", name="ارسال برای مشتری").click()
    await page.locator(".flash", has_text="پاسخ در صف ارسال قرار گرفت").wait_for()
    await eventually(lambda: _now(reply in _texts(peyk)))
    sent = next(c for c in peyk.telegram.sent("sendMessage") if c.params.get("text") == reply)
    assert str(sent.params["chat_id"]) == CUSTOMER_CHAT

    note = "یادداشت داخلی: مشتری ویژه است، قبلاً هم گارانتی گرفته"
    await page.fill("#reply-text", note)
    await page.get_by_role("button", name="ثبت یادداشت داخلی").click()
    await page.locator(".msg-note", has_text="مشتری ویژه است").wait_for()
    await eventually(lambda: Message.filter(text=reply, status=MessageStatus.SENT).exists())
    await asyncio.sleep(0.5)  # the dispatcher polls every 0.1 s: a wrongly queued note would be out by now
    assert not [t for t in _texts(peyk) if "مشتری ویژه است" in t]
    assert (await Message.get(text=note)).internal

    await page.wait_for_function("document.documentElement.dataset.liveReady === '1'")
    await page.evaluate("window.__stayed = 'on this page'")
    second = "ممنون، من تا ساعت پنج خانه هستم"
    assert (await peyk.update(_update(912400002, 202, second))).status == 200
    await page.locator(".msg-in", has_text=second).wait_for()
    assert await page.evaluate("window.__stayed") == "on this page"  # it arrived without a reload
    await screenshot(page, "conversation")

    await page.goto(peyk.url + "/admin/inbox")
    await page.locator(".conversation-row", has_text="مریم احمدی").wait_for()
    await screenshot(page, "inbox")
