"""The PBX's generic CTI webhook: turn one posted event (JSON or form) into a CtiEvent.

The fields are those of the widely used generic CTI push interface, so existing PBX
scripts work unchanged: `event` (newCall / answer / hangup), `callId`, `from`, `to`,
`direction` (in / out), `user` (or `user[]`, one per involved staff member),
`answeringNumber`, `cause` and the optional `queue`. Pure: no I/O, no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from channels.base import InvalidInbound, parse_error
from core.cti import EVENTS, CtiEvent
from core.models.enums import CallDirection

__all__ = [
    "InvalidInbound",
    "parse_form",
    "parse_json",
]

MAX_CALL_ID = 250
MAX_FIELD = 200


def _text(name: str, value: Any, *, limit: int = MAX_FIELD) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise parse_error(f"field {name!r} must be text", got=type(value).__name__)
    text = str(value).strip()
    if len(text) > limit:
        raise parse_error(f"field {name!r} is longer than {limit} characters")
    if any(ord(ch) < 32 for ch in text):
        raise parse_error(f"field {name!r} contains control characters")
    return text


def _users(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(u for u in (_text("user", item) for item in items) if u)


def _build(fields: Mapping[str, Any]) -> CtiEvent:
    event = _text("event", fields.get("event"))
    if event not in EVENTS:
        raise parse_error("event must be newCall, answer or hangup", event=event or None)
    call_id = _text("callId", fields.get("callId"), limit=MAX_CALL_ID)
    if not call_id:
        raise parse_error("callId is required")
    direction = _text("direction", fields.get("direction")) or "in"
    if direction not in ("in", "out"):
        raise parse_error("direction must be in or out", direction=direction)
    cause = _text("cause", fields.get("cause"), limit=30)
    return CtiEvent(
        event=event,
        call_id=call_id,
        direction=CallDirection(direction),
        from_number=_text("from", fields.get("from"), limit=64),
        to_number=_text("to", fields.get("to"), limit=64),
        users=_users(fields.get("user")),
        answering_number=_text("answeringNumber", fields.get("answeringNumber")),
        cause=cause,
        queue=_text("queue", fields.get("queue")),
    )


def parse_json(body: bytes) -> CtiEvent:
    """A JSON event body to a CtiEvent; InvalidInbound with the reason otherwise."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise parse_error("body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise parse_error("JSON body must be an object")
    if "user[]" in data and "user" not in data:
        data["user"] = data["user[]"]
    return _build(data)


def parse_form(pairs: Iterable[tuple[str, Any]]) -> CtiEvent:
    """Form fields (urlencoded or multipart, `user[]` repeated) to a CtiEvent."""
    fields: dict[str, Any] = {}
    users: list[Any] = []
    for key, value in pairs:
        if key in ("user", "user[]"):
            users.append(value)
        elif key in fields:
            raise parse_error(f"field {key!r} is given twice")
        else:
            fields[key] = value
    if users:
        fields["user"] = users
    return _build(fields)
