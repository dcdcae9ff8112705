"""POST /hooks/telegram and /hooks/bale: Bot API webhooks, answered only after the update is stored."""

from __future__ import annotations

import hmac
import logging
from collections.abc import MutableMapping

from aiohttp import web

from admin.app import SETTINGS_KEY
from admin.limits import limit_body, loads_json, too_large
from bots.door import UpdateDoor
from core.models import Channel

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an Update is a few KiB; files are fetched separately
# The doors of the running bots, filled by bootstrap (bots.runtime) after the app is built.
DOORS_KEY = web.AppKey[MutableMapping[Channel, UpdateDoor]]("bot_doors")


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def _secret_matches(request: web.Request) -> bool:
    expected = request.app[SETTINGS_KEY].telegram_webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    # compare_digest on bytes of any length: constant time in the expected secret's content.
    if not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


async def _take(request: web.Request, channel: Channel) -> web.Response:
    if not _secret_matches(request):
        log.warning("%s webhook with a wrong or missing secret from %s", channel, request.remote)
        return _error(403, f"wrong or missing {SECRET_HEADER}")
    door: UpdateDoor | None = request.app[DOORS_KEY].get(channel)
    if door is None:
        return _error(404, f"the {channel.value} bot is not configured")
    if request.content_type != "application/json":
        return _error(400, "expected Content-Type: application/json")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return too_large(MAX_BODY)
    try:
        raw = loads_json(await request.read())  # a chunked body stops at MAX_BODY with 413 (admin.limits)
    except ValueError as exc:  # also UnicodeDecodeError, and nesting too deep
        return _error(400, f"body is not valid JSON: {exc}")
    if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
        return _error(400, "expected a JSON object with an integer update_id")
    result = await door.take(raw)
    if result.status == "invalid":
        return _error(400, result.reason)
    if not result.ok:
        # Nothing stored: a 5xx makes Telegram deliver the update again later.
        return _error(500, "the update could not be stored; it will be retried")
    return web.json_response({"ok": True, "status": result.status})


async def telegram_hook(request: web.Request) -> web.Response:
    """Take one Telegram Update (secret header, JSON) and answer after it is stored."""
    return await _take(request, Channel.TELEGRAM)


async def bale_hook(request: web.Request) -> web.Response:
    """Take one Bale Update, exactly like Telegram's, as channel `bale`."""
    return await _take(request, Channel.BALE)


def setup(app: web.Application) -> None:
    """Register the two webhook routes and the (initially empty) door registry."""
    app[DOORS_KEY] = {}
    limit_body(app, app.router.add_post("/hooks/telegram", telegram_hook), MAX_BODY)
    limit_body(app, app.router.add_post("/hooks/bale", bale_hook), MAX_BODY)
