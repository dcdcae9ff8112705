"""GET or POST /hooks/kavenegar/{secret}/inbound and /status: Kavenegar's inbound-SMS and delivery callbacks.

Fields come as query parameters or a form body. The path secret is compared in constant time; a
wrong one stores nothing. Inbound is answered 200 only after the message is committed, so
Kavenegar retries anything we did not keep; a repeat is answered 200 and stores nothing new.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import weakref
from urllib.parse import parse_qsl

from aiohttp import web

from admin.app import SETTINGS_KEY
from admin.limits import limit_body, loads_json, too_large
from channels.base import InvalidInbound
from channels.kavenegar import map_status, parse_inbound, parse_status, status_reason
from core.actions.dispatch import set_delivery_status
from core.actions.sms import receive_sms
from core.models import Channel, MessageStatus
from handlers.engine import engine_for
from handlers.stepper import StepOwed, stepper

log = logging.getLogger(__name__)

# `[^/]*` also matches an empty secret, so a missing one is refused with 403 like a wrong one.
INBOUND_PATH = "/hooks/kavenegar/{secret:[^/]*}/inbound"
STATUS_PATH = "/hooks/kavenegar/{secret:[^/]*}/status"
MAX_BODY = 64 * 1024  # an SMS callback is well under 2 KiB
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_senders: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def _refusal(request: web.Request) -> web.Response | None:
    """404 when SMS is off, 403 on a wrong secret, 413 on an oversized body; None when allowed."""
    settings = request.app[SETTINGS_KEY]
    expected = settings.kavenegar_callback_secret
    if not settings.kavenegar_api_key or not expected:
        return _error(404, "SMS is not configured (set PEYK_KAVENEGAR_API_KEY and PEYK_KAVENEGAR_CALLBACK_SECRET)")
    if not hmac.compare_digest(request.match_info["secret"].encode(), expected.encode()):
        return _error(403, "wrong callback secret")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return too_large(MAX_BODY)
    return None


async def _fields(request: web.Request) -> dict[str, str]:
    """Query parameters, overlaid with the form (or JSON object) body of a POST."""
    fields = {key: request.query[key] for key in request.query}
    if request.method != "POST" or not request.can_read_body:
        return fields
    try:
        if request.content_type in FORM_TYPES:
            form = await request.post()
            fields.update({k: v for k, v in form.items() if isinstance(v, str)})
            return fields
        body = (await request.read()).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInbound(f"malformed body: {exc}") from None
    if body.lstrip().startswith("{"):
        try:
            data = loads_json(body)
        except ValueError as exc:  # also nesting too deep
            raise InvalidInbound(f"body is not valid JSON: {exc}") from None
        fields.update({str(k): str(v) for k, v in data.items() if v is not None})
    elif body.strip():
        fields.update(parse_qsl(body, keep_blank_values=True))
    return fields


def _sender_lock(sender: str) -> asyncio.Lock:
    """The in-process lock of one sender's inbound messages (dropped once none is in flight)."""
    lock = _senders.get(sender)
    if lock is None:
        lock = _senders[sender] = asyncio.Lock()
    return lock


async def inbound_sms(request: web.Request) -> web.Response:
    """Store one inbound SMS (deduped on messageid); opt-out words mark the number."""
    if (refused := _refusal(request)) is not None:
        return refused
    try:
        msg = parse_inbound(await _fields(request))
    except InvalidInbound as exc:
        log.info("Kavenegar inbound refused: %s", exc)
        return _error(400, str(exc))
    owed = StepOwed(msg)
    # One sender's messages are stored and offered to the bot in arrival order, as at the Telegram door.
    async with _sender_lock(msg.identity_value):
        result = await receive_sms(msg, then=owed)
        if owed.turn is not None:  # committed with its mark; the bot answers after this 200, once, in order
            stepper.submit(owed.turn, engine_for(request.app[SETTINGS_KEY]))
    return web.json_response({"ok": True, "message_id": result.message.id, "duplicate": not result.created})


async def delivery_status(request: web.Request) -> web.Response:
    """Apply one delivery report (messageid, numeric status) to the sent message."""
    if (refused := _refusal(request)) is not None:
        return refused
    try:
        provider_id, code = parse_status(await _fields(request))
    except InvalidInbound as exc:
        log.info("Kavenegar status refused: %s", exc)
        return _error(400, str(exc))
    try:
        status = map_status(code)
    except ValueError:
        # A code we do not track (50 received, 100 unknown id): answer OK so Kavenegar stops resending.
        log.info("Kavenegar status %s for %s ignored", code, provider_id)
        return web.json_response({"ok": True, "ignored": True})
    reason = status_reason(code) if status == MessageStatus.FAILED else None
    row = await set_delivery_status(Channel.SMS, provider_id, status, reason=reason)
    return web.json_response({"ok": True, "found": row is not None})


def setup(app: web.Application) -> None:
    """Register the Kavenegar callback routes (GET and POST each)."""
    for path, handler in ((INBOUND_PATH, inbound_sms), (STATUS_PATH, delivery_status)):
        app.router.add_route("GET", path, handler)
        limit_body(app, app.router.add_route("POST", path, handler), MAX_BODY)  # also chunked bodies
