"""JSON API v1 under /api/v1 (bearer tokens; OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from aiohttp import web


def setup_api(app: web.Application) -> None:
    """Register the API's middlewares (JSON errors, bearer auth) and every /api/v1 route on `app`."""
    from admin.api.auth import auth_middleware
    from admin.api.errors import error_middleware
    from admin.api.routes import register

    # Order matters: the error middleware wraps auth, so auth's own failures also answer JSON.
    app.middlewares.append(error_middleware)
    app.middlewares.append(auth_middleware)
    register(app)
