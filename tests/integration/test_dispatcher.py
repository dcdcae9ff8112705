"""The outbox dispatcher and its core actions on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from channels.base import Delivery, HoldQueue, PermanentSendError, TransientSendError
from channels.dispatcher import Dispatcher
from channels.kavenegar import parse_inbound
from core.actions.dispatch import (
    RetryPolicy,
    claim_due,
    hold_channel,
    mark_failed,
    mark_sent,
    mark_sent_many,
    raise_alarm_once,
    release_channel,
    retry_later,
    set_delivery_status,
)
from core.actions.outbox import queue_notification, send_reply
from core.actions.sms import receive_sms
from core.models import Alarm, Channel, Message, MessageStatus, OutboundMessage, OutboxStatus, Role, Setting, User
from tests.support.fake_kavenegar import eventually
from tests.support.seed import seed_user

FAST = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=50)


class RecordingSender:
    """An in-memory email sender: records sends, can be gated, and plays scripted failures first."""

    channel = Channel.EMAIL

    def __init__(self, script: list[Exception] | None = None, gate: asyncio.Event | None = None) -> None:
        self.script = list(script or [])
        self.gate = gate
        self.sent: list[int] = []
        self.active = self.max_active = 0

    async def send(self, out: OutboundMessage) -> Delivery:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if self.script:
                raise self.script.pop(0)
            self.sent.append(out.id)
            return Delivery(provider_id=f"mail-{out.id}", parts=1)
        finally:
            self.active -= 1


async def queue(count: int, *, kind: str = "notification") -> list[int]:
    rows = [
        await queue_notification(Channel.EMAIL, f"customer{i}@example.ir", f"پیام {i}", kind=kind) for i in range(count)
    ]
    return [row.id for row in rows if row is not None]


async def statuses(ids: list[int]) -> list[str]:
    rows = await OutboundMessage.filter(id__in=ids).order_by("id")
    return [str(row.status) for row in rows]


@pytest.fixture
async def dispatchers(db: str) -> AsyncIterator[Callable[..., Any]]:
    """Start Dispatchers over the test database; all are stopped afterwards."""
    started: list[Dispatcher] = []

    async def start(sender: Any, **options: Any) -> Dispatcher:
        options.setdefault("poll_interval", 0.05)
        options.setdefault("retry", FAST)
        dispatcher = Dispatcher({sender.channel: sender}, **options)
        await dispatcher.start()
        started.append(dispatcher)
        return dispatcher

    yield start
    for dispatcher in started:
        await dispatcher.stop()


async def test_claim_due_takes_only_due_rows_and_counts_the_attempt(db: str) -> None:
    due = await queue(2)
    # Another recipient: a row of customer0's would wait for the earlier one still `sending`.
    later = (await queue_notification(Channel.EMAIL, "another@example.ir", "پیام بعدی")).id  # type: ignore[union-attr]
    await OutboundMessage.filter(id=later).update(next_attempt_at=datetime.now(UTC) + timedelta(minutes=5))
    claimed = await claim_due(10)
    assert [row.id for row in claimed] == due
    assert {(str(r.status), r.attempts) for r in claimed} == {("sending", 1)}
    assert all(row.claimed_at is not None for row in claimed)
    assert await claim_due(10) == []
    assert [r.id for r in await claim_due(10, now=datetime.now(UTC) + timedelta(minutes=6))] == [later]


async def test_concurrent_claims_never_take_the_same_row(db: str) -> None:
    ids = await queue(20)
    batches = await asyncio.gather(*(claim_due(5) for _ in range(6)))
    claimed = [row.id for batch in batches for row in batch]
    assert sorted(claimed) == ids  # every row once, none twice
    assert {row.attempts for batch in batches for row in batch} == {1}


async def test_a_held_channel_is_never_claimed_and_its_rows_wait_until_released(db: str) -> None:
    email = await queue(2)
    sms = await queue_notification(Channel.SMS, "09121234567", "کد شما ۱۲۳۴")
    assert sms is not None
    await hold_channel(Channel.EMAIL, "Kavenegar 418")
    assert await statuses(email) == ["held", "held"]
    assert [row.id for row in await claim_due(10)] == [sms.id]
    assert await Setting.exists(key="outbox.hold.email")
    assert await release_channel(Channel.EMAIL) == 2
    assert [row.id for row in await claim_due(10)] == email


async def test_a_transient_failure_backs_off_with_jitter_and_gives_up_after_the_last_attempt(db: str) -> None:
    policy = RetryPolicy(base_s=10, cap_s=40, max_attempts=3)
    [row_id] = await queue(1)
    delays = []
    for attempt in (1, 2):
        start = datetime.now(UTC)
        [row] = await claim_due(1, now=start + timedelta(hours=attempt))
        assert row.attempts == attempt
        assert await retry_later(row_id, "HTTP 500", policy=policy, now=start) == OutboxStatus.QUEUED
        row = await OutboundMessage.get(id=row_id)
        delays.append((row.next_attempt_at - start).total_seconds())
        assert row.error == "HTTP 500"
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20  # half fixed, half random, doubling
    await claim_due(1, now=datetime.now(UTC) + timedelta(hours=3))
    assert await retry_later(row_id, "HTTP 500", policy=policy) == OutboxStatus.FAILED
    row = await OutboundMessage.get(id=row_id)
    assert (row.status, row.error) == (OutboxStatus.FAILED, "HTTP 500 (gave up after 3 attempts)")
    assert all(policy.delay(n) <= 40 for n in range(1, 30))


async def test_a_providers_retry_after_is_honoured(db: str) -> None:
    [row_id] = await queue(1)
    await claim_due(1)
    now = datetime.now(UTC)
    await retry_later(row_id, "flood limit", 30, now=now)
    row = await OutboundMessage.get(id=row_id)
    assert row.next_attempt_at == now + timedelta(seconds=30)


async def test_send_results_and_delivery_reports_move_the_conversation_message_forward(db: str) -> None:
    inbound = await receive_sms(
        parse_inbound({"messageid": "700", "from": "09121234567", "to": "30004505", "message": "سلام"})
    )
    agent = await seed_user("sara", "سارا احمدی", role=Role.ADMIN)
    reply = await send_reply(inbound.conversation.id, "سلام، در خدمتیم.", by=agent)
    [row] = await claim_due(1)
    assert row.message_id == reply.id
    assert await mark_sent(row.id, Delivery(provider_id="8792343", parts=1))
    message = await Message.get(id=reply.id)
    assert (message.status, message.external_id) == (MessageStatus.SENT, "8792343")
    await set_delivery_status(Channel.SMS, "8792343", MessageStatus.DELIVERED)
    await set_delivery_status(Channel.SMS, "8792343", MessageStatus.SENT)  # a late report never goes back
    assert (await Message.get(id=reply.id)).status == MessageStatus.DELIVERED
    assert (await OutboundMessage.get(id=row.id)).status == OutboxStatus.DELIVERED
    assert not await mark_sent(row.id, Delivery(provider_id="8792343"))  # recorded once


async def test_sends_recorded_together_move_their_messages_like_one_by_one(db: str) -> None:
    """mark_sent_many (group commit) keeps mark_sent's rules: forward only, a provider id used once."""
    replies = []
    for n, phone in enumerate(("09121110001", "09121110002", "09121110003")):
        fields = {"messageid": str(710 + n), "from": phone, "to": "30004505", "message": "سلام"}
        inbound = await receive_sms(parse_inbound(fields))
        replies.append(await send_reply(inbound.conversation.id, f"پاسخ {n}", by=None))
    rows = await claim_due(3)
    by_message = {row.message_id: row.id for row in rows}
    first, second, third = (by_message[r.id] for r in replies)
    await Message.filter(id=replies[2].id).update(status=MessageStatus.DELIVERED)  # a report came first
    await Message.filter(id=replies[0].id).update(external_id=None)
    taken = await Message.get(channel=Channel.SMS, external_id="710")  # the inbound message holds "710"
    recorded = await mark_sent_many(
        {first: Delivery("9000001", parts=2), second: Delivery("710"), third: Delivery("9000003")}
    )
    assert recorded == 3
    one, two, three = [await Message.get(id=r.id) for r in replies]
    assert (one.status, one.external_id) == (MessageStatus.SENT, "9000001")
    assert (two.status, two.external_id) == (MessageStatus.SENT, None)  # "710" belongs to another message
    assert three.status == MessageStatus.DELIVERED  # never backwards
    assert taken.external_id == "710"
    outbox = {row.id: row for row in await OutboundMessage.filter(id__in=[first, second, third])}
    assert {row.status for row in outbox.values()} == {OutboxStatus.SENT}
    assert (outbox[first].provider_id, outbox[first].parts) == ("9000001", 2)
    assert await mark_sent_many({first: Delivery("9000001")}) == 0  # recorded once


