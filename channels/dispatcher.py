"""The outbox dispatcher: claims due rows and sends each through its channel's Sender.

Rows are claimed so that one recipient's go out one at a time, in queue order (core.actions.outbox_claim).
Per-channel concurrency limits; transient errors back off (honouring retry_after), permanent
ones fail with the reason, HoldQueue parks the channel and alarms admins once. It wakes at once on
`outbox.queued` events and polls otherwise (other processes queue rows too). On start and then
periodically it reconciles rows a crash left in `sending`: a channel that can (`reconcile`, SMS by
Kavenegar localid) says which ones the provider already accepted, so nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from channels.base import Delivery, HoldQueue, PermanentSendError, Sender, TransientSendError
from channels.sms import sms_senders
from core import outbound_channels
from core.actions.dispatch import (
    DEFAULT_RETRY,
    RetryPolicy,
    claim_due,
    fail_unconfigured,
    held_channels,
    hold_channel,
    mark_failed,
    mark_sent,
    mark_sent_many,
    raise_alarm_once,
    reclaim_stuck,
    requeue,
    retry_later,
)
from core.actions.holds import hold_alarm_prefix
from core.config import Settings
from core.db import is_postgres
from core.events import Event, bus
from core.models import Channel, OutboundMessage
from core.text import to_persian_digits

log = logging.getLogger(__name__)

Closer = Callable[[], Awaitable[None]]
SenderFactory = Callable[[Settings], Mapping[Channel, Sender] | Awaitable[Mapping[Channel, Sender]]]

# Staff-facing copy of the hold alarm.
CHANNEL_NAMES = {"sms": "پیامک", "telegram": "تلگرام", "bale": "بله", "email": "ایمیل"}
HOLD_ALARM = (
    "ارسال {channel} متوقف شد. علت: {reason}. پیام‌ها در صف نگه داشته شده‌اند و پس از رفع مشکل "
    "(برای نمونه شارژ اعتبار پیامک) و آزادسازی صف ارسال می‌شوند."
)


@runtime_checkable
class Reconciler(Protocol):
    """A sender that can tell which rows its provider already accepted (None: not accepted)."""

    async def reconcile(self, rows: Sequence[OutboundMessage]) -> dict[int, Delivery | None]: ...


class Dispatcher:
    """Sends the outbox: `await start()` once, `await stop()` at shutdown."""

    def __init__(
        self,
        senders: Mapping[Channel, Sender],
        *,
        concurrency: int | Mapping[Channel, int] = 4,
        poll_interval: float = 2.0,
        stuck_after: timedelta = timedelta(minutes=2),
        reclaim_every: float = 60.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        stop_grace: float = 10.0,
    ) -> None:
        self.senders = dict(senders)
        per = concurrency if isinstance(concurrency, Mapping) else {}
        default = concurrency if isinstance(concurrency, int) else 4
        self.limits = {ch: max(1, per.get(ch, default)) for ch in self.senders}
        self.poll_interval = poll_interval
        self.stuck_after = stuck_after
        self.reclaim_every = reclaim_every
        self.retry = retry
        self.stop_grace = stop_grace
        self._busy = dict.fromkeys(self.senders, 0)
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[int] = set()  # outbox ids this dispatcher is sending right now
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._sent: dict[int, Delivery] = {}  # accepted sends not yet recorded (see _record_sent)
        self._recorder: asyncio.Task[None] | None = None
        self._writing: set[int] = set()  # the group being recorded right now

    def wake(self) -> None:
        """Look for due rows now instead of at the next poll."""
        self._wake.set()

    def _on_event(self, event: Event) -> None:
        if event.name == "outbox.queued":
            self.wake()

    async def start(self) -> None:
        """Run the send loop in the background; it first reconciles rows a crash left in `sending`."""
        self._unsubscribe = bus.subscribe("outbox.queued", self._on_event)
        self._loop = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def stop(self) -> None:
        """Stop claiming, let sends in flight finish (up to stop_grace), then cancel the rest."""
        self._stopping = True
        self.wake()
        if self._unsubscribe:
            self._unsubscribe()
        if self._loop:
            await asyncio.gather(self._loop, return_exceptions=True)
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self.stop_grace)
            for task in pending:  # left `sending`: the next start reconciles them
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        while self._recorder is not None:  # what was accepted is recorded before we go
            await asyncio.gather(self._recorder, return_exceptions=True)

    async def _run(self) -> None:
        # Before anything is sent (a slow provider must not delay start-up, so not in start()).
        # SQLite means one process: whatever is `sending` now was left by the previous run.
        try:
            await self.reconcile(self.stuck_after if is_postgres() else timedelta(0))
        except Exception:  # the periodic round tries again
            log.exception("outbox dispatcher: reconciling at start failed")
        last_reclaim = time.monotonic()
        while not self._stopping:
            self._wake.clear()
            try:
                await self._fill()
                if time.monotonic() - last_reclaim >= self.reclaim_every:
                    last_reclaim = time.monotonic()
                    await self.reconcile(self.stuck_after)
            except Exception:
                log.exception("outbox dispatcher: claiming failed; trying again at the next poll")
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                pass

    async def _fill(self) -> None:
        held = list(await held_channels())
        for channel, sender in self.senders.items():
            free = self.limits[channel] - self._busy[channel]
            if self._stopping or free <= 0 or str(channel) in held:
                continue
            rows = await claim_due(free, channels=[channel], held=held)
            batch_kinds: frozenset[str] = frozenset()
            if hasattr(sender, "send_batch"):
                batch_kinds = frozenset(getattr(sender, "batch_kinds", ()))
            bulk = [row for row in rows if row.kind in batch_kinds]
            for row in rows:
                if row.kind not in batch_kinds:
                    self._spawn(channel, [row], self._send_one(sender, row))
            if bulk:
                size = int(getattr(sender, "batch_size", 100))
                bulk += await claim_due(size - len(bulk), channels=[channel], kinds=batch_kinds, held=held)
                self._spawn(channel, bulk, self._send_batch(sender, bulk))

    def _spawn(self, channel: Channel, rows: list[OutboundMessage], work: Coroutine[Any, Any, None]) -> None:
        ids = {row.id for row in rows}
        self._busy[channel] += 1
        self._in_flight |= ids
        task = asyncio.create_task(work)
        self._tasks.add(task)

        def done(_: asyncio.Task[None]) -> None:
            self._busy[channel] -= 1
            self._in_flight -= ids
            self._tasks.discard(task)
            self.wake()  # a slot is free: there may be more due rows

        task.add_done_callback(done)

    async def _send_one(self, sender: Sender, row: OutboundMessage) -> None:
        try:
            outcome: Delivery | Exception = await sender.send(row)
        except Exception as exc:
            outcome = exc
        await self._record(row, outcome)

    async def _send_batch(self, sender: Any, rows: list[OutboundMessage]) -> None:
        try:
            outcomes: list[Delivery | Exception] = await sender.send_batch(rows)
        except PermanentSendError:
            # The provider refused the whole array (one bad row?): send them one by one instead.
            for row in rows:
                await self._send_one(sender, row)
            return
        except Exception as exc:
            outcomes = [exc] * len(rows)
        sent = {row.id: outcome for row, outcome in zip(rows, outcomes, strict=True) if isinstance(outcome, Delivery)}
        try:
            await mark_sent_many(sent)  # one transaction for the whole array, not one per recipient
        except Exception:
            log.exception("outbox: could not record %d sends at once; recording them one by one", len(sent))
            sent = {}
        for row, outcome in zip(rows, outcomes, strict=True):
            if row.id not in sent:
                await self._record(row, outcome)

    def _record_sent(self, row: OutboundMessage, delivery: Delivery) -> None:
        """Record an accepted send together with the others accepted meanwhile (group commit).

        Sends finishing while one group is being written form the next group, so under load one
        transaction records many sends, and alone a send is recorded at once. Until then the row
        stays `sending` and counts as unrecorded, so neither this process nor a reconcile sends it again.
        """
        self._sent[row.id] = delivery
        if self._recorder is None:
            self._recorder = asyncio.create_task(self._write_sent(), name="outbox-sent-recorder")

    async def _write_sent(self) -> None:
        try:
            while self._sent:
                group, self._sent = self._sent, {}
                self._writing = set(group)
                try:
                    await mark_sent_many(group)
                except Exception:
                    log.exception("outbox: could not record %d sends at once; recording them one by one", len(group))
                    for out_id, delivery in group.items():
                        try:
                            await mark_sent(out_id, delivery)
                        except Exception:  # stays `sending`: reconciled later, by the provider's id where it can
                            log.exception("outbox %s: could not record the send result", out_id)
                self.wake()  # the next row of each recipient just recorded may go now
        finally:
            self._writing = set()
            self._recorder = None

    async def _record(self, row: OutboundMessage, outcome: Delivery | Exception) -> None:
        """Write one send's outcome; if that fails the row stays `sending` and is reconciled later."""
        try:
            if isinstance(outcome, Delivery):
                self._record_sent(row, outcome)
            elif isinstance(outcome, HoldQueue):
                await self._hold(row, str(outcome) or "channel on hold")
            elif isinstance(outcome, PermanentSendError):
                log.info("outbox %s (%s) failed: %s", row.id, row.channel, outcome)
                await mark_failed(row.id, str(outcome) or type(outcome).__name__)
            elif isinstance(outcome, TransientSendError):
                log.info("outbox %s (%s) will be retried: %s", row.id, row.channel, outcome)
                await retry_later(row.id, str(outcome), outcome.retry_after, policy=self.retry)
            else:
                log.error("outbox %s (%s): unexpected error", row.id, row.channel, exc_info=outcome)
                await retry_later(row.id, f"{type(outcome).__name__}: {outcome}", policy=self.retry)
        except Exception:
            log.exception("outbox %s: could not record the send result", row.id)

    async def _hold(self, row: OutboundMessage, reason: str) -> None:
        channel = str(row.channel)
        hold = await hold_channel(channel, reason, out_id=row.id)
        log.warning("%s sending held: %s", channel, reason)
        text = HOLD_ALARM.format(channel=CHANNEL_NAMES.get(channel, channel), reason=to_persian_digits(reason))
        await raise_alarm_once(
            hold_alarm_prefix(channel) + str(hold.get("since", "")),
            "channel_held",
            text,
            urgent=True,
            object_type="channel",
            object_id=channel,
            avoid_channels=(channel,),
        )

    async def reconcile(self, older_than: timedelta) -> int:
        """Settle rows left in `sending`: mark sent what the provider has, queue the rest again."""
        try:
            rows = await reclaim_stuck(older_than, channels=list(self.senders))
        except Exception:
            log.exception("outbox dispatcher: could not look for stuck sends")
            return 0
        ours = self._in_flight | self._writing | set(self._sent)
        rows = [row for row in rows if row.id not in ours]  # our own sends are not stuck
        settled = 0
        for channel, sender in self.senders.items():
            group = [row for row in rows if row.channel == channel]
            if not group:
                continue
            found: dict[int, Delivery | None] = {}
            if isinstance(sender, Reconciler):
                try:
                    found = await sender.reconcile(group)
                except Exception as exc:  # provider unreachable: they stay `sending` until the next round
                    log.warning("cannot reconcile %d %s sends yet: %s", len(group), channel, exc)
                    continue
            for row in group:
                delivery = found.get(row.id)
                settled += bool(await mark_sent(row.id, delivery) if delivery else await requeue(row.id))
        if settled:
            log.info("outbox dispatcher: reconciled %d sends left by an earlier run", settled)
        return settled


