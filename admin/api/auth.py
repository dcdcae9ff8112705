"""Bearer-token authentication of /api/v1 (tokens from `python run.py token USER`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from tortoise.expressions import Q

from admin.api.errors import error_response, is_api
from core.models import ApiToken, User
from core.passwords import token_digest

log = logging.getLogger(__name__)

USER_KEY = web.RequestKey("api_user", User)
PUBLIC_KEY = web.AppKey("api_public_routes", set)
# last_used_at is bookkeeping for admins ("is this token still in use?"); a write per request would be waste.
TOUCH_EVERY = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="peyk"'}


def current_user(request: web.Request) -> User:
    """The authenticated staff user of an API request."""
    return request[USER_KEY]


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    return token if token and len(token) <= MAX_TOKEN_LENGTH and " " not in token else None


async def _touch(token: ApiToken) -> None:
    now = datetime.now(UTC)
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    try:
        # Conditional UPDATE: concurrent requests of one token write at most once per minute.
        await ApiToken.filter(
            Q(id=token.id) & (Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY))
        ).update(last_used_at=now)
    except Exception:
        log.warning("could not record API token use", exc_info=True)


async def authenticate(request: web.Request) -> User | str:
    """The token's active user, or the reason the request is refused."""
    if "Authorization" not in request.headers:
        return "missing Authorization: Bearer <token> header"
    raw = _bearer(request)
    if raw is None:
        return "malformed Authorization header; expected 'Bearer <token>'"
    token = await ApiToken.filter(token_hash=token_digest(raw), revoked=False).select_related("user").first()
    if token is None:
        return "unknown or revoked token"
    if not token.user.is_active:
        return "the token's user is deactivated"
    await _touch(token)
    return token.user


def _is_public(request: web.Request) -> bool:
    route = request.match_info.route
    resource = route.resource
    if resource is None:
        return False
    return (route.method, resource.canonical) in request.app.get(PUBLIC_KEY, set())


@web.middleware
async def auth_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Refuse every /api request without a valid bearer token (except routes marked public)."""
    if not is_api(request.path) or _is_public(request):
        return await handler(request)
    outcome = await authenticate(request)
    if isinstance(outcome, str):
        return error_response(401, outcome, CHALLENGE)
    request[USER_KEY] = outcome
    return await handler(request)
