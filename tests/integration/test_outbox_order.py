"""Replies to one chat arrive in the order they were queued, one at a time, across retries and dispatchers.

The Bot API is the loopback fake over real HTTP; the first send to a chat is slow and then fails
once (429 or 5xx), which is when a later reply used to overtake it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import connections

from channels.dispatcher import Dispatcher
from channels.telegram_sender import TelegramSender
from core.actions.bulk_outbox import queue_bulk
from core.actions.dispatch import RetryPolicy, claim_due, retry_later
from core.actions.inbox import ingest_message
from core.actions.outbox import queue_bot_reply, queue_notification
from core.inbound import InboundMessage
from core.models import Channel, IdentityKind, OutboundMessage, OutboxStatus
from tests.support.chat_watch import ChatWatchingBotApi
from tests.support.fake_kavenegar import eventually

TOKEN = "7012345678:AAH-order-token"
FAST = RetryPolicy(base_s=0.05, cap_s=0.2, max_attempts=20)


@pytest.fixture
async def bot_api() -> AsyncIterator[ChatWatchingBotApi]:
    api = await ChatWatchingBotApi(TOKEN, slow_first=0.3).start()
    yield api
    await api.stop()


@pytest.fixture
async def dispatchers(db: str, bot_api: ChatWatchingBotApi) -> AsyncIterator[Callable[[], Awaitable[Dispatcher]]]:
    """Start Telegram dispatchers (each with its own sender and connections) against the fake."""
    started: list[tuple[Dispatcher, TelegramSender]] = []

    async def start() -> Dispatcher:
        sender = TelegramSender(Channel.TELEGRAM, TOKEN, bot_api.api_url, max_rate=0)
        dispatcher = Dispatcher({Channel.TELEGRAM: sender}, concurrency=16, poll_interval=0.05, retry=FAST)
        await dispatcher.start()
        started.append((dispatcher, sender))
        return dispatcher

    yield start
    for dispatcher, sender in started:
        await dispatcher.stop()
        await sender.close()


async def chat_conversation(chat_id: int, name: str = "مریم") -> int:
    """A Telegram conversation with one inbound message from `chat_id`."""
    stored = await ingest_message(
        InboundMessage(
            channel=Channel.TELEGRAM,
            external_id=f"{chat_id}:1",
            identity_kind=IdentityKind.TELEGRAM,
            identity_value=str(chat_id),
            text="سلام، سفارش من کجاست؟",
            sender_name=name,
            thread_key=str(chat_id),
        )
    )
    return stored.conversation.id


async def all_sent(count: int) -> bool:
    return await OutboundMessage.filter(status=OutboxStatus.SENT).count() == count


@pytest.mark.parametrize("failure", ["429", "500", "timeout"])
async def test_a_slow_failing_first_reply_is_delivered_before_the_reply_queued_after_it(
    bot_api: ChatWatchingBotApi, dispatchers: Callable[[], Awaitable[Dispatcher]], failure: str
) -> None:
    conversation = await chat_conversation(6_200_000_001)
    bot_api.fail(failure, method="sendMessage", retry_after=1)
    bot_api.hang_s = 0.3  # "timeout": the answer is a 504 after that long
    replies = ["پاسخ اول: سفارش شما ثبت شد.", "پاسخ دوم: فردا ارسال می‌شود.", "پاسخ سوم: کد رهگیری ۱۲۳۴۵"]
    for text in replies:
        await queue_bot_reply(conversation, text)
    await dispatchers()
    await eventually(lambda: all_sent(3))
    assert bot_api.delivered["6200000001"] == replies
    assert bot_api.most_in_flight["6200000001"] == 1  # never two sends to the chat at once
    first = bot_api.calls_to("sendMessage")[0]
    assert (first.failed, first.params["text"]) == (failure, replies[0])  # the first reply did fail once


async def test_two_dispatchers_deliver_every_chats_replies_in_order_one_at_a_time(
    bot_api: ChatWatchingBotApi, dispatchers: Callable[[], Awaitable[Dispatcher]]
) -> None:
    chats = [6_200_000_011, 6_200_000_012, 6_200_000_013]
    bot_api.fail("500", method="sendMessage", times=len(chats))  # the first send to each chat fails
    expected: dict[str, list[str]] = {}
    for chat in chats:
        conversation = await chat_conversation(chat)
        expected[str(chat)] = [f"پاسخ {n} به گفتگوی {chat}" for n in range(1, 9)]
        for text in expected[str(chat)]:
            await queue_bot_reply(conversation, text)
    await asyncio.gather(dispatchers(), dispatchers())  # two claimers on one queue (PostgreSQL: two connections)
    await eventually(lambda: all_sent(8 * len(chats)))
    assert dict(bot_api.delivered) == expected  # each chat in order, each reply once
    assert set(bot_api.most_in_flight[str(c)] for c in chats) == {1}


async def test_a_backed_off_row_holds_the_later_rows_of_its_recipient_but_not_of_others(db: str) -> None:
    first = await queue_notification(Channel.SMS, "09121234567", "کد ورود شما ۱۱۱۱")
    second = await queue_notification(Channel.SMS, "09121234567", "کد ورود شما ۲۲۲۲")
    other = await queue_notification(Channel.SMS, "09351112233", "نوبت شما فردا ساعت ۱۰ است.")
    assert first is not None and second is not None and other is not None
    assert [row.id for row in await claim_due(10)] == [first.id, other.id]  # the second waits for the first
    assert await claim_due(10) == []  # while the first is in flight
    await retry_later(first.id, "HTTP 502", delay_s=300)
    assert await claim_due(10) == []  # the first is backed off: the second still waits behind it
    later = datetime.now(UTC) + timedelta(minutes=6)
    assert [row.id for row in await claim_due(10, now=later)] == [first.id]


async def test_a_campaign_goes_out_across_recipients_at_once_while_a_repeated_recipient_waits(db: str) -> None:
    phones = [f"0912{n:07d}" for n in range(1_000_000, 1_000_006)]
    rows: list[Any] = [await queue_notification(Channel.SMS, p, "فروش ویژه پاییزه", kind="campaign") for p in phones]
    again = await queue_notification(Channel.SMS, phones[0], "یادآوری: فروش ویژه تا جمعه", kind="campaign")
    assert again is not None
    claimed = await claim_due(100, kinds=["campaign"])
    assert [row.id for row in claimed] == [row.id for row in rows]  # all six recipients, not the repeat
    await OutboundMessage.filter(id=rows[0].id).update(status=OutboxStatus.SENT)
    assert [row.id for row in await claim_due(100, kinds=["campaign"])] == [again.id]


async def test_a_campaign_is_claimed_in_full_batches_once_the_database_has_statistics(db: str) -> None:
    phones = [f"0912{n:07d}" for n in range(2_000_000, 2_000_300)]
    assert (await queue_bulk(Channel.SMS, phones, "فروش ویژه پاییزه", kind="campaign"))[0] == 300
    await connections.get("default").execute_script('ANALYZE "outbound_message"')  # as run.py does at start
    # With statistics the recipient check runs on its index; on SQLite an index with `id` as an explicit
    # column made every row look blocked and nothing was ever claimed.
    assert len(await claim_due(200, kinds=["campaign"])) == 200
