"""A bulk campaign queued twice (a crash half-way through queueing) sends each number once, never to opt-outs."""

from __future__ import annotations

import aiohttp

from channels.dispatcher import Dispatcher
from channels.kavenegar_client import KavenegarClient
from channels.sms import SmsSender
from core.actions.bulk_outbox import queue_bulk
from core.actions.contacts import create_contact
from core.actions.dispatch import RetryPolicy
from core.actions.sms import set_sms_opt_out
from core.models import Channel, OutboundMessage, OutboxStatus
from tests.reliability.helpers import duplicates, until
from tests.support.fake_kavenegar import FakeKavenegar

PHONES = [f"0912{1000000 + n}" for n in range(450)]  # more than two sendarray batches of 200


async def test_queueing_a_campaign_again_adds_only_missing_recipients_and_skips_opted_out_numbers(db: str) -> None:
    await create_contact("مریم کاظمی", identities=[("phone", PHONES[7])])
    await set_sms_opt_out(PHONES[7])
    first = await queue_bulk(Channel.SMS, PHONES[:300], "جشنواره پاییزه", dedupe_prefix="autumn-1405")
    again = await queue_bulk(
        Channel.SMS, [*PHONES, "not a phone", PHONES[0]], "جشنواره پاییزه", dedupe_prefix="autumn-1405"
    )
    assert first == (300, 0)
    assert again == (150, 302)  # 300 already queued, one unusable, one repeat
    fake = FakeKavenegar()
    await fake.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = KavenegarClient(session, fake.api_key, base_url=fake.url, timeout=2)
            dispatcher = Dispatcher(
                {Channel.SMS: SmsSender(client, "10004346")}, poll_interval=0.05, retry=RetryPolicy(0.01, 0.05, 50)
            )
            await dispatcher.start()
            try:
                await until(lambda: _settled(len(PHONES)))
            finally:
                await dispatcher.stop()
    finally:
        await fake.stop()
    receptors = [s["receptor"] for s in fake.sms]
    assert not duplicates(receptors)
    assert sorted(receptors) == sorted(p for p in PHONES if p != PHONES[7])
    opted = await OutboundMessage.get(recipient="+98" + PHONES[7][1:])
    assert (opted.status, opted.error) == (OutboxStatus.FAILED, "opted out")
    assert any(r.method == "sendarray" for r in fake.requests)


async def _settled(count: int) -> bool:
    done = await OutboundMessage.filter(status__in=[OutboxStatus.SENT, OutboxStatus.FAILED]).count()
    return done == count
