"""Bot steps taken after the provider got its answer.

A front door stores the message together with a PendingStep row, acks, and only then offers the
turn here. A few workers take the turns in the order offered: bounded, so that under a burst the
webhooks (which must answer fast) are not starved by hundreds of steps at once, and the steps
catch up after. One conversation's turns still run one at a time and in arrival order: a worker
takes the engine's conversation lock right after taking the turn off the queue, with no await in
between, so the locks are queued in the order the turns were offered. A crash between the
ack and the step leaves the PendingStep row, and `recover()` (at start, then every sweep) offers it
again; the step's transaction deletes the row, so a step is never taken twice. A step that fails
stays owed: the engine answers with a Retry and the turn is offered again when it is due (or by the
sweep of any process, after a restart).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from core.actions.dialog import drop_pending, mark_step_pending, pending_steps
from core.actions.inbox import IngestResult
from core.inbound import InboundMessage
from core.models import Channel
from handlers.retry import Retry
from handlers.turn import Turn

log = logging.getLogger(__name__)


class Taker(Protocol):
    """The dialog engine, or anything in front of it (bots.staff.StaffCommands)."""

    async def take(self, turn: Turn) -> Retry | None: ...


class StepOwed:
    """The ingest's in-transaction hook of a front door: a new message the bot answers gets its pending mark.

    Pass it as `then=` to `ingest_message`/`receive_sms`; after the commit, `turn` is the pending turn to
    offer the stepper (None when the message was not new or the bot does not answer it).
    """

    def __init__(self, msg: InboundMessage) -> None:
        self.msg = msg
        self.turn: Turn | None = None

    async def __call__(self, stored: IngestResult) -> None:
        turn = Turn.of(stored, self.msg)
        if turn.wants_step:
            await mark_step_pending(stored.message.id, stored.conversation.id, turn.to_json())
            self.turn = replace(turn, pending=True)


class Stepper:
    """Runs offered turns in the background; `recover()` re-offers steps a crash left owed."""

    def __init__(self, workers: int = 16) -> None:
        self._engines: dict[Channel, Taker] = {}
        self._size = workers
        self._queue: asyncio.Queue[tuple[Taker, Turn]] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._running: set[int] = set()  # message ids offered and not finished in this process
        self._sweeper: asyncio.Task[None] | None = None
        self._later: dict[int, asyncio.TimerHandle] = {}  # failed steps waiting for their next attempt

    def register(self, engines: Mapping[Channel, Taker]) -> None:
        """The engine that takes recovered turns of each channel."""
        self._engines.update(engines)

    def submit(self, turn: Turn, engine: Taker | None = None) -> bool:
        """Take `turn` in the background (with `engine`, else the channel's registered one).

        False when there is no engine for it or it is already being taken in this process.
        """
        engine = engine or self._engines.get(Channel(turn.channel))
        if engine is None or turn.message_id in self._running:
            return False
        self._running.add(turn.message_id)
        self._ready().put_nowait((engine, turn))
        return True

    def _offer_later(self, engine: Taker, retry: Retry) -> None:
        """Offer a failed turn again when it is due; it stays "running" here meanwhile, so no sweep doubles it."""
        delay = max((retry.at - datetime.now(UTC)).total_seconds(), 0.0)
        message_id = retry.turn.message_id

        def due() -> None:
            self._later.pop(message_id, None)
            if self._queue is not None:
                self._queue.put_nowait((engine, retry.turn))
            else:
                self._running.discard(message_id)

        self._running.add(message_id)
        self._later[message_id] = asyncio.get_running_loop().call_later(delay, due)

    def _ready(self) -> asyncio.Queue[tuple[Taker, Turn]]:
        """The queue, with its workers started on first use (they need the running loop; `stop` ends them)."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            queue = self._queue
            self._workers = [asyncio.create_task(self._work(queue), name="bot-stepper") for _ in range(self._size)]
        return self._queue

    async def _work(self, queue: asyncio.Queue[tuple[Taker, Turn]]) -> None:
        while True:
            engine, turn = await queue.get()
            retry: Retry | None = None
            try:
                retry = await engine.take(turn)  # never raises by contract; a bug must still not stop the worker
            except Exception:
                log.exception("bot step of message %s failed", turn.message_id)
            finally:
                self._running.discard(turn.message_id)
                if retry is not None:
                    self._offer_later(engine, retry)
                queue.task_done()

    async def recover(self, *, older_than: timedelta | None = None) -> int:
        """Offer again every step still owed (only those older than `older_than`); returns how many."""
        before = datetime.now(UTC) - older_than if older_than is not None else None
        offered = 0
        for row in await pending_steps(older_than=before):
            if row.message_id in self._running:
                continue
            try:
                turn = Turn.from_json(row.turn, row.attempts)
            except (KeyError, TypeError, ValueError):
                log.error("pending bot step of message %s is unreadable; dropped", row.message_id)
                await drop_pending(row.message_id)
                continue
            offered += self.submit(turn)
        if offered:
            log.info("offered %d bot steps left owed by an earlier run", offered)
        return offered

    async def drain(self) -> None:
        """Wait until every offered step has been taken (tests, shutdown)."""
        if self._queue is not None:
            await self._queue.join()

    async def start(self, *, first_older_than: timedelta | None, every: float = 30.0) -> None:
        """Recover now, then every `every` seconds (steps older than that, which no live process holds)."""
        try:
            await self.recover(older_than=first_older_than)
        except Exception:
            log.exception("recovering owed bot steps at start failed; the sweep tries again")
        self._sweeper = asyncio.create_task(self._sweep(every), name="bot-step-sweeper")

    async def _sweep(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.recover(older_than=timedelta(seconds=every))
            except Exception:
                log.exception("recovering owed bot steps failed; trying again in %s s", every)

    async def stop(self, grace: float = 10.0) -> None:
        """Stop sweeping; let steps in flight finish for up to `grace` seconds (the rest are recovered later)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        if self._queue is not None:
            try:
                await asyncio.wait_for(self._queue.join(), grace)
            except TimeoutError:
                log.warning("bot steps still owed at shutdown are taken at the next start")
        for later in self._later.values():
            later.cancel()
        self._later.clear()
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers, self._queue = [], None
        self._running.clear()


# The process's stepper: the front doors offer turns to it; bootstrap starts and stops it.
stepper = Stepper()
