"""Jinja2 environment of the admin: Persian filters for dates, digits, money and phones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from admin.app_keys import SETTINGS_KEY
from admin.web.context import SESSION_KEY, USER_KEY
from admin.web.nav import nav_items
from core.jalali import format_date, format_date_numeric, format_datetime, format_time
from core.money import format_money
from core.phones import format_phone_for_display
from core.text import to_persian_digits

# Scripts and styles only from our own origin; images may be inline data (sanitized email).
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _or_dash(fn: Any) -> Any:
    def wrapped(value: Any, *args: Any) -> str:
        return "—" if value is None or value == "" else fn(value, *args)

    return wrapped


def filters(timezone: str, currency: str) -> dict[str, Any]:
    """The template filters; every date is Jalali and every digit Persian."""
    return {
        "jdate": _or_dash(lambda v: format_date(v, timezone)),
        "jdate_num": _or_dash(lambda v: format_date_numeric(v, timezone)),
        "jdatetime": _or_dash(lambda v: format_datetime(v, timezone)),
        "jtime": _or_dash(lambda v: format_time(v, timezone)),
        "fa": _or_dash(to_persian_digits),
        "money": _or_dash(lambda v: format_money(int(v), currency)),
        "phone": _or_dash(format_phone_for_display),
    }


def render(template: str, request: web.Request, context: dict[str, Any], *, status: int = 200) -> web.Response:
    """Render a page with the signed-in user, the CSRF token and the current path added."""
    session = request.get(SESSION_KEY)
    base = {
        "user": request.get(USER_KEY),
        "csrf_token": session.csrf if session else "",
        "path": request.path,
    }
    response = aiohttp_jinja2.render_template(template, request, {**base, **context}, status=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def setup_templates(app: web.Application) -> None:
    """Install Jinja2 with autoescaping, the Persian filters and the per-request context."""
    settings = app[SETTINGS_KEY]
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(filters(settings.timezone, settings.currency))
    env.globals["nav_items"] = nav_items
    env.globals["static"] = lambda path: app.router["static"].url_for(filename=path)
