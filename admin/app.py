"""Builds the aiohttp application from its parts."""

from __future__ import annotations

from aiohttp import web

from admin.app_keys import SETTINGS_KEY
from admin.health import healthz
from core.config import Settings

__all__ = ["SETTINGS_KEY", "create_app"]


def create_app(settings: Settings) -> web.Application:
    """The web app with every route: health, API, webhooks and admin."""
    app = web.Application(client_max_size=25 * 1024 * 1024)
    app[SETTINGS_KEY] = settings
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
