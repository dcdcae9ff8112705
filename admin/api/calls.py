"""Phone calls logged by hand (the PBX reports its own through /hooks/cti)."""

from __future__ import annotations

from typing import Any

from admin.api import serializers as out
from admin.api.schema import parse_datetime
from admin.api.schemas import enum, ref
from admin.api.spec import ApiCall, api
from core.access import contact_q
from core.actions.calls import log_call
from core.areas import Area
from core.errors import ValidationError
from core.models import Contact
from core.models.enums import CallDirection, CallStatus

LOG = {
    "type": "object",
    "required": ["direction", "number"],
    "properties": {
        "direction": enum(CallDirection),
        "status": {**enum(CallStatus), "default": CallStatus.COMPLETED.value},
        "number": {
            "type": "string",
            "minLength": 1,
            "maxLength": 40,
            "description": "the other party's number in any form or digit set (۰۹۱۲…, +98…)",
        },
        "outcome": {"type": "string", "maxLength": 60},
        "notes": {"type": "string", "maxLength": 10000},
        "duration_seconds": {"type": "integer", "minimum": 0, "maximum": 86400},
        "started_at": {"type": "string", "format": "date-time"},
        "follow_up": {"type": "string", "minLength": 1, "maxLength": 300, "description": "title of a follow-up task"},
        "follow_up_due": {"type": "string", "format": "date-time", "description": "when the follow-up is due"},
    },
    "additionalProperties": False,
}


def _when(body: dict[str, Any], name: str) -> Any:
    return parse_datetime(body[name]) if name in body else None


@api.post("/calls", summary="Log a call", tag="calls", area=Area.CALLS, body=LOG, response=ref("Call"), status=201)
async def post_call(call: ApiCall) -> dict[str, Any]:
    """Log a call made or taken by hand; the number is matched to a contact, `follow_up` creates a task.

    `contact_id` is null when the number belongs to a contact you may not open: the call is
    recorded on it, but logging a call never lets you see a contact you could not see before.
    """
    body = call.body
    if "follow_up_due" in body and "follow_up" not in body:
        raise ValidationError("body.follow_up_due: give follow_up (the task's title) too")
    row = await log_call(
        direction=CallDirection(body["direction"]),
        number=body["number"],
        by=call.user,
        outcome=body.get("outcome", ""),
        notes=body.get("notes", ""),
        duration_seconds=body.get("duration_seconds", 0),
        started_at=_when(body, "started_at"),
        follow_up=body.get("follow_up"),
        follow_up_due=_when(body, "follow_up_due"),
        status=CallStatus(body.get("status", CallStatus.COMPLETED)),
    )
    answer = await out.call(row)
    contact_id = answer["contact_id"]
    if contact_id is not None and not await Contact.filter(contact_q(call.user), id=contact_id).exists():
        answer["contact_id"] = None
    return answer
