"""Every /api answer that is not a success: JSON `{"error": code, "reason": text}`, never HTML or a traceback."""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from aiohttp import web

from core.errors import Forbidden, NotFound, ValidationError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api(path: str) -> bool:
    """True for every path the API answers (JSON errors, bearer auth)."""
    return path == "/api" or path.startswith(API_PREFIX)


CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    500: "internal",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "reason"],
    "properties": {
        "error": {"type": "string", "enum": list(CODES.values()), "description": "machine-readable code"},
        "reason": {"type": "string", "description": "what was wrong, for a developer"},
    },
    "additionalProperties": False,
}

dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


class ApiError(Exception):
    """An HTTP error with a reason, raised anywhere in the API and turned into the JSON answer."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with Persian text kept readable (not \\u-escaped)."""
    return web.json_response(data, status=status, headers=headers, dumps=dumps)


def error_response(status: int, reason: str, headers: dict[str, str] | None = None) -> web.Response:
    """The JSON error body for `status`."""
    return json_response({"error": CODES.get(status, "error"), "reason": reason}, status=status, headers=headers)


def _from_http(exc: web.HTTPException) -> web.Response:
    reasons = {
        404: "no such API route",
        405: "method not allowed on this route",
        413: "request body is too large",
    }
    reason = reasons.get(exc.status, exc.reason)
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    return error_response(exc.status, reason, headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Map exceptions under /api/ to JSON errors; everything else passes through untouched."""
    if not is_api(request.path):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.reason, exc.headers)
    except ValidationError as exc:
        return error_response(400, str(exc) or "invalid input")
    except Forbidden as exc:
        return error_response(403, str(exc) or "you may not access this record")
    except NotFound as exc:
        return error_response(404, str(exc) or "no such record")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _from_http(exc)
    except Exception:
        # The reason stays generic: internals (SQL, paths, values) belong in the log only.
        log.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "internal error; it has been logged")
