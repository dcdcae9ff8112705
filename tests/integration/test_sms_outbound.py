"""SMS out through the dispatcher to a fake Kavenegar over loopback HTTP: formats, outages, 418, opt-out, bulk."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from channels.dispatcher import Dispatcher
from channels.kavenegar import parse_inbound, sms_parts
from channels.kavenegar_client import KavenegarClient
from channels.sms import SmsSender
from core.actions.dispatch import RetryPolicy, claim_due, release_channel
from core.actions.outbox import queue_notification, send_reply
from core.actions.sms import receive_sms
from core.models import Alarm, Channel, Contact, Message, MessageStatus, OutboundMessage, Role, User
from tests.support.fake_kavenegar import FakeKavenegar, eventually
from tests.support.seed import seed_user

LINE = "30004505"
ALI = "09121234567"
FAST = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=200)


@dataclass
class Rig:
    """A fake Kavenegar, the real client and sender pointed at it, and dispatchers to start."""

    fake: FakeKavenegar
    client: KavenegarClient
    sender: SmsSender
    dispatchers: list[Dispatcher] = field(default_factory=list)

    async def dispatch(self, **options: Any) -> Dispatcher:
        options.setdefault("poll_interval", 0.05)
        options.setdefault("retry", FAST)
        dispatcher = Dispatcher({Channel.SMS: self.sender}, **options)
        await dispatcher.start()
        self.dispatchers.append(dispatcher)
        return dispatcher


@pytest.fixture
async def rig(db: str) -> AsyncIterator[Rig]:
    fake = FakeKavenegar()
    await fake.start()
    session = aiohttp.ClientSession()
    client = KavenegarClient(session, fake.api_key, base_url=fake.url, timeout=0.5)
    rig = Rig(fake, client, SmsSender(client, LINE))
    try:
        yield rig
    finally:
        for dispatcher in rig.dispatchers:
            await dispatcher.stop()
        await session.close()
        await fake.stop()


async def conversation_with(phone: str = ALI, text: str = "سلام، سفارش من کجاست؟", messageid: str = "56798432") -> int:
    result = await receive_sms(parse_inbound({"messageid": messageid, "from": phone, "to": LINE, "message": text}))
    return result.conversation.id


async def queue_sms(
    count: int, *, kind: str = "notification", text: str = "یادآوری: قسط شما فردا سررسید می‌شود."
) -> list[int]:
    ids = []
    for i in range(count):
        row = await queue_notification(Channel.SMS, f"0912{1000000 + i:07d}", text, kind=kind)
        assert row is not None
        ids.append(row.id)
    return ids


async def has_status(ids: list[int], status: str) -> bool:
    return {str(r.status) for r in await OutboundMessage.filter(id__in=ids)} == {status}


async def all_sent(ids: list[int]) -> bool:
    return await has_status(ids, "sent")


async def tried_twice(ids: list[int]) -> bool:
    return all(r.attempts >= 2 for r in await OutboundMessage.filter(id__in=ids))


async def test_a_staff_reply_reaches_kavenegar_as_sms_send_with_the_outbox_id_as_localid(rig: Rig) -> None:
    conversation_id = await conversation_with()
    agent = await seed_user("sara", "سارا احمدی", role=Role.ADMIN)
    text = "سلام، سفارش شما امروز ارسال می‌شود. با سپاس، پیک"
    reply = await send_reply(conversation_id, text, by=agent)
    await rig.dispatch()
    row = await OutboundMessage.get(message_id=reply.id)
    await eventually(lambda: all_sent([row.id]))
    [request] = rig.fake.calls("send")
    assert request.api_key == rig.fake.api_key
    assert request.fields == {"receptor": ALI, "message": text, "sender": LINE, "localid": str(row.id)}
    [sms] = rig.fake.sms
    row = await OutboundMessage.get(id=row.id)
    assert (row.provider_id, row.parts, row.attempts) == (str(sms["messageid"]), sms_parts(text), 1)
    message = await Message.get(id=reply.id)
    assert (message.status, message.external_id) == (MessageStatus.SENT, str(sms["messageid"]))


async def test_a_long_persian_reply_stores_its_ucs2_part_count(rig: Rig) -> None:
    conversation_id = await conversation_with()
    text = "مشتری گرامی، " + "پیش‌فاکتور شما آماده است. " * 8
    reply = await send_reply(conversation_id, text, by=None)
    await rig.dispatch()
    row = await OutboundMessage.get(message_id=reply.id)
    await eventually(lambda: all_sent([row.id]))
    assert (await OutboundMessage.get(id=row.id)).parts == sms_parts(text) == -(-len(text) // 67)


async def test_queued_sms_are_all_delivered_once_after_errors_timeouts_and_refused_connections(rig: Rig) -> None:
    fake = rig.fake
    ids = await queue_sms(5)
    fake.fail(500)
    await rig.dispatch(concurrency=2)
    await eventually(lambda: len(fake.requests) >= 10)
    fake.recover()
    fake.slow = 1.0  # past the client's 0.5 s timeout: accepted, but the answer comes too late
    await eventually(lambda: len([r for r in fake.requests if r.answered == 200]) >= 3)
    fake.recover()
    fake.fail(500)  # new calls fail fast while the slow ones finish
    await eventually(lambda: fake.in_flight == 0)
    fake.recover()
    fake.lose_responses = 2  # accepted, then the connection drops
    await eventually(lambda: fake.lose_responses == 0)
    await fake.stop()  # connection refused for a while
    await asyncio.sleep(0.3)
    await fake.start()
    await eventually(lambda: all_sent(ids))
    assert sorted(fake.sent_localids(), key=int) == [str(i) for i in ids]  # every SMS reached a phone once
    assert [fake.accepting_sends(str(i)) for i in ids] == [1] * 5  # and never sent an accepted one again
    rows = await OutboundMessage.filter(id__in=ids)
    by_localid = {str(s["localid"]): str(s["messageid"]) for s in fake.sms}
    assert {r.provider_id for r in rows} == {by_localid[str(r.id)] for r in rows}
    assert max(r.attempts for r in rows) > 1


async def test_kavenegar_418_raises_the_admin_alarm_once_and_holds_sms_until_released(rig: Rig) -> None:
    admin = await seed_user("maryam", "مریم کاظمی", role=Role.ADMIN, phone="09351112233")
    await User.filter(id=admin.id).update(email="maryam@example.ir")
    ids = await queue_sms(3)
    rig.fake.fail(418, methods=("send", "sendarray"))
    await rig.dispatch(concurrency=3)
    await eventually(lambda: Alarm.exists(kind="channel_held"))
    await eventually(lambda: has_status(ids, "held"))
    refused = len(rig.fake.calls("send"))
    await asyncio.sleep(0.3)  # several polls: nothing more is tried while SMS is held
    assert len(rig.fake.calls("send")) == refused <= 3
    assert rig.fake.sms == []
    [alarm] = await Alarm.all()
    assert alarm.urgent and "پیامک" in alarm.text and "۴۱۸" in alarm.text
    notices = await OutboundMessage.filter(kind="alarm")
    assert [(str(n.channel), n.recipient) for n in notices] == [("email", "maryam@example.ir")]  # not by SMS
    assert {r.attempts for r in await OutboundMessage.filter(id__in=ids)} == {0}
    rig.fake.recover()
    assert await release_channel(Channel.SMS) == 3
    await eventually(lambda: all_sent(ids))
    assert sorted(rig.fake.sent_localids(), key=int) == [str(i) for i in ids]
    assert await Alarm.all().count() == 1


async def test_an_invalid_receptor_fails_at_once_with_kavenegars_reason(rig: Rig) -> None:
    [row_id] = await queue_sms(1)
    rig.fake.fail(411, times=1)
    await rig.dispatch()
    await eventually(lambda: OutboundMessage.exists(id=row_id, status="failed"))
    row = await OutboundMessage.get(id=row_id)
    assert (row.error, row.attempts) == ("Kavenegar send: 411 گیرنده نامعتبر است", 1)


async def test_an_opt_out_sms_stops_marketing_but_not_other_messages(rig: Rig) -> None:
    await conversation_with()
    await receive_sms(parse_inbound({"messageid": "56798499", "from": ALI, "to": LINE, "message": "لغو"}))
    contact = await Contact.get(identities__value="+989121234567")
    assert contact.sms_opt_out
    campaign = await queue_notification(Channel.SMS, ALI, "جشنواره فروش پاییزه پیک!", kind="campaign")
    reminder = await queue_notification(Channel.SMS, ALI, "قرار بازدید شما فردا ساعت ۱۰ است.", kind="reminder")
    assert campaign is not None and reminder is not None
    await rig.dispatch()
    await eventually(lambda: all_sent([reminder.id]))
    await eventually(lambda: OutboundMessage.exists(id=campaign.id, status="failed"))
    assert (await OutboundMessage.get(id=campaign.id)).error == "opted out"
    assert rig.fake.sent_localids() == [str(reminder.id)]


async def test_bulk_campaign_sms_go_out_through_sendarray_at_most_200_per_call(rig: Rig) -> None:
    ids = await queue_sms(250, kind="campaign", text="پیک: ۲۰٪ تخفیف تا پایان آذر.")
    await rig.dispatch(concurrency=2)
    await eventually(lambda: all_sent(ids))
    calls = rig.fake.calls("sendarray")
    assert rig.fake.calls("send") == []
    sizes = [len(json.loads(c.fields["receptor"])) for c in calls]
    assert sum(sizes) == 250 and max(sizes) <= 200
    assert sorted(rig.fake.sent_localids(), key=int) == [str(i) for i in ids]
    first = json.loads(calls[0].fields["sender"])
    assert set(first) == {LINE}


async def test_an_sms_accepted_before_a_crash_is_marked_sent_on_restart_without_sending_it_again(rig: Rig) -> None:
    accepted, lost = await queue_sms(2)
    await claim_due(10)  # the crashed run had claimed both ...
    sent = await rig.client.send("09121000000", "پیام", sender=LINE, localid=str(accepted))  # ... and sent one
    await rig.dispatch(stuck_after=timedelta(0))
    await eventually(lambda: all_sent([accepted, lost]))
    assert (await OutboundMessage.get(id=accepted)).provider_id == sent.messageid
    assert len([r for r in rig.fake.calls("send") if r.fields["localid"] == str(accepted)]) == 1
    assert rig.fake.calls("statuslocalmessageid")
    assert sorted(rig.fake.sent_localids(), key=int) == [str(accepted), str(lost)]


async def test_a_restart_never_loses_a_queued_sms(rig: Rig) -> None:
    ids = await queue_sms(3)
    await rig.fake.stop()
    first = await rig.dispatch()
    await eventually(lambda: tried_twice(ids))
    await first.stop()
    rig.dispatchers.remove(first)
    await rig.fake.start()
    await rig.dispatch(stuck_after=timedelta(0))
    await eventually(lambda: all_sent(ids))
    assert sorted(rig.fake.sent_localids(), key=int) == [str(i) for i in ids]
