"""Conversations over the API: filters, messages, replies and notes, cases, and team boundaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.inbound import InboundAttachment
from core.models import Channel, Conversation, Message, OutboundMessage, Role, Team
from tests.support.api import ApiClient, ApiServer, api, telegram_message

__all__ = ["api"]


@pytest.fixture
async def admin(api: ApiServer) -> ApiClient:
    return await api.client_for("admin", role=Role.ADMIN)


async def test_conversations_are_listed_with_their_fields_and_filtered_by_channel(admin: ApiClient) -> None:
    telegram = await telegram_message(1001, "سلام، قیمت کولر؟", name="علی")
    bale = await telegram_message(2002, "پیگیری تعمیر", name="زهرا", channel=Channel.BALE)
    everything = await admin.get("/api/v1/conversations")
    assert everything.status == 200, everything
    assert everything.body["total"] == 2
    assert {c["id"] for c in everything.body["items"]} == {telegram.id, bale.id}
    only_bale = await admin.get("/api/v1/conversations", channel="bale")
    assert [c["id"] for c in only_bale.body["items"]] == [bale.id]
    item = only_bale.body["items"][0]
    assert item["channel"] == "bale"
    assert item["contact_id"] == bale.contact_id
    assert {"status", "assignee_id", "team_id", "priority", "labels", "subject", "last_activity_at"} <= set(item)
    status = item["status"]
    assert {c["id"] for c in (await admin.get("/api/v1/conversations", status=status)).body["items"]} >= {bale.id}


async def test_conversations_are_filtered_by_team_assignee_label_and_text(api: ApiServer, admin: ApiClient) -> None:
    team = await Team.create(name="خدمات")
    routed = await telegram_message(11, "کولر گازی صدا می‌دهد", name="رضا")
    pool = await telegram_message(12, "درخواست پیش‌فاکتور", name="سارا")
    await Conversation.filter(id=routed.id).update(team_id=team.id, labels=["vip"])
    by_team = await admin.get("/api/v1/conversations", team=str(team.id))
    assert [c["id"] for c in by_team.body["items"]] == [routed.id]
    unassigned = await admin.get("/api/v1/conversations", assignee="none")
    assert {c["id"] for c in unassigned.body["items"]} == {routed.id, pool.id}
    assert (await admin.get("/api/v1/conversations", assignee="me")).body["total"] == 0
    assert [c["id"] for c in (await admin.get("/api/v1/conversations", label="vip")).body["items"]] == [routed.id]
    assert [c["id"] for c in (await admin.get("/api/v1/conversations", q="پیش فاکتور")).body["items"]] == [pool.id]


async def test_a_conversation_and_its_messages_are_read_with_attachment_metadata(
    admin: ApiClient, tmp_path: Path
) -> None:
    photo = InboundAttachment(name="کولر.jpg", mime_type="image/jpeg", data=b"\xff\xd8\xff" + b"0" * 97)
    conversation = await telegram_message(42, "عکس دستگاه", name="نازنین", files=(photo,), data_dir=tmp_path / "files")
    await telegram_message(42, "شماره سریال پشت دستگاه است", name="نازنین", message_id=2)
    read = await admin.get(f"/api/v1/conversations/{conversation.id}")
    assert read.status == 200
    assert read.body["id"] == conversation.id
    messages = await admin.get(f"/api/v1/conversations/{conversation.id}/messages")
    assert messages.status == 200, messages
    assert messages.body["total"] == 2
    first, second = messages.body["items"]
    assert (first["text"], first["direction"], first["channel"]) == ("عکس دستگاه", "in", "telegram")
    assert first["conversation_id"] == conversation.id
    assert first["created_at"].endswith(("Z", "+00:00"))
    assert [(a["name"], a["mime_type"], a["size"]) for a in first["attachments"]] == [("کولر.jpg", "image/jpeg", 100)]
    assert second["attachments"] == []
    page = await admin.get(f"/api/v1/conversations/{conversation.id}/messages", limit="1", offset="1")
    assert [m["id"] for m in page.body["items"]] == [second["id"]]


async def test_a_reply_is_queued_in_the_outbox_on_the_conversations_channel(admin: ApiClient) -> None:
    conversation = await telegram_message(7, "سلام", name="کیان", channel=Channel.BALE)
    response = await admin.post(f"/api/v1/conversations/{conversation.id}/messages", {"text": "سلام، در خدمتیم."})
    assert response.status == 201, response
    body = response.body
    assert (body["direction"], body["channel"], body["internal"], body["text"]) == (
        "out",
        "bale",
        False,
        "سلام، در خدمتیم.",
    )
    assert body["author_id"] is not None
    outbox = await OutboundMessage.filter(message_id=body["id"])
    assert len(outbox) == 1
    assert outbox[0].channel == Channel.BALE


async def test_an_internal_note_is_stored_but_never_queued_for_sending(admin: ApiClient) -> None:
    conversation = await telegram_message(8, "سلام", name="کیان")
    response = await admin.post(
        f"/api/v1/conversations/{conversation.id}/messages", {"text": "مشتری ویژه است", "internal": True}
    )
    assert response.status == 201, response
    assert response.body["internal"] is True
    assert await Message.filter(id=response.body["id"], internal=True).exists()
    assert await OutboundMessage.all().count() == 0


async def test_an_empty_or_blank_reply_is_refused_with_a_reason(admin: ApiClient) -> None:
    conversation = await telegram_message(9, "سلام", name="کیان")
    for text in ("", "   "):
        response = await admin.post(f"/api/v1/conversations/{conversation.id}/messages", {"text": text})
        assert response.status == 400, (text, response)
        assert response.body["reason"]
    assert await OutboundMessage.all().count() == 0


async def test_a_case_opened_from_a_conversation_is_numbered_and_readable(admin: ApiClient) -> None:
    conversation = await telegram_message(10, "کولر روشن نمی‌شود", name="مهدی")
    response = await admin.post(
        f"/api/v1/conversations/{conversation.id}/case",
        {"type": "service", "priority": "high", "subject": "کولر روشن نمی‌شود"},
    )
    assert response.status == 201, response
    case = response.body
    assert case["number"].count("-") == 1 and len(case["number"].split("-")[1]) == 5
    assert (case["conversation_id"], case["contact_id"]) == (conversation.id, conversation.contact_id)
    assert (case["type"], case["priority"], case["subject"]) == ("service", "high", "کولر روشن نمی‌شود")
    assert (await admin.get(f"/api/v1/cases/{case['id']}")).body == case
    default = await admin.post(f"/api/v1/conversations/{conversation.id}/case")
    assert default.status == 201
    assert (default.body["type"], default.body["priority"]) == ("service", "normal")


async def test_an_agent_of_team_a_gets_403_on_a_team_b_conversation_and_does_not_list_it(api: ApiServer) -> None:
    team_a, team_b = await Team.create(name="فروش"), await Team.create(name="خدمات")
    theirs = await telegram_message(21, "پیگیری", name="پریا")
    ours = await telegram_message(22, "قیمت", name="حسین")
    await Conversation.filter(id=theirs.id).update(team_id=team_b.id)
    await Conversation.filter(id=ours.id).update(team_id=team_a.id)
    agent = await api.client_for("agent_a", team=team_a)
    base = f"/api/v1/conversations/{theirs.id}"
    for response in (
        await agent.get(base),
        await agent.get(base + "/messages"),
        await agent.post(base + "/messages", {"text": "سلام"}),
        await agent.post(base + "/messages", {"text": "یادداشت", "internal": True}),
        await agent.post(base + "/case", {}),
    ):
        assert response.status == 403, response
        assert response.body["error"] == "forbidden"
    assert await Message.filter(conversation_id=theirs.id).count() == 1
    listed = await agent.get("/api/v1/conversations")
    assert [c["id"] for c in listed.body["items"]] == [ours.id]
    assert (await agent.get(f"/api/v1/conversations/{ours.id}")).status == 200
