"""JSON schemas of the API's resources (OpenAPI `components.schemas`); serializers.py produces these shapes."""

from __future__ import annotations

from enum import StrEnum

from admin.api.errors import ERROR_SCHEMA
from admin.api.schema import Schema
from core.models.enums import (
    CallDirection,
    CallStatus,
    CaseStatus,
    CaseType,
    Channel,
    ConversationStatus,
    Direction,
    FileState,
    IdentityKind,
    MessageStatus,
    Priority,
)


def ref(name: str) -> Schema:
    """A reference to one of COMPONENTS."""
    return {"$ref": f"#/components/schemas/{name}"}


def enum(values: type[StrEnum]) -> Schema:
    """A string limited to the values of a StrEnum."""
    return {"type": "string", "enum": [v.value for v in values]}


def obj(props: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """A closed object whose properties are all present unless `required` says otherwise."""
    return {
        "type": "object",
        "required": list(props) if required is None else required,
        "properties": props,
        "additionalProperties": False,
    }


ID: Schema = {"type": "integer", "minimum": 1}
OPT_ID: Schema = {"type": ["integer", "null"]}
TIME: Schema = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC"}
OPT_TIME: Schema = {"type": ["string", "null"], "format": "date-time"}
TEXT: Schema = {"type": "string"}
OPT_TEXT: Schema = {"type": ["string", "null"]}

IDENTITY = obj({"kind": enum(IdentityKind), "value": TEXT, "verified": {"type": "boolean"}, "display": TEXT})
CONTACT = obj(
    {
        "id": ID,
        "display_name": TEXT,
        "account_id": OPT_ID,
        "owner_id": OPT_ID,
        "team_id": OPT_ID,
        "segment": OPT_TEXT,
        "sms_opt_out": {"type": "boolean"},
        "merged_into_id": {**OPT_ID, "description": "set when this contact was merged into another"},
        "identities": {"type": "array", "items": ref("Identity")},
        "created_at": TIME,
    }
)
CONVERSATION = obj(
    {
        "id": ID,
        "channel": enum(Channel),
        "status": enum(ConversationStatus),
        "contact_id": ID,
        "assignee_id": OPT_ID,
        "team_id": OPT_ID,
        "priority": enum(Priority),
        "labels": {"type": "array", "items": TEXT},
        "subject": TEXT,
        "last_activity_at": TIME,
        "last_inbound_at": OPT_TIME,
        "first_response_at": OPT_TIME,
        "resolved_at": OPT_TIME,
        "created_at": TIME,
    }
)
ATTACHMENT = obj(
    {
        "id": ID,
        "name": TEXT,
        "mime_type": TEXT,
        "size": {"type": "integer", "minimum": 0},
        "state": {**enum(FileState), "description": "pending while a bot file is fetched after the ack"},
        "error": {**OPT_TEXT, "description": "why a file could not be fetched (state failed)"},
    }
)
MESSAGE = obj(
    {
        "id": ID,
        "conversation_id": ID,
        "direction": enum(Direction),
        "channel": enum(Channel),
        "text": TEXT,
        "subject": TEXT,
        "status": enum(MessageStatus),
        "internal": {"type": "boolean", "description": "an internal note, never sent to the customer"},
        "author_id": OPT_ID,
        "error": {**OPT_TEXT, "description": "why sending failed"},
        "created_at": TIME,
        "edited_at": OPT_TIME,
        "attachments": {"type": "array", "items": ref("Attachment")},
    }
)
CASE = obj(
    {
        "id": ID,
        "number": {"type": "string", "description": "Jalali year and sequence, e.g. 1405-00042"},
        "type": enum(CaseType),
        "priority": enum(Priority),
        "status": enum(CaseStatus),
        "subject": TEXT,
        "description": TEXT,
        "contact_id": ID,
        "conversation_id": OPT_ID,
        "device_id": OPT_ID,
        "order_id": OPT_ID,
        "assignee_id": OPT_ID,
        "team_id": OPT_ID,
        "source_channel": OPT_TEXT,
        "first_response_due": OPT_TIME,
        "resolution_due": OPT_TIME,
        "first_response_at": OPT_TIME,
        "resolved_at": OPT_TIME,
        "closed_at": OPT_TIME,
        "created_at": TIME,
    }
)
TASK = obj({"id": ID, "title": TEXT, "due_at": OPT_TIME, "owner_id": OPT_ID, "done_at": OPT_TIME})
CALL = obj(
    {
        "id": ID,
        "direction": enum(CallDirection),
        "number": {"type": "string", "description": "E.164, e.g. +989121234567"},
        "contact_id": OPT_ID,
        "user_id": OPT_ID,
        "status": enum(CallStatus),
        "outcome": TEXT,
        "notes": TEXT,
        "duration_seconds": {"type": "integer", "minimum": 0},
        "started_at": OPT_TIME,
        "created_at": TIME,
        "follow_ups": {"type": "array", "items": ref("Task")},
    }
)
TIMELINE_ITEM = obj(
    {
        "kind": {"type": "string", "description": "message, note, call, case, lead, task, ..."},
        "object_id": {**ID, "description": "id of the record of that kind"},
        "at": TIME,
        "summary": TEXT,
        "channel": OPT_TEXT,
        "direction": OPT_TEXT,
        "status": OPT_TEXT,
        "conversation_id": OPT_ID,
        "extra": {"type": "object", "description": "kind-specific details (case number, call duration, ...)"},
    }
)

COMPONENTS: dict[str, Schema] = {
    "Error": ERROR_SCHEMA,
    "Identity": IDENTITY,
    "Contact": CONTACT,
    "Conversation": CONVERSATION,
    "Attachment": ATTACHMENT,
    "Message": MESSAGE,
    "Case": CASE,
    "Task": TASK,
    "Call": CALL,
    "TimelineItem": TIMELINE_ITEM,
}
