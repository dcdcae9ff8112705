"""Typed keys of values stored on the aiohttp application."""

from __future__ import annotations

from aiohttp import web

from core.config import Settings

SETTINGS_KEY = web.AppKey("settings", Settings)
