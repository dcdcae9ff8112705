"""Form plumbing of the staff pages (users, teams, audit): reading fields, flash messages, refusals in Persian."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from admin.web import copy
from admin.web.context import session_of
from admin.web.templating import render
from core.actions.staff_rules import StaffError
from core.text import to_ascii_digits

ERROR_MARK = "!"  # the same flash convention as the record pages: a leading "!" marks an error


def field(form: Mapping[str, Any], name: str, limit: int = 200) -> str:
    """A text field of a posted form, trimmed and cut to `limit` characters (never a file)."""
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def int_or_none(value: object) -> int | None:
    """An id typed with any digit set, or None for empty or non-numeric input."""
    text = to_ascii_digits(str(value or "")).strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def refusal(exc: StaffError) -> str:
    """The Persian sentence for a refused staff change."""
    return copy.STAFF_ERRORS.get(exc.code, copy.STAFF_ERROR_OTHER)


def flash(request: web.Request, text: str, *, error: bool = False) -> None:
    """Show `text` once on the next page."""
    session_of(request).flash = (ERROR_MARK if error else "") + text


def redirect(request: web.Request, path: str, text: str = "", *, error: bool = False) -> web.HTTPFound:
    """The redirect after a successful POST, with an optional flash message."""
    if text:
        flash(request, text, error=error)
    return web.HTTPFound(path)


def page(template: str, request: web.Request, context: dict[str, Any], *, status: int = 200) -> web.Response:
    """Render a staff page with the pending flash message (then forgotten) and the Persian name tables."""
    session = session_of(request)
    text, session.flash = session.flash, ""
    extra = {
        "flash": text.removeprefix(ERROR_MARK),
        "flash_error": text.startswith(ERROR_MARK),
        "role_names": copy.ROLE_NAMES,
        "scope_names": copy.SCOPE_NAMES,
        "work_names": copy.WORK_NAMES,
        "action_names": copy.ACTION_NAMES,
        "object_names": copy.OBJECT_NAMES,
        "error": "",
    }
    return render(template, request, {**extra, **context}, status=status)


def secret_page(request: web.Request, context: dict[str, Any]) -> web.Response:
    """The page that shows a new password once; never cached, never stored by the browser."""
    response = page("users_secret.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response
