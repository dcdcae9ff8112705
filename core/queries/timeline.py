"""A contact's timeline (INB-7): messages of every channel, calls, cases, leads and tasks in one time order.

Each kind of record is a source: an async function (contact_id, viewer, limit) -> items that
returns only what the viewer may open (PLT-4; viewer None is the system and sees everything).
Orders, installments and survey answers plug in later with `register_timeline_source`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q, Subquery

from core.access import call_q, case_q, conversation_q, lead_q, task_q
from core.models import Call, Case, Conversation, Lead, Message, Task, User

SUMMARY_LENGTH = 140


@dataclass(frozen=True)
class TimelineItem:
    """One entry: when, what kind (message/note/call/case/lead/task/...), which row, and a short summary."""

    at: datetime
    kind: str
    object_id: int
    summary: str
    channel: str | None = None
    direction: str | None = None
    status: str | None = None
    conversation_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Source = Callable[[int, User | None, int | None], Awaitable[list[TimelineItem]]]
_SOURCES: dict[str, Source] = {}


def register_timeline_source(name: str, source: Source) -> None:
    """Add (or replace) a source of timeline items, e.g. orders or installments."""
    _SOURCES[name] = source


def _short(*parts: str | None) -> str:
    text = " — ".join(" ".join(p.split()) for p in parts if p and p.strip())
    return text[: SUMMARY_LENGTH - 1] + "…" if len(text) > SUMMARY_LENGTH else text


def _limited(qs: Any, limit: int | None) -> Any:
    return qs.limit(limit) if limit else qs


def _seen(rule: Callable[[User], Q], viewer: User | None) -> Q:
    return Q() if viewer is None else rule(viewer)


async def _messages(contact_id: int, viewer: User | None, limit: int | None) -> list[TimelineItem]:
    # Messages and internal notes only of conversations the viewer may open.
    visible = Conversation.filter(_seen(conversation_q, viewer), contact_id=contact_id).values("id")
    qs = Message.filter(conversation__contact_id=contact_id, conversation_id__in=Subquery(visible))
    rows = await _limited(qs.order_by("-created_at", "-id"), limit)
    return [
        TimelineItem(
            at=m.created_at,
            kind="note" if m.internal else "message",
            object_id=m.id,
            summary=_short(m.subject, m.text),
            channel=m.channel.value,
            direction=m.direction.value,
            status=m.status.value,
            conversation_id=m.conversation_id,
        )
        for m in rows
    ]


async def _calls(contact_id: int, viewer: User | None, limit: int | None) -> list[TimelineItem]:
    qs = Call.filter(_seen(call_q, viewer), contact_id=contact_id)
    rows = await _limited(qs.order_by("-created_at", "-id"), limit)
    return [
        TimelineItem(
            at=c.started_at or c.created_at,
            kind="call",
            object_id=c.id,
            summary=_short(c.number, c.outcome, c.notes),
            channel="call",
            direction=c.direction.value,
            status=c.status.value,
            extra={"duration_seconds": c.duration_seconds},
        )
        for c in rows
    ]


async def _cases(contact_id: int, viewer: User | None, limit: int | None) -> list[TimelineItem]:
    qs = Case.filter(_seen(case_q, viewer), contact_id=contact_id)
    rows = await _limited(qs.order_by("-created_at", "-id"), limit)
    return [
        TimelineItem(
            at=c.created_at,
            kind="case",
            object_id=c.id,
            summary=_short(c.number, c.subject),
            channel=c.source_channel.value if c.source_channel else None,
            status=c.status.value,
            conversation_id=c.conversation_id,
            extra={"number": c.number, "type": c.type.value},
        )
        for c in rows
    ]


async def _leads(contact_id: int, viewer: User | None, limit: int | None) -> list[TimelineItem]:
    qs = Lead.filter(_seen(lead_q, viewer), contact_id=contact_id)
    rows = await _limited(qs.order_by("-created_at", "-id"), limit)
    return [
        TimelineItem(
            at=lead.created_at,
            kind="lead",
            object_id=lead.id,
            summary=_short(lead.title),
            channel=lead.source_channel.value if lead.source_channel else None,
            status=lead.status.value,
            conversation_id=lead.conversation_id,
        )
        for lead in rows
    ]


async def _tasks(contact_id: int, viewer: User | None, limit: int | None) -> list[TimelineItem]:
    qs = Task.filter(_seen(task_q, viewer), contact_id=contact_id)
    rows = await _limited(qs.order_by("-created_at", "-id"), limit)
    return [
        TimelineItem(
            at=t.created_at,
            kind="task",
            object_id=t.id,
            summary=_short(t.title),
            status="done" if t.done_at else "open",
            extra={"due_at": t.due_at.isoformat() if t.due_at else None, "task_kind": t.kind},
        )
        for t in rows
    ]


for _name, _source in (
    ("message", _messages),
    ("call", _calls),
    ("case", _cases),
    ("lead", _leads),
    ("task", _tasks),
):
    register_timeline_source(_name, _source)


def _key(item: TimelineItem) -> tuple[datetime, str, int]:
    at = item.at if item.at.tzinfo else item.at.replace(tzinfo=UTC)
    return at, item.kind, item.object_id


async def contact_timeline(
    contact_id: int, *, user: User | None, limit: int | None = None, newest_first: bool = True
) -> list[TimelineItem]:
    """What happened with a contact that `user` may open (None: everything), newest first by default."""
    items: list[TimelineItem] = []
    for source in list(_SOURCES.values()):
        items.extend(await source(contact_id, user, limit))
    items.sort(key=_key, reverse=True)
    items = items[:limit] if limit else items  # the newest `limit`, whichever order they are shown in
    return items if newest_first else items[::-1]
