"""POST /hooks/cti/{token}: the PBX's generic CTI webhook (newCall / answer / hangup, JSON or form)."""

from __future__ import annotations

import hmac
import logging
from urllib.parse import parse_qsl

from aiohttp import web

from admin.app import SETTINGS_KEY
from admin.limits import limit_body, too_large
from channels.cti import InvalidInbound, parse_form, parse_json
from core.actions.cti import handle_cti_event
from core.cti import CtiEvent

log = logging.getLogger(__name__)

PATH = "/hooks/cti/{token}"
MAX_BODY = 64 * 1024  # a CTI event is a few hundred bytes


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


async def _event(request: web.Request) -> CtiEvent:
    ctype = request.content_type
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except ValueError as exc:
            raise InvalidInbound(f"malformed form body: {exc}") from exc
        return parse_form(form.items())
    body = await request.read()
    if ctype == "application/json" or body.lstrip()[:1] in (b"{", b"["):
        try:
            return parse_json(body)
        except RecursionError:  # thousands of nested brackets: bad input like any other
            raise InvalidInbound("JSON nested too deeply") from None
    # PBX scripts often post key=value without a content type.
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInbound("body is neither JSON nor form fields") from exc
    return parse_form(pairs)


async def cti_hook(request: web.Request) -> web.Response:
    """Record one PBX call event; 404 when CTI is off, 403 on a wrong token, 400 on bad input."""
    expected = request.app[SETTINGS_KEY].cti_token
    if not expected:
        return _error(404, "CTI is not configured (set PEYK_CTI_TOKEN)")
    if not hmac.compare_digest(request.match_info["token"].encode(), expected.encode()):
        return _error(403, "wrong CTI token")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return too_large(MAX_BODY)
    try:
        event = await _event(request)
    except InvalidInbound as exc:
        log.info("CTI event refused: %s", exc)
        return _error(400, str(exc))
    call = await handle_cti_event(event)
    log.info("CTI %s for call %s: %s", event.event, call.id, call.status)
    # The generic CTI convention: an empty JSON object means "taken, nothing for the PBX to do".
    return web.json_response({})


def setup(app: web.Application) -> None:
    """Register the CTI webhook route."""
    limit_body(app, app.router.add_post(PATH, cti_hook), MAX_BODY)  # also chunked bodies (admin.limits)
