"""Limits on what a client may send: body size per route, enforced while reading, and JSON nesting.

Checking Content-Length alone lets a chunked body (no Content-Length) grow until the app-wide
`client_max_size`; here every limited route gets its own cap on the request itself, so aiohttp's
`read()` and `post()` stop at that many bytes with 413, whatever the framing. Admin forms are read
here too (one parse, cached on the request): a form that does not parse is a Persian 400 page, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractRoute

from core.text import to_persian_digits

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Route -> bytes, filled by each front door's setup (`limit_body`) before the app starts.
BODY_LIMITS_KEY = web.AppKey("body_limits", dict)
ADMIN_FORM_MAX = 256 * 1024  # the longest admin form is a reply or note of a few pages
LOGIN_FORM_MAX = 16 * 1024  # anonymous: a username and a password
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_JSON_DEPTH = 64  # a Telegram Update nests about 6 deep
_ADMIN_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TOO_LARGE = "حجم فرم بیش از {kib} کیلوبایت است. متن را کوتاه‌تر کنید و دوباره بفرستید."
FORM_UNREADABLE = "فرم فرستاده‌شده خوانا نبود. صفحه را دوباره باز کنید و دوباره بفرستید."


class TooDeep(ValueError):
    """A JSON document nested deeper than allowed."""


def limit_body(app: web.Application, route: AbstractRoute, max_bytes: int) -> AbstractRoute:
    """Cap the request body of `route` at `max_bytes` (413 beyond, also for chunked bodies)."""
    app.setdefault(BODY_LIMITS_KEY, {})[route] = max_bytes
    return route


def body_limit(request: web.Request) -> int | None:
    """The cap for this request's body: the route's own, the admin form limit, or None (the app's default)."""
    declared = request.app.get(BODY_LIMITS_KEY, {}).get(request.match_info.route)
    if declared is not None:
        return int(declared)
    if request.path == "/admin/login":
        return LOGIN_FORM_MAX
    if request.path == "/admin" or request.path.startswith("/admin/"):
        return ADMIN_FORM_MAX
    return None


def _size_text(limit: int) -> str:
    return f"{limit // 1048576} MiB" if limit % 1048576 == 0 else f"{limit // 1024} KiB"


def too_large(limit: int) -> web.Response:
    """The JSON 413 of the webhooks; the connection is closed once the answer is out."""
    response = web.json_response({"error": f"body larger than {_size_text(limit)}"}, status=413)
    response.force_close()
    return response


def loads_json(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON, refusing documents nested deeper than `max_depth` (ValueError, TooDeep, with the reason)."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels") from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > max_depth:
                    raise TooDeep(f"JSON nested deeper than {max_depth} levels")
                stack.append((child, depth + 1))
    return value


async def _admin_form_refusal(request: web.Request, limit: int) -> web.StreamResponse | None:
    """Read an admin form once (cached for the CSRF check and the handler); a Persian page when it cannot be."""
    if request.method not in _ADMIN_UNSAFE or request.content_type not in FORM_TYPES:
        return None
    from admin.web.errors import error_response

    try:
        await request.post()
    except web.HTTPRequestEntityTooLarge:
        response = error_response(request, 413, FORM_TOO_LARGE.format(kib=to_persian_digits(limit // 1024)))
    except (ValueError, LookupError, AssertionError, TypeError):  # aiohttp's form parser on a mangled body
        response = error_response(request, 400, FORM_UNREADABLE)
    else:
        return None
    response.force_close()
    return response


@web.middleware
async def read_limits(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give the request its route's body cap; answer 413 (JSON, or a Persian page under /admin) beyond it."""
    limit = body_limit(request)
    if limit is None or not request.can_read_body:
        return await handler(request)
    limited = request.clone(client_max_size=limit)
    admin = request.path.startswith("/admin")
    if admin and (refused := await _admin_form_refusal(limited, limit)) is not None:
        return refused
    try:
        return await handler(limited)
    except web.HTTPRequestEntityTooLarge:
        if admin:
            raise
        return too_large(limit)
