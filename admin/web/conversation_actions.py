"""Staff actions posted from the conversation page: reply, note, assign, status, priority, labels, case, lead, contact.

Each handler checks the user may see the conversation (403 page otherwise), calls one core
action, and redirects back with a Persian flash message.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web
from multidict import MultiDictProxy

from admin.web import words
from admin.web.context import current_user
from admin.web.records import back, int_or_none, visible_contact, visible_conversation
from core.actions import cases, conversations
from core.actions.outbox import send_reply
from core.errors import Forbidden, NotFound, ValidationError
from core.models import CaseType, Conversation, ConversationStatus, MessageStatus, Priority, User
from core.outbound_channels import NOT_CONFIGURED
from core.text import to_persian_digits

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
Action = Callable[[Conversation, Form, User], Awaitable[str]]
LABEL_SPLIT = re.compile(r"[,،;؛\n]+")
# Reasons the outbox gives for a reply it cannot queue, said in Persian for staff.
UNREACHABLE = "این مخاطب در این کانال در دسترس نیست یا نشانی ارسال ندارد"
NO_SAME_CHANNEL = "به این کانال نمی‌توان از همین‌جا پاسخ داد"


def _text(form: Form, name: str, limit: int = 10_000) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


async def _run(request: web.Request, action: Action, anchor: str = "") -> web.Response:
    conversation = await visible_conversation(request)
    form = await request.post()
    path = f"/admin/conversations/{conversation.id}{anchor}"
    try:
        message = await action(conversation, form, current_user(request))
    except (ValidationError, ValueError, NotFound):
        raise back(request, path, words.BAD_INPUT, error=True) from None
    except Forbidden:
        raise back(request, path, words.FORBIDDEN, error=True) from None
    raise back(request, path, message)


async def _reply(conversation: Conversation, form: Form, user: User) -> str:
    text = _text(form, "text", 20_000)
    internal = form.get("internal") == "1"
    if not text:
        raise ValidationError("empty")
    sent = await send_reply(conversation.id, text, by=user, internal=internal)
    if sent.status == MessageStatus.FAILED:  # kept on the thread, failed with why («کانال پیکربندی نشده»)
        raise ValidationError(sent.error or "")
    return words.NOTE_SAVED if internal else words.REPLY_QUEUED


async def reply(request: web.Request) -> web.Response:
    """POST /admin/conversations/{id}/reply: a reply on the channel, or an internal note (internal=1)."""
    conversation = await visible_conversation(request)
    form = await request.post()
    path = f"/admin/conversations/{conversation.id}#compose"
    try:
        message = await _reply(conversation, form, current_user(request))
    except ValidationError as exc:
        reason = str(exc)
        if reason == "empty" or reason.startswith("text:"):
            raise back(request, path, words.EMPTY_REPLY, error=True) from None
        why = NO_SAME_CHANNEL if "same channel" in reason else UNREACHABLE
        if reason.startswith(NOT_CONFIGURED):
            why = reason
        raise back(request, path, words.SEND_FAILED.format(reason=why), error=True) from None
    except Forbidden:
        raise back(request, path, words.FORBIDDEN, error=True) from None
    raise back(request, path, message)


async def _assign(conversation: Conversation, form: Form, user: User) -> str:
    await conversations.assign(
        conversation.id, by=user, user_id=int_or_none(form.get("user_id")), team_id=int_or_none(form.get("team_id"))
    )
    return words.ASSIGNED


async def _assign_me(conversation: Conversation, form: Form, user: User) -> str:
    await conversations.assign(conversation.id, by=user, user_id=user.id)
    return words.ASSIGNED


async def _status(conversation: Conversation, form: Form, user: User) -> str:
    status = ConversationStatus(_text(form, "status"))
    try:
        await conversations.set_status(conversation.id, status, by=user)
    except ValidationError:
        if status == ConversationStatus.BOT:
            return words.NO_BOT_HERE
        raise
    return words.STATUS_CHANGED


async def _priority(conversation: Conversation, form: Form, user: User) -> str:
    await conversations.set_priority(conversation.id, Priority(_text(form, "priority")), by=user)
    return words.PRIORITY_CHANGED


async def _labels(conversation: Conversation, form: Form, user: User) -> str:
    labels = [part for part in LABEL_SPLIT.split(_text(form, "labels", 2000)) if part.strip()]
    await conversations.set_labels(conversation.id, labels, by=user)
    return words.LABELS_SAVED


async def _case(conversation: Conversation, form: Form, user: User) -> str:
    case = await cases.open_case_from_conversation(
        conversation.id,
        by=user,
        type=CaseType(_text(form, "type") or "service"),
        priority=Priority(_text(form, "priority") or "normal"),
        subject=_text(form, "subject", 300),
        description=_text(form, "description"),
    )
    return words.CASE_OPENED.format(number=to_persian_digits(case.number))


async def _lead(conversation: Conversation, form: Form, user: User) -> str:
    await cases.open_lead_from_conversation(conversation.id, by=user, title=_text(form, "title", 300))
    return words.LEAD_OPENED


def _handler(action: Action, anchor: str = "") -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        return await _run(request, action, anchor)

    handle.__doc__ = f"POST handler running {action.__name__.lstrip('_')} on a visible conversation."
    return handle


async def link_contact(request: web.Request) -> web.Response:
    """POST /admin/conversations/{id}/contact: put the conversation on another (visible) contact."""
    conversation = await visible_conversation(request)
    form = await request.post()
    contact = await visible_contact(request, record_id=form.get("contact_id") or "x")
    try:
        await conversations.link_contact(conversation.id, contact.id, by=current_user(request))
    except (ValidationError, NotFound):
        raise back(request, f"/admin/conversations/{conversation.id}", words.BAD_INPUT, error=True) from None
    raise back(
        request, f"/admin/conversations/{conversation.id}", words.CONTACT_LINKED.format(name=contact.display_name)
    )


assign = _handler(_assign, "#actions")
assign_me = _handler(_assign_me, "#actions")
set_status = _handler(_status, "#actions")
set_priority = _handler(_priority, "#actions")
set_labels = _handler(_labels, "#actions")
open_case = _handler(_case)
open_lead = _handler(_lead)
