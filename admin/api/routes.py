"""Wires the route table into the aiohttp router, plus the public OpenAPI document."""

from __future__ import annotations

from typing import Any

from aiohttp import web

# Each resource module fills the route table with its decorators when imported.
from admin.api import calls, cases, contacts, conversations, letters  # noqa: F401
from admin.api.auth import PUBLIC_KEY
from admin.api.domain import register as register_domain
from admin.api.openapi import document
from admin.api.spec import ApiCall, Endpoint, api

register_domain()  # products, devices, orders, purchase orders, surveys (admin/api/domain.py)
OPENAPI_PATH = "/openapi.json"


@api.get(
    OPENAPI_PATH,
    summary="This OpenAPI 3.1 document",
    tag="meta",
    response={"type": "object", "required": ["openapi", "paths"]},
    public=True,
)
async def openapi_document(call: ApiCall) -> dict[str, Any]:
    """The OpenAPI description of every route, generated from the declarations the routes validate with."""
    return document(api.endpoints)


def endpoints() -> list[Endpoint]:
    """Every declared endpoint."""
    return list(api.endpoints)


def register(app: web.Application) -> None:
    """Add every declared endpoint to the app's router; remember which ones need no token."""
    public: set[tuple[str, str]] = set()
    for ep in api.endpoints:
        app.router.add_route(ep.method, ep.full_path, ep.handle, name="api_" + ep.handler.__name__.strip("_"))
        if ep.public:
            public.add((ep.method, ep.full_path))
    app[PUBLIC_KEY] = public
