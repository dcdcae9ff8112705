"""Live updates (INB-10): Server-Sent Events at /admin/events, only of records the signed-in user may see.

Each connected page is a client with a queue. Every event on `core.pubsub.live` (this process's
and, on PostgreSQL, the other processes') is checked against each client's user: conversation,
case and contact events by the record-level access rules, call events only for the agent the
call rings for or was answered by. live.js turns them into page updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from admin.app_keys import SETTINGS_KEY
from admin.web.context import current_user
from core import pubsub
from core.access import case_q, contact_q, conversation_q
from core.events import Event
from core.models import Call, Case, Contact, Conversation, Message, User
from core.phones import try_normalize_phone
from core.text import normalize_search, to_ascii_digits

log = logging.getLogger(__name__)

STREAMED = ("message.", "note.", "conversation.", "case.", "call.", "contact.")
PASSED = ("conversation_id", "message_id", "case_id", "contact_id", "call_id", "status", "new", "old")
HEARTBEAT_S = 15.0
QUEUE_SIZE = 500


@dataclass(eq=False)
class Client:
    """One open event stream."""

    user_id: int
    queue: asyncio.Queue[dict[str, Any] | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


def _rings_for(user: User, names: list[Any]) -> bool:
    """True when the PBX named this user: extension, phone, username or full name."""
    phone = try_normalize_phone(user.phone) if user.phone else None
    for raw in names:
        name = str(raw).strip()
        digits = to_ascii_digits(name)
        if (user.extension and digits == user.extension) or (phone and try_normalize_phone(name) == phone):
            return True
        if name.lower() == user.username.lower() or (
            user.full_name and normalize_search(name) == normalize_search(user.full_name)
        ):
            return True
    return False


async def _call_for(user: User, event: Event) -> bool:
    call = await Call.get_or_none(id=event.data.get("call_id") or 0)
    if call is None:
        return False
    if call.user_id == user.id:
        return True
    return _rings_for(user, list(event.data.get("users") or ()))


async def visible_payload(user: User, event: Event) -> dict[str, Any] | None:
    """What `user` may learn of `event` (ids and statuses only), or None when it is not theirs to see."""
    if not user.is_active or not event.name.startswith(STREAMED):
        return None
    data = {k: event.data[k] for k in PASSED if k in event.data}
    if event.name.startswith("call."):
        return {"name": event.name, **data} if await _call_for(user, event) else None
    if "message_id" in data and "conversation_id" not in data:
        message = await Message.get_or_none(id=data["message_id"])
        if message is None:
            return None
        data["conversation_id"] = message.conversation_id
    if "conversation_id" in data:
        allowed = await Conversation.filter(conversation_q(user), id=data["conversation_id"]).exists()
    elif "case_id" in data:
        allowed = await Case.filter(case_q(user), id=data["case_id"]).exists()
    elif "contact_id" in data:
        allowed = await Contact.filter(contact_q(user), id=data["contact_id"]).exists()
    else:
        allowed = False
    return {"name": event.name, **data} if allowed else None


class Hub:
    """The open streams of this app and the fan-out of events to them (in order, off the publisher's path)."""

    def __init__(self) -> None:
        self.clients: set[Client] = set()
        self._events: asyncio.Queue[Event] = asyncio.Queue(10_000)
        self._worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the fan-out worker."""
        self._worker = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """End every stream and the worker."""
        await self.close_all()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    def dispatch(self, event: Event) -> None:
        """Take one event for fan-out (the publisher does not wait for the access checks)."""
        if self.clients and event.name.startswith(STREAMED):
            with contextlib.suppress(asyncio.QueueFull):
                self._events.put_nowait(event)

    async def _run(self) -> None:
        while True:
            event = await self._events.get()
            try:
                await self.fan_out(event)
            except Exception:
                log.exception("live event %s could not be sent to the pages", event.name)

    async def fan_out(self, event: Event) -> None:
        """Offer one event to every client whose user may see it."""
        for client in list(self.clients):
            user = await User.get_or_none(id=client.user_id, is_active=True)
            payload = await visible_payload(user, event) if user is not None else None
            if user is None or payload is not None:
                with contextlib.suppress(asyncio.QueueFull):
                    client.queue.put_nowait(payload)  # None ends the stream of a deactivated user

    async def close_all(self, _app: web.Application | None = None) -> None:
        """End every stream (at shutdown, so the server need not wait for them)."""
        for client in list(self.clients):
            with contextlib.suppress(asyncio.QueueFull):
                client.queue.put_nowait(None)


HUB_KEY = web.AppKey("live_hub", Hub)


async def events(request: web.Request) -> web.StreamResponse:
    """GET /admin/events: the signed-in user's live events as text/event-stream."""
    user = current_user(request)
    hub = request.app[HUB_KEY]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    client = Client(user.id)
    hub.clients.add(client)
    try:
        await response.write(b"retry: 3000\n: connected\n\n")
        while True:
            try:
                item = await asyncio.wait_for(client.queue.get(), HEARTBEAT_S)
            except TimeoutError:
                await response.write(b": ping\n\n")
                continue
            if item is None:
                break
            await response.write(f"event: peyk\ndata: {json.dumps(item, ensure_ascii=False)}\n\n".encode())
    except ConnectionResetError:
        pass  # the page was closed
    finally:
        hub.clients.discard(client)
    return response


async def _live(app: web.Application) -> AsyncIterator[None]:
    hub = app[HUB_KEY]
    hub.start()
    await pubsub.acquire(app[SETTINGS_KEY].database_url)
    unsubscribe = pubsub.live.subscribe("", hub.dispatch)
    try:
        yield
    finally:
        unsubscribe()
        await hub.stop()
        await pubsub.release()


def setup(app: web.Application) -> None:
    """The event stream route, its hub, and the process's live-events PubSub for the app's lifetime."""
    app[HUB_KEY] = Hub()
    app.router.add_get("/admin/events", events, name="events")
    app.on_shutdown.append(app[HUB_KEY].close_all)
    app.cleanup_ctx.append(_live)
