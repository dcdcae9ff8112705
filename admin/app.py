"""Builds the aiohttp application from its parts."""

from __future__ import annotations

from aiohttp import web

from admin.app_keys import SETTINGS_KEY
from admin.health import healthz
from admin.limits import BODY_LIMITS_KEY, read_limits
from core.config import Settings

__all__ = ["SETTINGS_KEY", "create_app"]


def create_app(settings: Settings) -> web.Application:
    """The web app with every route: health, API, webhooks and admin."""
    # The app-wide cap suits the API's file uploads; webhooks and admin forms get smaller ones per route.
    app = web.Application(client_max_size=25 * 1024 * 1024)
    app[SETTINGS_KEY] = settings
    app[BODY_LIMITS_KEY] = {}
    app.middlewares.append(read_limits)  # first, so every other middleware and handler reads the capped request
    app.router.add_get("/healthz", healthz)
    from admin.api import setup_api

    setup_api(app)
    from admin.hooks.cti import setup as setup_cti_hook

    setup_cti_hook(app)
    from admin.hooks.telegram import setup as setup_telegram_hooks

    setup_telegram_hooks(app)
    from admin.hooks.kavenegar import setup as setup_kavenegar_hooks

    setup_kavenegar_hooks(app)
    from admin.web import setup_web

    setup_web(app)
    return app
