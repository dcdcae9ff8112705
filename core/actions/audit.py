"""Writing audit rows for staff changes (always inside the action's transaction)."""

from __future__ import annotations

from typing import Any

from core.models import AuditLog, User


async def record(user: User | None, action: str, obj: Any, **changes: Any) -> None:
    """Append one audit row: who did `action` to `obj`, with the changed fields."""
    await AuditLog.create(
        user=user,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=str(obj.pk),
        changes={k: _plain(v) for k, v in changes.items()},
    )


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


async def record_raw(user: User | None, action: str, object_type: str, object_id: str, **changes: Any) -> None:
    """Append an audit row about something that is not a model row (a sign-in, an export)."""
    await AuditLog.create(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes={k: _plain(v) for k, v in changes.items()},
    )
