"""GET /healthz for load balancers."""

from __future__ import annotations

from aiohttp import web

from core.db import ping


async def healthz(request: web.Request) -> web.Response:
    """200 {"status": "ok"} when the database answers, else 503."""
    if await ping():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "unavailable", "reason": "database"}, status=503)
