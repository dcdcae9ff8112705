"""Route table of the JSON API."""

from __future__ import annotations

from aiohttp import web


def register(app: web.Application) -> None:
    """Add the /api/v1 routes (filled in by the API module)."""
    app.router.add_get("/api/v1/openapi.json", _openapi)


async def _openapi(request: web.Request) -> web.Response:
    return web.json_response({"openapi": "3.1.0", "info": {"title": "Peyk API", "version": "1"}, "paths": {}})
