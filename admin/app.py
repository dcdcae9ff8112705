"""Builds the aiohttp application from its parts."""

from __future__ import annotations

from aiohttp import web

from admin.health import healthz
from core.config import Settings

SETTINGS_KEY = web.AppKey("settings", Settings)


def create_app(settings: Settings) -> web.Application:
    """The web app with every route: health, API, webhooks and admin."""
    app = web.Application(client_max_size=25 * 1024 * 1024)
    app[SETTINGS_KEY] = settings
    app.router.add_get("/healthz", healthz)
    from admin.api import setup_api

    setup_api(app)
    return app
