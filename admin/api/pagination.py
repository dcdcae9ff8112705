"""`?limit=&offset=` paging and the `{"items", "total", "limit", "offset"}` envelope of every list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from admin.api.schema import Schema
from admin.api.spec import ApiCall, Param

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Deeper than this is a crawler or a bug; OFFSET that large costs the database a full scan.
MAX_OFFSET = 1_000_000

PAGING = (
    Param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        f"page size, 1-{MAX_LIMIT}",
    ),
    Param("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}, "items to skip"),
)


def page_schema(item: Schema) -> Schema:
    """The schema of a page of `item`s."""
    return {
        "type": "object",
        "required": ["items", "total", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer", "minimum": 0, "description": "items matching, over all pages"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        },
        "additionalProperties": False,
    }


def paging(call: ApiCall) -> tuple[int, int]:
    """The validated (limit, offset) of a list request."""
    return call.query["limit"], call.query["offset"]


def page(items: Iterable[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """The list envelope."""
    return {"items": list(items), "total": total, "limit": limit, "offset": offset}
