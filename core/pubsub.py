"""Events for live displays, across processes: PostgreSQL LISTEN/NOTIFY, or in-process on SQLite.

Every event of `core.events.bus` (published after its commit) is re-published on `live`, and on
PostgreSQL also sent with pg_notify to the other processes, whose listeners re-publish it on
their own `live`. Only displays subscribe to `live`: automation and jobs stay on `bus`, so an
event never makes two processes act on it twice. A process ignores its own notifications.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise import connections

from core.events import Event, EventBus, bus

log = logging.getLogger(__name__)

CHANNEL = "peyk_live"
MAX_PAYLOAD = 7000  # NOTIFY payloads must stay under 8000 bytes
NOTIFY_BATCH = 500  # notifications sent per query
live = EventBus()


def listen_dsn(database_url: str) -> str | None:
    """The asyncpg DSN of a PostgreSQL tortoise URL, or None for SQLite (in-process only)."""
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "asyncpg", "psycopg"):
        return None
    return urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))


def _payload(origin: str, event: Event) -> str:
    body = json.dumps({"o": origin, "n": event.name, "d": event.data}, ensure_ascii=False, default=str)
    if len(body.encode()) <= MAX_PAYLOAD:
        return body
    ids = {k: v for k, v in event.data.items() if k.endswith("_id") and isinstance(v, int | str | None)}
    return json.dumps({"o": origin, "n": event.name, "d": ids}, ensure_ascii=False, default=str)


class PubSub:
    """Forwards `source` events to `target`, and across processes through NOTIFY when `dsn` is set."""

    def __init__(
        self, dsn: str | None, *, source: EventBus = bus, target: EventBus = live, origin: str | None = None
    ) -> None:
        self.dsn = dsn
        self.source, self.target = source, target
        self.origin = origin or uuid.uuid4().hex
        self.ready = asyncio.Event()
        self._unsubscribe: Any = None
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._outgoing: list[str] = []
        self._sender: asyncio.Task[None] | None = None

    async def start(self) -> PubSub:
        """Subscribe to the source bus and, on PostgreSQL, start listening."""
        self._unsubscribe = self.source.subscribe("", self._local)
        if self.dsn:
            self._task = asyncio.create_task(self._listen_forever())
        else:
            self.ready.set()
        return self

    async def stop(self) -> None:
        """Stop forwarding (sending what is queued first) and close the listening connection."""
        if self._unsubscribe:
            self._unsubscribe()
        await self.flush()
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    async def _local(self, event: Event) -> None:
        await self.target.publish(event)
        if self.dsn:
            # Not awaited here: the publisher (a webhook waiting to answer its provider, a dispatcher
            # recording a batch of sends) must not wait for a round trip per event. Queued events go
            # out in order, many per query (a 100k-SMS campaign emits 100k events).
            self._outgoing.append(_payload(self.origin, event))
            if self._sender is None or self._sender.done():
                self._sender = asyncio.create_task(self._send_queued())

    async def _send_queued(self) -> None:
        while self._outgoing:
            batch, self._outgoing = self._outgoing[:NOTIFY_BATCH], self._outgoing[NOTIFY_BATCH:]
            await self._notify_all(batch)

    async def _notify_all(self, payloads: list[str]) -> None:
        try:
            await connections.get("default").execute_query(
                # In array order; identical payloads in one batch arrive once (a display needs one).
                "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p",
                [CHANNEL, payloads],
            )
        except Exception:
            log.warning("could not notify other processes of %d events", len(payloads), exc_info=True)

    async def notify(self, event: Event) -> None:
        """Send one event to the other processes now (after its commit; a failure is only logged)."""
        await self._notify_all([_payload(self.origin, event)])

    async def flush(self) -> None:
        """Wait until every queued notification was sent."""
        while self._sender is not None and not self._sender.done():
            await asyncio.shield(self._sender)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            message = json.loads(payload)
            if message.get("o") == self.origin:
                return
            event = Event(str(message["n"]), dict(message.get("d") or {}))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed notification on %s", CHANNEL)
            return
        task = asyncio.get_running_loop().create_task(self.target.publish(event))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _listen_forever(self) -> None:
        delay = 0.5
        while True:
            closed = asyncio.Event()
            try:
                self._conn = await asyncpg.connect(self.dsn)
                self._conn.add_termination_listener(lambda _c, gone=closed: gone.set())
                await self._conn.add_listener(CHANNEL, self._on_notify)
                self.ready.set()
                delay = 0.5
                await closed.wait()
                log.warning("live events listener lost its connection; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live events listener could not connect; retrying in %.1fs", delay, exc_info=True)
            self.ready.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


_shared: PubSub | None = None
_holders = 0


async def acquire(database_url: str) -> PubSub:
    """The process's one PubSub (started on first use); pair every call with `release()`."""
    global _shared, _holders
    if _shared is None:
        _shared = await PubSub(listen_dsn(database_url)).start()
    _holders += 1
    return _shared


async def release() -> None:
    """Give back one `acquire()`; the last one stops the PubSub."""
    global _shared, _holders
    _holders = max(0, _holders - 1)
    if _holders == 0 and _shared is not None:
        shared, _shared = _shared, None
        await shared.stop()
