"""A table of hostile values sent to every parameter and body field of every documented route: never a 500."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

from core.actions.cases import open_case_from_conversation
from core.actions.contacts import create_contact
from core.models import Role
from tests.support.api import ApiClient, ApiServer, api, telegram_message

__all__ = ["api"]

HOSTILE: list[Any] = [
    "",
    "\x00",
    "a\x00b",
    "۱۲۳",
    "-1",
    "--5",
    "²",
    "١٢",
    "0",
    "99999999999999999999999999",
    "1e400",
    "' OR 1=1 --",
    "%",
    "x" * 5000,
    "🙂" * 3,
    10**30,
    -(10**30),
    -1,
    0,
    1.5,
    True,
    None,
    [],
    [[["deep"]]],
    {},
    {"$gt": ""},
]


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


async def _fixture(api: ApiServer) -> tuple[ApiClient, dict[str, int], dict[tuple[str, str], dict[str, Any]]]:
    admin = await api.client_for("admin", role=Role.ADMIN)
    conversation = await telegram_message(1, "سلام", name="علی")
    case = await open_case_from_conversation(conversation.id, by=None)
    other = await create_contact("رضا")
    ids = {
        "/api/v1/contacts/{id}": conversation.contact_id,
        "/api/v1/conversations/{id}": conversation.id,
        "/api/v1/cases/{id}": case.id,
    }
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("post", "/api/v1/contacts"): {"display_name": "کیان"},
        ("post", "/api/v1/contacts/{id}/merge"): {"merge_id": other.id},
        ("post", "/api/v1/conversations/{id}/messages"): {"text": "سلام", "internal": True},
        ("post", "/api/v1/conversations/{id}/case"): {"subject": "خرابی"},
        ("post", "/api/v1/calls"): {"direction": "in", "number": "09121234567"},
    }
    return admin, ids, bodies


def _concrete(path: str, ids: dict[str, int], value: str | None = None) -> str:
    for prefix, record_id in ids.items():
        if path.startswith(prefix):
            return path.replace("{id}", quote(value, safe="") if value is not None else str(record_id))
    return path


async def check_survives(client: ApiClient, method: str, path: str, body: Any, params: dict[str, str] | None) -> None:
    if method == "get":
        response = await client.request("GET", path, params=params)
    else:
        response = await client.request("POST", path, json_body=body if body is not None else {}, params=params)
    assert response.status < 500, (method, path, params, str(body)[:200], response)
    if response.status >= 400:
        assert set(response.body) == {"error", "reason"}, response


async def test_no_hostile_value_in_any_parameter_or_body_field_makes_a_route_fail(api: ApiServer) -> None:
    admin, ids, bodies = await _fixture(api)
    document = (await admin.get("/api/v1/openapi.json")).body
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if content and "application/json" not in content:
                continue  # multipart uploads are exercised by their own tests
            base = bodies.get((method, path))
            for param in operation["parameters"]:
                for value in HOSTILE:
                    if param["in"] == "path":
                        target = _concrete(path, ids, _as_text(value) or "%20")
                        await check_survives(admin, method, target, base, None)
                    else:
                        await check_survives(
                            admin, method, _concrete(path, ids), base, {param["name"]: _as_text(value)}
                        )
            schema = content.get("application/json", {}).get("schema", {})
            for field in schema.get("properties", {}):
                for value in HOSTILE:
                    body = copy.deepcopy(base or {})
                    body[field] = value
                    await check_survives(admin, method, _concrete(path, ids), body, None)
