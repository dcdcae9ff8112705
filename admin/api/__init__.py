"""JSON API v1 under /api/v1 (bearer tokens; OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from aiohttp import web


def setup_api(app: web.Application) -> None:
    """Register every /api/v1 route on `app`."""
    from admin.api.routes import register

    register(app)
