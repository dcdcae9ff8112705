"""Models to the JSON shapes declared in schemas.py (times as ISO 8601 UTC with Z)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.models import Attachment, Call, Case, Contact, ContactIdentity, Conversation, FileState, Message, Task
from core.queries import TimelineItem


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, or None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def identity(row: ContactIdentity) -> dict[str, Any]:
    """One way to reach a contact."""
    return {"kind": str(row.kind), "value": row.value, "verified": row.verified, "display": row.display}


async def _prefetch(rows: list[Any], relation: str) -> None:
    # One query per relation for the whole page instead of one per row.
    missing = [r for r in rows if not getattr(r, relation)._fetched]
    if missing:
        await type(missing[0]).fetch_for_list(missing, relation)


async def contacts(rows: list[Contact]) -> list[dict[str, Any]]:
    """Contacts with their identities."""
    await _prefetch(rows, "identities")
    return [_contact(r) for r in rows]


async def contact(row: Contact) -> dict[str, Any]:
    """A contact with its identities."""
    return (await contacts([row]))[0]


def _contact(row: Contact) -> dict[str, Any]:
    identities = sorted(row.identities, key=lambda i: i.id)  # type: ignore[attr-defined]
    return {
        "id": row.id,
        "display_name": row.display_name,
        "account_id": row.account_id,
        "owner_id": row.owner_id,
        "team_id": row.team_id,
        "segment": row.segment,
        "sms_opt_out": row.sms_opt_out,
        "merged_into_id": row.merged_into_id,
        "identities": [identity(i) for i in identities],
        "created_at": iso(row.created_at),
    }


def conversation(row: Conversation) -> dict[str, Any]:
    """A conversation of the unified inbox."""
    return {
        "id": row.id,
        "channel": str(row.channel),
        "status": str(row.status),
        "contact_id": row.contact_id,
        "assignee_id": row.assignee_id,
        "team_id": row.team_id,
        "priority": str(row.priority),
        "labels": [str(label) for label in (row.labels or [])],
        "subject": row.subject,
        "last_activity_at": iso(row.last_activity_at),
        "last_inbound_at": iso(row.last_inbound_at),
        "first_response_at": iso(row.first_response_at),
        "resolved_at": iso(row.resolved_at),
        "created_at": iso(row.created_at),
    }


def attachment(row: Attachment) -> dict[str, Any]:
    """A file's metadata (the bytes are not served here); `state` pending while it is fetched after the ack."""
    return {
        "id": row.id,
        "name": row.name,
        "mime_type": row.mime_type,
        "size": row.size,
        "state": row.state.value,
        "error": row.fetch_error if row.state == FileState.FAILED else None,
    }


async def messages(rows: list[Message]) -> list[dict[str, Any]]:
    """Messages with their attachments."""
    await _prefetch(rows, "attachments")
    return [_message(r) for r in rows]


async def message(row: Message) -> dict[str, Any]:
    """A message with its attachments."""
    return (await messages([row]))[0]


def _message(row: Message) -> dict[str, Any]:
    files = sorted(row.attachments, key=lambda a: a.id)  # type: ignore[attr-defined]
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "direction": str(row.direction),
        "channel": str(row.channel),
        "text": row.text,
        "subject": row.subject,
        "status": str(row.status),
        "internal": row.internal,
        "author_id": row.author_id,
        "error": row.error,
        "created_at": iso(row.created_at),
        "edited_at": iso(row.edited_at),
        "attachments": [attachment(a) for a in files],
    }


def case(row: Case) -> dict[str, Any]:
    """A case with its links and due times."""
    return {
        "id": row.id,
        "number": row.number,
        "type": str(row.type),
        "priority": str(row.priority),
        "status": str(row.status),
        "subject": row.subject,
        "description": row.description,
        "contact_id": row.contact_id,
        "conversation_id": row.conversation_id,
        "device_id": row.device_id,
        "order_id": row.order_id,
        "assignee_id": row.assignee_id,
        "team_id": row.team_id,
        "source_channel": _str(row.source_channel),
        "first_response_due": iso(row.first_response_due),
        "resolution_due": iso(row.resolution_due),
        "first_response_at": iso(row.first_response_at),
        "resolved_at": iso(row.resolved_at),
        "closed_at": iso(row.closed_at),
        "created_at": iso(row.created_at),
    }


def task(row: Task) -> dict[str, Any]:
    """A follow-up task."""
    return {
        "id": row.id,
        "title": row.title,
        "due_at": iso(row.due_at),
        "owner_id": row.owner_id,
        "done_at": iso(row.done_at),
    }


async def call(row: Call) -> dict[str, Any]:
    """A call with the follow-up tasks made from it."""
    await _prefetch([row], "tasks")
    tasks = sorted(row.tasks, key=lambda t: t.id)  # type: ignore[attr-defined]
    return {
        "id": row.id,
        "direction": str(row.direction),
        "number": row.number,
        "contact_id": row.contact_id,
        "user_id": row.user_id,
        "status": str(row.status),
        "outcome": row.outcome,
        "notes": row.notes,
        "duration_seconds": row.duration_seconds,
        "started_at": iso(row.started_at),
        "created_at": iso(row.created_at),
        "follow_ups": [task(t) for t in tasks],
    }


def timeline_item(item: TimelineItem) -> dict[str, Any]:
    """One entry of a contact's timeline."""
    return {
        "kind": item.kind,
        "object_id": item.object_id,
        "at": iso(item.at),
        "summary": item.summary,
        "channel": item.channel,
        "direction": item.direction,
        "status": item.status,
        "conversation_id": item.conversation_id,
        "extra": dict(item.extra),
    }
