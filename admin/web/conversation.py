"""The conversation page: the whole thread (INB-5, INB-8) with the reply box and the staff actions."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from admin.web import words
from admin.web.context import current_user
from admin.web.records import int_or_none, page_view, visible_conversation
from admin.web.templating import render
from core.models import (
    Attachment,
    Case,
    CaseType,
    Channel,
    Contact,
    ContactIdentity,
    ConversationStatus,
    FileState,
    Lead,
    Message,
    Priority,
    Team,
    User,
)
from core.queries import conversation_messages, search_contacts

THREAD_SIZE = 300  # newest messages shown at once; older ones are a link away
INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
VIEWABLE = INLINE_IMAGES | {"application/pdf"}


@dataclass(frozen=True)
class Item:
    """One message of the thread with its author and files."""

    message: Message
    author: User | None
    files: list[Attachment]

    @property
    def kind(self) -> str:
        return "note" if self.message.internal else ("in" if self.message.direction.value == "in" else "out")

    @property
    def images(self) -> list[Attachment]:
        return [f for f in self.stored if f.mime_type in INLINE_IMAGES]

    @property
    def documents(self) -> list[Attachment]:
        return [f for f in self.stored if f.mime_type not in INLINE_IMAGES]

    @property
    def stored(self) -> list[Attachment]:
        return [f for f in self.files if f.state == FileState.STORED]

    @property
    def fetching(self) -> list[Attachment]:
        """Files still being fetched from the provider (shown as «در حال دریافت فایل»)."""
        return [f for f in self.files if f.state == FileState.PENDING]

    @property
    def unfetched(self) -> list[Attachment]:
        """Files the provider never gave us, with the reason."""
        return [f for f in self.files if f.state == FileState.FAILED]


def viewable(attachment: Attachment) -> bool:
    """True for files the browser can show itself (pictures, PDF fax pages)."""
    return attachment.mime_type in VIEWABLE


async def thread_items(messages: list[Message]) -> list[Item]:
    """Messages with authors and attachments fetched in two queries."""
    ids = [m.id for m in messages]
    files: dict[int, list[Attachment]] = {}
    for f in await Attachment.filter(message_id__in=ids).order_by("id"):
        files.setdefault(f.message_id, []).append(f)
    authors: dict[int | None, User] = {
        u.id: u for u in await User.filter(id__in={m.author_id for m in messages if m.author_id})
    }
    return [Item(m, authors.get(m.author_id), files.get(m.id, [])) for m in messages]


async def conversation_page(request: web.Request) -> web.Response:
    """GET /admin/conversations/{id}: thread, reply box, assignment, status, labels, case/lead, contact."""
    conversation = await visible_conversation(request)
    user = current_user(request)
    total = (await conversation_messages(conversation.id, limit=1))[1]
    start = int_or_none(request.query.get("from"))
    offset = start if start is not None else max(0, total - THREAD_SIZE)
    messages, _ = await conversation_messages(conversation.id, limit=THREAD_SIZE, offset=offset)
    contact = await Contact.get(id=conversation.contact_id)
    link_q = request.query.get("link_q", "").strip()
    matches = (await search_contacts(link_q, user=user, limit=10))[0] if link_q else []
    context = {
        "conversation": conversation,
        "contact": contact,
        "identities": await ContactIdentity.filter(contact_id=contact.id).order_by("kind", "id"),
        "items": await thread_items(messages),
        "earlier": max(0, offset - THREAD_SIZE) if offset > 0 else None,
        "last_id": messages[-1].id if messages else 0,
        "users": await User.filter(is_active=True).order_by("full_name", "username"),
        "teams": await Team.all().order_by("name"),
        "cases": await Case.filter(conversation_id=conversation.id).order_by("-id"),
        "leads": await Lead.filter(conversation_id=conversation.id).order_by("-id"),
        "statuses": ConversationStatus,
        "priorities": Priority,
        "case_types": CaseType,
        "is_sms": conversation.channel == Channel.SMS,
        "link_q": link_q,
        "matches": [c for c in matches if c.id != contact.id],
        "viewable": viewable,
    }
    return page_view("conversation.html", request, context)


async def conversation_messages_part(request: web.Request) -> web.Response:
    """GET /admin/conversations/{id}/messages?after=ID (or ?only=ID): messages as HTML, for the live page."""
    conversation = await visible_conversation(request)
    after = int_or_none(request.query.get("after")) or 0
    only = int_or_none(request.query.get("only"))
    qs = Message.filter(conversation_id=conversation.id)
    qs = qs.filter(id=only) if only is not None else qs.filter(id__gt=after)
    messages = await qs.order_by("created_at", "id").limit(200)
    context = {
        "items": await thread_items(list(messages)),
        "conversation": conversation,
        "w": words,
        "viewable": viewable,
    }
    return render("conversation_messages.html", request, context)
