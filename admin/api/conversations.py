"""Conversations of the unified inbox: list, read, messages, reply or note, open a case."""

from __future__ import annotations

from typing import Any

from admin.api import serializers as out
from admin.api.pagination import PAGING, page, page_schema, paging
from admin.api.schemas import enum, ref
from admin.api.spec import MAX_DB_INT, ApiCall, Param, api, path_id
from core.access import get_conversation_for
from core.actions.cases import open_case_from_conversation
from core.actions.outbox import send_reply
from core.areas import Area
from core.errors import ValidationError
from core.models import User
from core.models.enums import CaseType, Channel, ConversationStatus, Priority
from core.queries import conversation_messages, list_conversations

FILTERS = (
    Param("status", enum(ConversationStatus), "only conversations in this status"),
    Param("channel", enum(Channel), "only conversations on this channel"),
    Param(
        "assignee",
        {"type": "string", "pattern": r"^([0-9]{1,10}|me|none)$"},
        "a staff user id, `me`, or `none` for unassigned",
    ),
    Param("team", {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT}, "team id"),
    Param("label", {"type": "string", "minLength": 1, "maxLength": 60}, "conversations carrying this label"),
    Param("q", {"type": "string", "maxLength": 200}, "text in messages or subject, or the contact's name or phone"),
    Param("contact", {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT}, "only this contact's conversations"),
)
REPLY = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 10000},
        "internal": {"type": "boolean", "default": False, "description": "an internal note: stored, never sent"},
    },
    "additionalProperties": False,
}
CASE = {
    "type": "object",
    "properties": {
        "type": {**enum(CaseType), "default": CaseType.SERVICE.value},
        "priority": {**enum(Priority), "default": Priority.NORMAL.value},
        "subject": {"type": "string", "maxLength": 300},
        "description": {"type": "string", "maxLength": 10000},
    },
    "additionalProperties": False,
}
CONVERSATION_ID = path_id(what="conversation")


def _assignee_id(value: str | None, user: User) -> int | None:
    if value in (None, "none"):
        return None
    if value == "me":
        return user.id
    number = int(value)
    if number > MAX_DB_INT:
        raise ValidationError(f"query parameter assignee: must be at most {MAX_DB_INT}")
    return number


@api.get(
    "/conversations",
    summary="List conversations",
    tag="conversations",
    area=Area.INBOX,
    params=(*FILTERS, *PAGING),
    response=page_schema(ref("Conversation")),
)
async def list_conversations_(call: ApiCall) -> dict[str, Any]:
    """Conversations you may see, most recent activity first."""
    limit, offset = paging(call)
    query = call.query
    assignee = query.get("assignee")
    rows, total = await list_conversations(
        user=call.user,
        status=query.get("status"),
        channel=query.get("channel"),
        assignee_id=_assignee_id(assignee, call.user),
        unassigned=assignee == "none",
        team_id=query.get("team"),
        label=query.get("label"),
        q=query.get("q") or None,
        contact_id=query.get("contact"),
        limit=limit,
        offset=offset,
    )
    return page([out.conversation(c) for c in rows], total, limit, offset)


@api.get(
    "/conversations/{id}",
    summary="A conversation",
    tag="conversations",
    area=Area.INBOX,
    params=(CONVERSATION_ID,),
    response=ref("Conversation"),
    errors=(403,),
)
async def get_conversation(call: ApiCall) -> dict[str, Any]:
    """One conversation (403 when it belongs to a team you cannot see)."""
    return out.conversation(await get_conversation_for(call.user, call.path["id"]))


@api.get(
    "/conversations/{id}/messages",
    summary="Messages of a conversation",
    tag="conversations",
    area=Area.INBOX,
    params=(CONVERSATION_ID, *PAGING),
    response=page_schema(ref("Message")),
    errors=(403,),
)
async def get_messages(call: ApiCall) -> dict[str, Any]:
    """Messages and internal notes in the order they happened, with attachment metadata."""
    conversation = await get_conversation_for(call.user, call.path["id"])
    limit, offset = paging(call)
    rows, total = await conversation_messages(conversation.id, limit=limit, offset=offset)
    return page(await out.messages(list(rows)), total, limit, offset)


@api.post(
    "/conversations/{id}/messages",
    summary="Reply, or add an internal note",
    tag="conversations",
    area=Area.INBOX,
    params=(CONVERSATION_ID,),
    body=REPLY,
    response=ref("Message"),
    status=201,
    errors=(403,),
)
async def post_message(call: ApiCall) -> dict[str, Any]:
    """Queue a reply on the conversation's own channel (status `queued`), or store an internal note."""
    conversation = await get_conversation_for(call.user, call.path["id"])
    message = await send_reply(
        conversation.id, call.body["text"], by=call.user, internal=call.body.get("internal", False)
    )
    return await out.message(message)


@api.post(
    "/conversations/{id}/case",
    summary="Open a case from a conversation",
    tag="conversations",
    area=Area.CASES,
    params=(CONVERSATION_ID,),
    body=CASE,
    body_required=False,
    response=ref("Case"),
    status=201,
    errors=(403,),
)
async def post_case(call: ApiCall) -> dict[str, Any]:
    """A new case for the conversation's contact, numbered with the Jalali year (1405-00042)."""
    conversation = await get_conversation_for(call.user, call.path["id"])
    body = call.body
    case = await open_case_from_conversation(
        conversation.id,
        by=call.user,
        type=CaseType(body.get("type", CaseType.SERVICE)),
        priority=Priority(body.get("priority", Priority.NORMAL)),
        subject=body.get("subject", ""),
        description=body.get("description", ""),
    )
    return out.case(case)