def _bot_api_senders(settings: Settings) -> Mapping[Channel, Sender]:
    # Imported only when a bot token is set, so SMS-only installs never load python-telegram-bot.
    if not (settings.telegram_token or settings.bale_token):
        return {}
    from channels.telegram_sender import telegram_senders

    return telegram_senders(settings)


def _email_senders(settings: Settings) -> Mapping[Channel, Sender]:
    if not settings.smtp_url:
        return {}
    from channels.email_out import email_senders

    return email_senders(settings)


# Sends in flight per channel. Bot API calls are short and Telegram's own limits are paced by
# channels.flood, so more of them overlap; SMTP sessions are heavier. A slot frees as soon as the
# provider answers (the result is recorded in groups), so a busy channel claims rows in batches.
CONCURRENCY = {Channel.TELEGRAM: 16, Channel.BALE: 16, Channel.SMS: 8, Channel.EMAIL: 4}

# Every channel that can send has a factory here; each returns only the senders that are configured.
SENDER_FACTORIES: list[SenderFactory] = [sms_senders, _bot_api_senders, _email_senders]


async def start_dispatcher(settings: Settings, factories: Sequence[SenderFactory] | None = None) -> Closer:
    """Start a Dispatcher over the configured senders; returns the closer that stops it and them."""
    senders: dict[Channel, Sender] = {}
    for factory in SENDER_FACTORIES if factories is None else factories:
        built = factory(settings)
        senders.update(await built if inspect.isawaitable(built) else built)
    # From now on a message queued on a channel without a sender is written failed, not left queued;
    # and so are those already waiting on one (queued before, or while the channel was set up).
    outbound_channels.configure(senders)
    if failed := await fail_unconfigured(senders):
        log.warning("outbox: %d unsent messages failed: their channel has no sender configured", failed)
    dispatcher = Dispatcher(senders, concurrency=CONCURRENCY) if senders else None
    if dispatcher is not None:
        await dispatcher.start()
        log.info("outbox dispatcher sending on %s", ", ".join(sorted(map(str, senders))))

    async def close() -> None:
        outbound_channels.configure(None)
        if dispatcher is not None:
            await dispatcher.stop()
        for sender in senders.values():
            if (closer := getattr(sender, "close", None)) is not None:
                try:
                    await closer()
                except Exception:
                    log.exception("closing the %s sender failed", sender.channel)

    return close
