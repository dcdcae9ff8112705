"""IMAP poller (aioimaplib): imports a shared mailbox's new mail, IDLE when offered, polling otherwise.

Progress is the pair (UIDVALIDITY, last imported UID) kept in the Setting table and saved after
each message, so a restart or an outage neither skips nor re-imports mail; a new UIDVALIDITY
(the server rebuilt the mailbox) starts over, and ingest's dedupe on Message-ID drops repeats.
Mail is only read (BODY.PEEK): flags and folders stay as the mail team left them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from aioimaplib import IMAP4, STOP_WAIT_SERVER_PUSH

from channels.imap_wire import (
    ImapTarget,
    fetched_message,
    find_new_uids,
    find_uidvalidity,
    parse_imap_url,
    quote_mailbox,
)
from core.actions.mailbox import mailbox_position, save_mailbox_position

log = logging.getLogger(__name__)

Take = Callable[[bytes], Awaitable[Any]]
Hold = Callable[[bytes, str], Awaitable[Any]]


class ImapError(Exception):
    """The server refused something (login, select, search, fetch); the poller reconnects later."""


class ImapPoller:
    """`await start()` runs it in the background; `await stop()` logs out and ends it."""

    def __init__(
        self,
        url: str,
        take: Take,
        *,
        poll_interval: float = 60.0,
        idle_timeout: float = 25 * 60.0,
        timeout: float = 30.0,
        backoff: tuple[float, float] = (1.0, 300.0),
        ssl_context: ssl.SSLContext | None = None,
        use_idle: bool = True,
        hold: Hold | None = None,
        max_tries: int = 3,
    ) -> None:
        self.target: ImapTarget = parse_imap_url(url)
        self.take = take
        self.poll_interval = poll_interval
        self.idle_timeout = idle_timeout
        self.timeout = timeout
        self.backoff = backoff
        self.ssl_context = ssl_context
        self.use_idle = use_idle
        self.hold = hold
        self.max_tries = max_tries
        self._failures: dict[tuple[int, int], int] = {}
        self.imported = 0
        self.passes = 0
        self._stop = asyncio.Event()
        self._lost = asyncio.Event()
        self._pass_done = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin importing in the background."""
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name=f"imap-poller {self.target.key}")

    async def stop(self) -> None:
        """Stop cleanly: leave IDLE, log out, end the task (cancelled if the server hangs)."""
        self._stop.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self.timeout)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def wait_for_pass(self, after: int) -> int:
        """Wait until more than `after` import passes have finished (tests and diagnostics)."""
        async with self._pass_done:
            await self._pass_done.wait_for(lambda: self.passes > after)
            return self.passes

    async def _run(self) -> None:
        delay = self.backoff[0]
        while not self._stop.is_set():
            client: IMAP4 | None = None
            try:
                client = await self._connect()
                delay = self.backoff[0]
                await self._session(client)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reason = str(exc) or type(exc).__name__
                log.warning("IMAP %s: %s; reconnecting in about %.1f s", self.target.key, reason, delay)
            finally:
                if client is not None:
                    await self._close(client)
            if self._stop.is_set():
                break
            await self._sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, self.backoff[1])

    async def _connect(self) -> IMAP4:
        self._lost.clear()
        context = (self.ssl_context or ssl.create_default_context()) if self.target.tls else None
        client = IMAP4(
            self.target.host, self.target.port, timeout=self.timeout, conn_lost_cb=self._on_lost, ssl_context=context
        )
        await client.wait_hello_from_server()
        response = await client.login(self.target.user, self.target.password)
        if response.result != "OK":
            raise ImapError(f"login refused: {_text(response.lines)}")
        return client

    def _on_lost(self, exc: Exception | None) -> None:
        self._lost.set()

    async def _session(self, client: IMAP4) -> None:
        while not self._stop.is_set():
            await self.import_new(client)
            async with self._pass_done:
                self.passes += 1
                self._pass_done.notify_all()
            if self.use_idle and client.has_capability("IDLE"):
                await self._idle(client)
            else:
                await self._sleep(self.poll_interval)
            if self._lost.is_set():
                raise ImapError("connection lost")

    async def import_new(self, client: IMAP4) -> int:
        """Import every message above the stored position, saving the position after each one."""
        response = await client.select(quote_mailbox(self.target.mailbox))
        uidvalidity = find_uidvalidity(response.lines)
        if response.result != "OK" or uidvalidity is None:
            raise ImapError(f"cannot select {self.target.mailbox}: {_text(response.lines)}")
        position = await mailbox_position(self.target.key)
        if position is not None and position.uidvalidity != uidvalidity:
            log.warning("IMAP %s: UIDVALIDITY changed; reading the mailbox again", self.target.key)
        last = position.last_uid if position is not None and position.uidvalidity == uidvalidity else 0
        response = await client.uid_search(f"UID {last + 1}:*", charset=None)
        if response.result != "OK":
            raise ImapError(f"search failed: {_text(response.lines)}")
        count = 0
        for uid in find_new_uids(response.lines, last):
            if self._stop.is_set():
                break
            fetched = await client.uid("fetch", str(uid), "(BODY.PEEK[])")
            raw = fetched_message(fetched.lines) if fetched.result == "OK" else None
            if raw is not None:
                await self._take(raw, (uidvalidity, uid))
                count += 1
            else:
                log.info("IMAP %s: UID %s is gone (expunged meanwhile)", self.target.key, uid)
            await save_mailbox_position(self.target.key, uidvalidity, uid)
        self.imported += count
        if count:
            log.info("IMAP %s: imported %d message(s)", self.target.key, count)
        return count

    async def _take(self, raw: bytes, at: tuple[int, int]) -> None:
        """Store one mail; a failure leaves the position for a retry, unless this mail keeps failing.

        The same mail failing `max_tries` times while the database can still take a review copy is
        a poison mail: it is held for review so the mail behind it is not blocked forever.
        """
        try:
            await self.take(raw)
        except Exception as exc:
            tries = self._failures[at] = self._failures.get(at, 0) + 1
            if self.hold is None or tries < self.max_tries:
                raise
            await self.hold(raw, f"could not be stored after {tries} tries: {type(exc).__name__}: {exc}")
        self._failures.pop(at, None)

    async def _idle(self, client: IMAP4) -> None:
        queue = client.protocol.idle_queue
        while not queue.empty():  # pushes left from the previous round
            queue.get_nowait()
        idle = await client.idle_start(timeout=self.idle_timeout)
        try:
            while not (self._stop.is_set() or self._lost.is_set()):
                push = asyncio.ensure_future(client.wait_server_push(timeout=self.idle_timeout + self.timeout))
                stop = asyncio.ensure_future(self._stop.wait())
                lost = asyncio.ensure_future(self._lost.wait())
                await asyncio.wait({push, stop, lost}, return_when=asyncio.FIRST_COMPLETED)
                for waiter in (stop, lost):
                    waiter.cancel()
                if not push.done():
                    push.cancel()
                    break
                lines = push.result()
                if lines == STOP_WAIT_SERVER_PUSH or any(b"EXISTS" in bytes(line) for line in lines):
                    break  # new mail, or time to renew IDLE
        except TimeoutError:
            pass
        finally:
            if client.has_pending_idle() and not self._lost.is_set():
                client.idle_done()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(idle, self.timeout)
            elif not idle.done():
                idle.cancel()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _close(self, client: IMAP4) -> None:
        try:
            if not self._lost.is_set():
                await asyncio.wait_for(client.logout(), self.timeout)
        except Exception:
            pass
        finally:
            transport = client.protocol.transport
            if transport is not None:
                transport.close()


def _text(lines: list[Any]) -> str:
    return " ".join(bytes(line).decode(errors="replace") for line in lines if isinstance(line, bytes))[:200]
