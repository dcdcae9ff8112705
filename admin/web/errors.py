"""Persian error pages for everything under /admin (403, 404, 500 and the rest), never a traceback."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from admin.web import copy
from admin.web.templating import render
from core.errors import Forbidden, NotFound, ValidationError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PERSIAN = re.compile("[\u0600-\u06ff]")
EXCEPTIONS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    401: web.HTTPUnauthorized,
    403: web.HTTPForbidden,
    404: web.HTTPNotFound,
    500: web.HTTPInternalServerError,
}
PLAIN_500 = "خطای سامانه. لطفاً چند لحظهٔ دیگر دوباره تلاش کنید."


def error_response(request: web.Request, status: int, message: str = "") -> web.Response:
    """The Persian page for `status`; `message` (Persian) replaces the standard explanation."""
    title, standard = copy.ERROR_PAGES.get(status, copy.ERROR_PAGES[400 if status < 500 else 500])
    context = {"status": status, "title": title, "message": message or standard}
    response = render("errors/error.html", request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def page_error(request: web.Request, status: int, message: str = "") -> web.HTTPException:
    """The same page as an exception to raise from a handler (403 from require_role, 404 for a missing row)."""
    page = error_response(request, status, message)
    kind = EXCEPTIONS.get(status, web.HTTPBadRequest)
    headers = {k: v for k, v in page.headers.items() if k not in ("Content-Type", "Content-Length")}
    return kind(text=page.text, content_type="text/html", headers=headers)


def _persian_text(exc: web.HTTPException) -> str:
    # aiohttp's own errors say "404: Not Found" in English; a Persian text was written for staff.
    text = exc.text or ""
    return text if PERSIAN.search(text) else ""


def _from_http(request: web.Request, exc: web.HTTPException) -> web.Response:
    response = error_response(request, exc.status, _persian_text(exc))
    if "Allow" in exc.headers:
        response.headers["Allow"] = exc.headers["Allow"]
    for name, morsel in exc.cookies.items():  # a session saved on the way out (sign-in limit, flash)
        response.cookies[name] = morsel
    return response


def _plain_500() -> web.Response:
    return web.Response(status=500, text=PLAIN_500, content_type="text/plain")


@web.middleware
async def admin_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure under /admin into a Persian page with the right status; other paths pass untouched."""
    if not request.path.startswith("/admin"):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "text/html":
            raise  # redirects, and pages already rendered (require_role, page_error)
        return _from_http(request, exc)
    except Forbidden as exc:  # a core refusal (core/areas.py) names the area in Persian
        return error_response(request, 403, str(exc) if PERSIAN.search(str(exc)) else "")
    except NotFound:
        return error_response(request, 404)
    except ValidationError:
        return error_response(request, 400)
    except Exception:
        log.exception("admin error on %s %s", request.method, request.path)
        try:
            return error_response(request, 500)
        except Exception:
            log.exception("the error page itself failed")
            return _plain_500()
