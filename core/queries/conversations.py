"""Inbox lists: conversations a user may see, filtered and searched, and a conversation's messages."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TypeVar

from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.queryset import QuerySet

from core.access import conversation_q
from core.db import is_postgres
from core.errors import ValidationError
from core.models import Channel, Contact, Conversation, ConversationStatus, Message, User
from core.queries.contacts import contact_match_q
from core.text import search_tokens

MAX_LIMIT = 500
E = TypeVar("E", bound=Enum)


def _enum(kind: type[E], name: str, value: object) -> E:
    try:
        return kind(str(value).strip())
    except ValueError as exc:
        raise ValidationError(f"{name}: unknown value {value!r}") from exc


def _with_label(qs: QuerySet[Conversation], label: str) -> QuerySet[Conversation]:
    if is_postgres():
        return qs.filter(labels__contains=[label])
    # SQLite has no JSON containment filter in tortoise: ask json_each; the label is quoted SQL-style.
    quoted = "'" + label.replace("'", "''") + "'"
    has = RawSQL(f'EXISTS (SELECT 1 FROM json_each("conversation"."labels") WHERE json_each.value = {quoted})')
    return qs.annotate(has_label=has).filter(has_label=True)


def _text_q(query: str) -> Q | None:
    tokens = search_tokens(query)
    if not tokens:
        return None
    in_messages = Q(
        *[Q(id__in=Subquery(Message.filter(text_search__contains=t).values("conversation_id"))) for t in tokens]
    )
    contacts = contact_match_q(query)
    if contacts is None:
        return in_messages
    return in_messages | Q(contact_id__in=Subquery(Contact.filter(contacts).values("id")))


async def list_conversations(
    *,
    user: User,
    status: ConversationStatus | str | Sequence[ConversationStatus | str] | None = None,
    channel: Channel | str | None = None,
    assignee_id: int | None = None,
    team_id: int | None = None,
    unassigned: bool = False,
    label: str | None = None,
    q: str | None = None,
    contact_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Conversation], int]:
    """Conversations `user` may see with the given filters, newest activity first, and the total count."""
    qs = Conversation.filter(conversation_q(user))
    if status:
        statuses = status.split(",") if isinstance(status, str) else list(status)  # "open,pending" works too
        qs = qs.filter(status__in=[_enum(ConversationStatus, "status", s) for s in statuses])
    if channel:
        qs = qs.filter(channel=_enum(Channel, "channel", channel))
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if unassigned:
        qs = qs.filter(assignee_id=None)
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if label and label.strip():
        qs = _with_label(qs, " ".join(label.split()))
    text = _text_q(q) if q else None
    if text is not None:
        qs = qs.filter(text)
    total = await qs.count()
    rows = await qs.order_by("-last_activity_at", "-id").offset(max(offset, 0)).limit(min(max(limit, 1), MAX_LIMIT))
    return list(rows), total


async def conversation_messages(
    conversation_id: int, *, limit: int = 50, offset: int = 0, newest_first: bool = False
) -> tuple[list[Message], int]:
    """A page of the conversation's messages (notes included) in time order, and the total count."""
    qs = Message.filter(conversation_id=conversation_id)
    order = ("-created_at", "-id") if newest_first else ("created_at", "id")
    total = await qs.count()
    rows = await qs.order_by(*order).offset(max(offset, 0)).limit(min(max(limit, 1), MAX_LIMIT))
    return list(rows), total