async def test_an_undelivered_report_fails_the_sent_message_with_kavenegars_status(db: str) -> None:
    result = await receive_sms(
        parse_inbound({"messageid": "702", "from": "09121234567", "to": "30004505", "message": "سلام"})
    )
    reply = await send_reply(result.conversation.id, "پاسخ", by=None)
    [row] = await claim_due(1)
    await mark_sent(row.id, Delivery(provider_id="8792399"))
    await set_delivery_status(Channel.SMS, "8792399", MessageStatus.FAILED, reason="Kavenegar status 11: undelivered")
    message = await Message.get(id=reply.id)
    assert (message.status, message.error) == (MessageStatus.FAILED, "Kavenegar status 11: undelivered")
    assert (await OutboundMessage.get(id=row.id)).status == OutboxStatus.FAILED


async def test_a_permanent_failure_shows_its_reason_on_the_message(db: str) -> None:
    result = await receive_sms(
        parse_inbound({"messageid": "701", "from": "09121234567", "to": "30004505", "message": "سلام"})
    )
    reply = await send_reply(result.conversation.id, "پاسخ", by=None)
    [row] = await claim_due(1)
    assert await mark_failed(row.id, "Kavenegar send: 411 گیرنده نامعتبر است")
    message = await Message.get(id=reply.id)
    assert (message.status, message.error) == (MessageStatus.FAILED, "Kavenegar send: 411 گیرنده نامعتبر است")


