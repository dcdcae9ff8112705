"""Shared pieces of the record pages: access errors as Persian pages, flash messages, form values, paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from admin.web import words
from admin.web.context import current_user, session_of
from admin.web.errors import page_error
from admin.web.templating import render
from core.access import get_case_for, get_contact_for, get_conversation_for
from core.errors import Forbidden, NotFound
from core.models import Case, Contact, Conversation, User
from core.text import to_ascii_digits

T = TypeVar("T")
PAGE_SIZE = 25


def error_page(request: web.Request, status: int, message: str) -> web.HTTPException:
    """A Persian error page (403, 404, 400) as an exception to raise."""
    return page_error(request, status, message)


async def _visible(
    request: web.Request, getter: Callable[[User, int], Awaitable[T]], key: str, given: object = None
) -> T:
    record_id = int_or_none(request.match_info.get(key) if given is None else given)
    if record_id is None:
        raise error_page(request, 404, words.NOT_FOUND)
    try:
        return await getter(current_user(request), record_id)
    except NotFound:
        raise error_page(request, 404, words.NOT_FOUND) from None
    except Forbidden:
        raise error_page(request, 403, words.FORBIDDEN) from None


async def visible_conversation(request: web.Request, key: str = "id", *, record_id: object = None) -> Conversation:
    """The conversation in the URL if the signed-in user may see it, else a Persian 404/403 page."""
    return await _visible(request, get_conversation_for, key, record_id)


async def visible_case(request: web.Request, key: str = "id", *, record_id: object = None) -> Case:
    """The case in the URL if the signed-in user may see it, else a Persian 404/403 page."""
    return await _visible(request, get_case_for, key, record_id)


async def visible_contact(request: web.Request, key: str = "id", *, record_id: object = None) -> Contact:
    """The contact in the URL (merged ones resolve to the survivor) if visible, else a Persian 404/403 page."""
    return await _visible(request, get_contact_for, key, record_id)


def int_or_none(value: object) -> int | None:
    """An integer typed with any digit set, or None for empty or non-numeric input."""
    text = to_ascii_digits(str(value or "")).strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


ERROR_MARK = "!"


def flash(request: web.Request, text: str, *, error: bool = False) -> None:
    """Show `text` once on the next page (as an error when `error`)."""
    session_of(request).flash = (ERROR_MARK if error else "") + text


def pop_flash(request: web.Request) -> tuple[str, bool]:
    """The pending flash message and whether it is an error (then forgotten)."""
    session = session_of(request)
    text, session.flash = session.flash, ""
    return text.removeprefix(ERROR_MARK), text.startswith(ERROR_MARK)


def back(request: web.Request, path: str, text: str = "", *, error: bool = False) -> web.HTTPFound:
    """Redirect after a POST, with an optional flash message."""
    if text:
        flash(request, text, error=error)
    return web.HTTPFound(path)


def page_view(template: str, request: web.Request, context: dict[str, Any], *, status: int = 200) -> web.Response:
    """Render a record page with the flash message and the Persian word tables."""
    text, is_error = pop_flash(request)
    return render(template, request, {"flash": text, "flash_error": is_error, "w": words, **context}, status=status)


@dataclass(frozen=True)
class Paging:
    """Offset paging with links that keep the other query parameters."""

    offset: int
    limit: int
    total: int
    query: Mapping[str, str]

    @classmethod
    def of(cls, query: Mapping[str, str], total: int = 0, limit: int = PAGE_SIZE) -> Paging:
        offset = int_or_none(query.get("offset")) or 0
        return cls(offset=offset, limit=limit, total=total, query=query)

    def link(self, offset: int) -> str:
        params = {k: v for k, v in self.query.items() if k != "offset" and v}
        if offset > 0:
            params["offset"] = str(offset)
        return "?" + urlencode(params) if params else "?"

    @property
    def prev(self) -> str | None:
        return self.link(max(0, self.offset - self.limit)) if self.offset > 0 else None

    @property
    def next(self) -> str | None:
        return self.link(self.offset + self.limit) if self.offset + self.limit < self.total else None

    @property
    def first_shown(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.limit)
