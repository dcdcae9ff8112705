"""Inbox lists: conversations a user may see, filtered and searched, and a conversation's messages."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TypeVar

from tortoise import connections
from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.queryset import QuerySet

from core.access import conversation_q, sees_all
from core.areas import Area, require_read
from core.db import is_postgres
from core.errors import ValidationError
from core.models import Channel, Contact, Conversation, ConversationStatus, Message, User
from core.models.enums import AccessScope
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


def _team_scoped(user: User) -> bool:
    """True when `user` sees exactly what core.access gives scope `team`: own, team and the pool."""
    return user.is_active and not sees_all(user) and user.scope == AccessScope.TEAM


async def _team_scope_count(user: User, statuses: list[ConversationStatus] | None) -> int:
    """How many conversations a team-scoped agent sees (with an optional status list), fast on SQLite.

    The visibility of core.access, `assignee = me OR (team IS NULL AND assignee IS NULL) OR team = mine`,
    counted as three disjoint parts, each from an index: assigned to me; the unrouted pool (no team,
    no assignee); my team minus what is also mine.
    SQLite otherwise tests the OR on every row of the status range (~140 ms at 200k conversations).
    Correct on both dialects; list_conversations uses it on SQLite only (see there).
    """
    conn = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"  # $1 placeholders there, ? on SQLite
    params: list[object] = []

    def arg(value: object) -> str:
        params.append(value)
        return f"${len(params)}" if pg else "?"

    def status_in() -> str:
        if statuses is None:
            return ""
        return f" AND status IN ({', '.join(arg(s.value) for s in statuses)})"

    def count(where: str) -> str:
        return f"(SELECT COUNT(*) FROM conversation WHERE {where}{status_in()})"

    me = user.id
    team_id = user.team_id
    # Each part is read from one index alone: (assignee_id, status, last_activity_at, team_id) for mine
    # and mine-within-my-team, the partial pool index of migration 0007 for the pool, (team_id,
    # status, …) for the team.
    sql = f"SELECT {count(f'assignee_id = {arg(me)}')} + {count('team_id IS NULL AND assignee_id IS NULL')}"
    if team_id is not None:
        sql += f" + {count(f'team_id = {arg(team_id)}')}"
        sql += f" - {count(f'team_id = {arg(team_id)} AND assignee_id = {arg(me)}')}"
    sql += " AS n"
    _, rows = await conn.execute_query(sql, params)
    return int(rows[0]["n"])


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
    require_read(user, Area.INBOX)
    qs = Conversation.filter(conversation_q(user))
    statuses: list[ConversationStatus] | None = None
    if status:
        names = status.split(",") if isinstance(status, str) else list(status)  # "open,pending" works too
        statuses = list(dict.fromkeys(_enum(ConversationStatus, "status", s) for s in names))
        qs = qs.filter(status__in=statuses)
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
    # The staff inbox of a team-scoped agent, filtered by status at most, is counted branch by branch on
    # SQLite (the page itself is fast as it is: SQLite walks the status index newest first and stops
    # early). PostgreSQL counts the OR faster in one parallel scan than the parts from their indexes.
    plain = not (channel or assignee_id is not None or team_id is not None or unassigned or contact_id is not None)
    if plain and not (label and label.strip()) and text is None and _team_scoped(user) and not is_postgres():
        total = await _team_scope_count(user, statuses)
    else:
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