async def test_an_alarm_is_raised_once_and_queued_to_every_admin_email_and_phone(db: str) -> None:
    admin = await seed_user("maryam", "مریم کاظمی", role=Role.ADMIN, phone="09351112233")
    await seed_user("reza", "رضا محمدی", role=Role.AGENT, phone="09350000000")
    await User.filter(id=admin.id).update(email="maryam@example.ir")
    alarm = await raise_alarm_once("channel_held:sms:1", "channel_held", "ارسال پیامک متوقف شد.", urgent=True)
    assert alarm is not None and alarm.urgent
    assert await raise_alarm_once("channel_held:sms:1", "channel_held", "ارسال پیامک متوقف شد.") is None
    assert await Alarm.filter(key="channel_held:sms:1").count() == 1
    rows = await OutboundMessage.filter(kind="alarm").order_by("channel")
    assert [(str(r.channel), r.recipient) for r in rows] == [("email", "maryam@example.ir"), ("sms", "+989351112233")]
    assert rows[0].payload["text"] == "ارسال پیامک متوقف شد."
    await raise_alarm_once("other", "channel_held", "متن", avoid_channels=("sms",))
    assert await OutboundMessage.filter(kind="alarm").count() == 3  # the second alarm skipped SMS


async def test_the_dispatcher_never_sends_more_at_once_than_the_channel_allows(dispatchers: Any) -> None:
    gate = asyncio.Event()
    sender = RecordingSender(gate=gate)
    ids = await queue(6)
    await dispatchers(sender, concurrency=2)
    await eventually(lambda: sender.active == 2)
    await asyncio.sleep(0.2)  # several polls later, still only two in flight
    assert sender.max_active == 2
    gate.set()
    await eventually(lambda: _all_sent(ids))
    assert sorted(sender.sent) == ids


async def _all_sent(ids: list[int]) -> bool:
    return await statuses(ids) == ["sent"] * len(ids)


async def test_a_newly_queued_message_wakes_the_dispatcher_without_waiting_for_a_poll(dispatchers: Any) -> None:
    sender = RecordingSender()
    await dispatchers(sender, poll_interval=3600)
    ids = await queue(1)
    await eventually(lambda: _all_sent(ids))
    assert sender.sent == ids


async def test_each_kind_of_send_error_ends_in_its_own_state(dispatchers: Any) -> None:
    sender = RecordingSender(
        script=[TransientSendError("HTTP 500"), PermanentSendError("invalid address"), TransientSendError("timeout")]
    )
    ids = await queue(3)
    await dispatchers(sender, concurrency=1)
    await eventually(lambda: len(sender.sent) == 2)
    rows = await OutboundMessage.filter(id__in=ids).order_by("id")
    assert [str(r.status) for r in rows] == ["sent", "failed", "sent"]
    assert rows[1].error == "invalid address"
    assert [r.attempts for r in rows] == [2, 1, 2]


async def test_hold_queue_parks_the_channel_raises_one_alarm_and_release_sends_everything(dispatchers: Any) -> None:
    sender = RecordingSender(script=[HoldQueue("no credit")] * 3)
    ids = await queue(4)
    await dispatchers(sender, concurrency=3)
    await eventually(lambda: Alarm.filter(kind="channel_held").count())
    await eventually(lambda: _statuses_are(ids, {"held"}))
    await asyncio.sleep(0.2)
    assert sender.sent == [] and await Alarm.all().count() == 1
    assert {r.attempts for r in await OutboundMessage.filter(id__in=ids)} == {0}  # a hold burns no attempt
    await release_channel(Channel.EMAIL)
    await eventually(lambda: _all_sent(ids))
    assert sorted(sender.sent) == ids
    assert (await Alarm.get(kind="channel_held")).acknowledged_at is not None


async def _statuses_are(ids: list[int], wanted: set[str]) -> bool:
    return set(await statuses(ids)) == wanted


async def test_rows_left_sending_by_a_crash_are_sent_again_on_start(dispatchers: Any) -> None:
    ids = await queue(2)
    await claim_due(10)  # the crashed process had claimed them
    sender = RecordingSender()
    await dispatchers(sender, stuck_after=timedelta(0))
    await eventually(lambda: _all_sent(ids))
    assert sorted(sender.sent) == ids


async def test_stop_lets_a_send_in_flight_finish(db: str) -> None:
    gate = asyncio.Event()
    sender = RecordingSender(gate=gate)
    ids = await queue(1)
    dispatcher = Dispatcher({Channel.EMAIL: sender}, poll_interval=0.05)
    await dispatcher.start()
    await eventually(lambda: sender.active == 1)
    stopping = asyncio.create_task(dispatcher.stop())
    await asyncio.sleep(0.1)
    assert not stopping.done()
    gate.set()
    await stopping
    assert await statuses(ids) == ["sent"]
