"""The shared inbox (INB-3, INB-9): conversations the user may see, filtered, counted, searched and paged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from tortoise.functions import Max

from admin.web import words
from admin.web.context import current_user
from admin.web.records import Paging, page_view
from admin.web.templating import render
from core.errors import ValidationError
from core.models import Channel, Contact, Conversation, ConversationStatus, Message, User
from core.queries import list_conversations

VIEWS = {"all": "همه", "mine": "گفتگوهای من", "unassigned": "بدون مسئول", "team": "تیم من"}
ACTIVE = "bot,open,pending"
STATUS_FILTERS = {"active": "جاری", **words.CONVERSATION_STATUS_NAMES, "any": "همهٔ وضعیت‌ها"}
EXCERPT = 90


@dataclass(frozen=True)
class Row:
    """One line of the inbox list."""

    conversation: Conversation
    contact: Contact | None
    assignee: User | None
    last: Message | None

    @property
    def excerpt(self) -> str:
        if self.last is None:
            return ""
        text = " ".join((self.last.subject + " " + self.last.text if self.last.subject else self.last.text).split())
        return text[: EXCERPT - 1] + "…" if len(text) > EXCERPT else text


def _filters(user: User, query: dict[str, str], view: str) -> dict[str, Any]:
    status = query.get("status") or "active"
    filters: dict[str, Any] = {
        "status": None if status == "any" else (ACTIVE if status == "active" else status),
        "channel": query.get("channel") or None,
        "label": query.get("label") or None,
        "q": query.get("q") or None,
    }
    if view == "mine":
        filters["assignee_id"] = user.id
    elif view == "unassigned":
        filters["unassigned"] = True
    elif view == "team":
        filters["team_id"] = user.team_id if user.team_id is not None else -1
    return filters


async def _count(user: User, filters: dict[str, Any]) -> int:
    return (await list_conversations(user=user, limit=1, **filters))[1]


async def _rows(conversations: list[Conversation]) -> list[Row]:
    ids = [c.id for c in conversations]
    contacts = {c.id: c for c in await Contact.filter(id__in=[c.contact_id for c in conversations])}
    users: dict[int | None, User] = {
        u.id: u for u in await User.filter(id__in=[c.assignee_id for c in conversations if c.assignee_id])
    }
    newest = (
        await Message.filter(conversation_id__in=ids, internal=False)
        .group_by("conversation_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    last = {m.conversation_id: m for m in await Message.filter(id__in=[i for i in newest if i])}
    return [Row(c, contacts.get(c.contact_id), users.get(c.assignee_id), last.get(c.id)) for c in conversations]


async def inbox(request: web.Request) -> web.Response:
    """GET /admin/inbox: the list; `?part=rows` returns only the list (the live update refetches it)."""
    user = current_user(request)
    query = {k: v.strip() for k, v in request.query.items() if k != "part"}
    view = query["view"] if query.get("view") in VIEWS else "all"
    query["view"] = view
    filters = _filters(user, query, view)
    paging = Paging.of(query)
    error = ""
    try:
        conversations, total = await list_conversations(user=user, limit=paging.limit, offset=paging.offset, **filters)
        counts = {name: await _count(user, _filters(user, query, name)) for name in VIEWS}
    except ValidationError:
        conversations, total, counts, error = [], 0, dict.fromkeys(VIEWS, 0), words.BAD_INPUT
    paging = Paging.of(query, total)
    context = {
        "rows": await _rows(conversations),
        "paging": paging,
        "query": query,
        "view": view,
        "views": VIEWS,
        "counts": counts,
        "statuses": STATUS_FILTERS,
        "channels": {c.value: words.CHANNEL_NAMES[c.value] for c in Channel},
        "error": error,
        "live_statuses": [s.value for s in ConversationStatus],
    }
    if request.query.get("part") == "rows":
        return render("inbox_rows.html", request, {"w": words, **context})
    return page_view("inbox.html", request, context)
