"""Live updates: /admin/events streams only what the signed-in user may see; events cross processes on PostgreSQL."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from core import pubsub
from core.actions.contacts import create_contact
from core.actions.cti import handle_cti_event
from core.actions.outbox import send_reply
from core.cti import CtiEvent
from core.events import Event, EventBus
from core.models import IdentityKind, User
from core.models.enums import CallDirection
from tests.support.databases import backend
from tests.support.desk import Desk, desk
from tests.support.inbound import telegram
from tests.support.sse import EventStream
from tests.support.web import web

__all__ = ["desk", "web"]


async def test_a_visitor_without_a_session_gets_no_event_stream(desk: Desk) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(desk.web.url + "/admin/events", headers={"Accept": "text/event-stream"}) as resp:
            assert resp.status == 401


async def test_an_agent_hears_of_a_new_message_in_a_team_conversation_but_not_of_another_team(desk: Desk) -> None:
    # Team B's conversation is routed before the stream opens: a brand-new conversation sits in the
    # shared pool (visible to every team) until it is assigned, so only later events must stay hidden.
    theirs = await desk.conversation(desk.team_b, "پیام تیم ب")
    browser = await desk.signed_in("agent_a")
    stream = await EventStream.open(browser.session, desk.web.url)
    try:
        await desk.ingest(telegram(int(theirs.thread_key), "پیام دوم تیم ب", message_id=2), desk.team_b)
        ours = await desk.conversation(desk.team_a, "پیام تیم الف")
        seen = []
        while len(seen) < 10:
            event = await stream.next()
            seen.append(event)
            if event["name"] == "conversation.assigned" and event["conversation_id"] == ours.id:
                break
        assert all(e.get("conversation_id") != theirs.id for e in seen)
        assert any(e["name"] == "conversation.assigned" and e["conversation_id"] == ours.id for e in seen)
        await desk.ingest(telegram(int(ours.thread_key), "پیام دوم", message_id=2), desk.team_a)
        received = await stream.until("message.received", conversation_id=ours.id)
        assert set(received) <= {"name", "conversation_id", "message_id", "contact_id", "status"}
    finally:
        stream.close()


async def test_a_note_and_a_status_change_reach_the_open_page_of_the_conversation(desk: Desk) -> None:
    conversation = await desk.conversation(desk.team_a)
    browser = await desk.signed_in("agent_a")
    stream = await EventStream.open(browser.session, desk.web.url)
    try:
        await send_reply(conversation.id, "یادداشت همکار", by=desk.agent_a, internal=True)
        note = await stream.until("note.added", conversation_id=conversation.id)
        status, part = await browser.get(f"/admin/conversations/{conversation.id}/messages?only={note['message_id']}")
        assert status == 200 and "یادداشت همکار" in part and "msg-note" in part
    finally:
        stream.close()


async def test_a_ringing_call_pops_up_only_for_the_agent_whose_extension_the_pbx_named(desk: Desk) -> None:
    await create_contact("امیر رضایی", identities=[(IdentityKind.PHONE, "09121234567")], by=desk.agent_a)
    a = await desk.signed_in("agent_a")
    b = await desk.signed_in("agent_b")
    stream_a = await EventStream.open(a.session, desk.web.url)
    stream_b = await EventStream.open(b.session, desk.web.url)
    try:
        call = await handle_cti_event(
            CtiEvent("newCall", "pbx-77", CallDirection.IN, from_number="۰۹۱۲۱۲۳۴۵۶۷", users=("201",))
        )
        ringing = await stream_a.until("call.ringing")
        assert ringing["call_id"] == call.id
        marker = await desk.conversation(desk.team_b, "نشانه")
        heard = [await stream_b.next()]
        while heard[-1].get("conversation_id") != marker.id:
            heard.append(await stream_b.next())
        assert not [e for e in heard if e["name"].startswith("call.")]  # agent_b heard nothing of the call
    finally:
        stream_a.close()
        stream_b.close()


async def test_a_deactivated_users_stream_is_ended(desk: Desk) -> None:
    browser = await desk.signed_in("agent_a")
    stream = await EventStream.open(browser.session, desk.web.url)
    try:
        await User.filter(id=desk.agent_a.id).update(is_active=False)
        await desk.conversation(desk.team_a)
        with pytest.raises(ConnectionError):
            await stream.next()
    finally:
        stream.close()


async def test_events_cross_processes_through_postgresql_notify_or_stay_in_process_on_sqlite(db: str) -> None:
    """Two PubSubs with their own origins stand for two processes sharing one database."""
    bus_a, live_a, bus_b, live_b = EventBus(), EventBus(), EventBus(), EventBus()
    dsn = pubsub.listen_dsn(db)
    heard_a: asyncio.Queue[Event] = asyncio.Queue()
    heard_b: asyncio.Queue[Event] = asyncio.Queue()
    live_a.subscribe("", heard_a.put)
    live_b.subscribe("", heard_b.put)
    first = await pubsub.PubSub(dsn, source=bus_a, target=live_a, origin="process-a").start()
    second = await pubsub.PubSub(dsn, source=bus_b, target=live_b, origin="process-b").start()
    try:
        await asyncio.wait_for(asyncio.gather(first.ready.wait(), second.ready.wait()), 10)
        await bus_a.publish(Event("message.received", {"conversation_id": 7, "message_id": 70}))
        assert (await asyncio.wait_for(heard_a.get(), 5)).data["conversation_id"] == 7  # in-process, always
        if backend() == "postgres":
            crossed = await asyncio.wait_for(heard_b.get(), 10)
            assert (crossed.name, crossed.data) == ("message.received", {"conversation_id": 7, "message_id": 70})
            await asyncio.sleep(0.3)
            assert heard_a.empty()  # a process does not hear its own notification back
        else:
            assert dsn is None
            await asyncio.sleep(0.3)
            assert heard_b.empty()  # SQLite: no other process to tell
    finally:
        await first.stop()
        await second.stop()
