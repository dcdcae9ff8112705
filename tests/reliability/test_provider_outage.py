"""Providers down while the outbox sends: refused, then 500s, then answers slower than the timeout.

The Bot API, Kavenegar and the SMTP server each go through the three failures while the dispatcher
keeps trying; after they recover every queued message is delivered exactly once (SMS checked through
Kavenegar's localid, which is our outbox id; mail through the Message-ID; Telegram by chat and text).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes

import aiohttp
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.dispatcher import Dispatcher
from channels.email_out import EmailSender
from channels.kavenegar_client import KavenegarClient
from channels.sms import SmsSender
from channels.telegram_sender import TelegramSender
from core.actions.bulk_outbox import queue_bulk
from core.actions.dispatch import RetryPolicy
from core.actions.inbox import ingest_message
from core.actions.outbox import queue_bot_reply, queue_notification
from core.inbound import InboundMessage
from core.models import Channel, IdentityKind, OutboundMessage, OutboxStatus
from tests.reliability.helpers import TOKEN, RestartableBotApi, duplicates, until
from tests.support.fake_kavenegar import FakeKavenegar

TIMEOUT = 0.4  # every client's timeout; "slow" providers answer after 3x that
LINE = "10004346"
PER_CHANNEL = 12
CAMPAIGN = 30
RETRY = RetryPolicy(base_s=0.02, cap_s=0.2, max_attempts=10_000)


@dataclass
class Sink:
    """A real SMTP server that can be down (refused), answer 451, or answer RCPT too late."""

    port: int = 0
    fail_with: str | None = None
    delay_s: float = 0.0
    received: list[Envelope] = field(default_factory=list)
    server: asyncio.Server | None = None

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list) -> str:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)  # past the client's timeout: it gives up before DATA
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.fail_with:
            return self.fail_with
        self.received.append(envelope)
        return "250 2.0.0 Ok: queued"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: SMTP(self, hostname="sink.test", enable_SMTPUTF8=True, loop=loop),
            "127.0.0.1",
            self.port,
            reuse_address=True,
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None


@dataclass
class Providers:
    bot: RestartableBotApi
    sms: FakeKavenegar
    mail: Sink

    async def down(self) -> None:
        await self.bot.stop()
        await self.sms.stop()
        await self.mail.stop()

    async def failing(self) -> None:
        await self.bot.start()
        await self.sms.start()
        await self.mail.start()
        self.bot.fail("500", times=10**6)
        self.sms.fail(500)
        self.mail.fail_with = "451 4.3.0 Temporary local problem, try again later"

    def slow(self) -> None:
        self.bot._failures.clear()
        self.bot.fail("timeout", times=10**6)  # hangs past the timeout, then 504: nothing delivered
        self.sms.recover()
        self.sms.slow = TIMEOUT * 3
        self.mail.fail_with = None
        self.mail.delay_s = TIMEOUT * 3

    def recover(self) -> None:
        self.bot._failures.clear()
        self.sms.recover()
        self.mail.delay_s = 0.0


@pytest.fixture
async def providers() -> AsyncIterator[Providers]:
    bot = await RestartableBotApi(TOKEN, hang_s=TIMEOUT * 3).start()
    sms = FakeKavenegar()
    await sms.start()
    mail = Sink()
    await mail.start()
    found = Providers(bot, sms, mail)
    yield found
    await found.down()


async def _queue_everything() -> dict[Channel, list[int]]:
    ids: dict[Channel, list[int]] = {Channel.TELEGRAM: [], Channel.SMS: [], Channel.EMAIL: []}
    for n in range(PER_CHANNEL):
        chat = str(6_200_000_000 + n)
        msg = InboundMessage(
            channel=Channel.TELEGRAM,
            external_id=f"{chat}:1",
            identity_kind=IdentityKind.TELEGRAM,
            identity_value=chat,
            sender_name="مشتری",
            text="سلام",
            thread_key=chat,
        )
        conversation = (await ingest_message(msg)).conversation
        reply = await queue_bot_reply(conversation.id, f"پاسخ شماره {n}")
        ids[Channel.TELEGRAM] += [s.id for s in await OutboundMessage.filter(message_id=reply.id)]
        sms = await queue_notification(Channel.SMS, f"0912{3000000 + n}", f"یادآوری قسط {n}")
        mail = await queue_notification(Channel.EMAIL, f"customer{n}@example.com", f"صورتحساب {n}")
        assert sms is not None and mail is not None
        ids[Channel.SMS].append(sms.id)
        ids[Channel.EMAIL].append(mail.id)
    phones = [f"0935{4000000 + n}" for n in range(CAMPAIGN)]
    await queue_bulk(Channel.SMS, phones, "تخفیف ویژه پاییز", kind="campaign", dedupe_prefix="outage-test")
    ids[Channel.SMS] += [r.id for r in await OutboundMessage.filter(kind="campaign")]
    return ids


async def _attempted_at_least(ids: list[int], attempts: int) -> bool:
    rows = await OutboundMessage.filter(id__in=ids).values_list("attempts", flat=True)
    return len(rows) == len(ids) and min(rows) >= attempts


async def test_every_queued_message_is_delivered_once_after_providers_refuse_fail_and_stall(
    db: str, providers: Providers
) -> None:
    ids = await _queue_everything()
    every = [i for group in ids.values() for i in group]
    await providers.down()
    async with aiohttp.ClientSession() as session:
        client = KavenegarClient(session, providers.sms.api_key, base_url=providers.sms.url, timeout=TIMEOUT)
        senders = {
            Channel.TELEGRAM: TelegramSender(Channel.TELEGRAM, TOKEN, providers.bot.api_url, read_timeout=TIMEOUT),
            Channel.SMS: SmsSender(client, LINE),
            Channel.EMAIL: EmailSender(
                f"smtp://127.0.0.1:{providers.mail.port}?starttls=false", "پشتیبانی <support@example.ir>",
                timeout=TIMEOUT,
            ),
        }  # fmt: skip
        dispatcher = Dispatcher(
            senders, poll_interval=0.05, retry=RETRY, stuck_after=timedelta(seconds=1), reclaim_every=0.5
        )
        await dispatcher.start()
        try:
            await until(lambda: _attempted_at_least(every, 1))  # connection refused everywhere
            await providers.failing()
            await until(lambda: _attempted_at_least(every, 3))  # 500 / 451 answers
            providers.slow()
            await until(lambda: _attempted_at_least(every, 5), timeout=120)  # answers after the timeout
            # Then Kavenegar takes some SMS but the answers never arrive: the window that only localid
            # closes (the retry must find them there, not send them again).
            providers.sms.slow, providers.sms.lose_responses = 0.0, 5
            await until(lambda: providers.sms.sms)
            assert not await OutboundMessage.filter(status=OutboxStatus.FAILED).exists()
            providers.recover()
            await until(lambda: _all_sent(every), timeout=120)
        finally:
            await dispatcher.stop()
            await senders[Channel.TELEGRAM].close()

    delivered = [(c.params["chat_id"], c.params["text"]) for c in providers.bot.sent("sendMessage")]
    assert len(delivered) == PER_CHANNEL and not duplicates(delivered)
    localids = providers.sms.sent_localids()
    assert not duplicates(localids)
    assert sorted(map(int, localids)) == sorted(ids[Channel.SMS])
    for row in await OutboundMessage.filter(id__in=ids[Channel.SMS]):
        assert row.provider_id == str(providers.sms._by_localid[str(row.id)]["messageid"])
    message_ids = [message_from_bytes(e.original_content or b"")["Message-ID"] for e in providers.mail.received]
    assert len(message_ids) == PER_CHANNEL and not duplicates(message_ids)


async def _all_sent(ids: list[int]) -> bool:
    return await OutboundMessage.filter(id__in=ids, status=OutboxStatus.SENT).count() == len(ids)
