"""Claiming due outbox rows, one recipient's rows strictly one after another.

A row is claimed only when no earlier row (lower id) of the same (channel, recipient) is still
waiting or in flight (`queued`, `held` or `sending`): so at most one send per chat, phone or address
is in flight, a backed-off earlier row holds the later ones, and a reply never overtakes the one
before it. The rule lives in the claim query itself, so it holds across dispatchers and processes:
on PostgreSQL the rows are taken FOR UPDATE SKIP LOCKED and a concurrent claim sees the earlier row
either locked-and-queued or `sending` (both hold the later ones). Different recipients (a
campaign's rows) still go out in parallel.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.expressions import F

from core.models import OutboundMessage, OutboxStatus
from core.tx import atomic

# Statuses of a row that has not finished: while one of these is earlier, later rows of its recipient wait.
UNFINISHED = (OutboxStatus.QUEUED, OutboxStatus.HELD, OutboxStatus.SENDING)
# The recipient's earlier rows are found through the index (channel, recipient, id), which no status
# change touches (an index with `status` in it made every send's two status updates rewrite a random
# B-tree entry: the 100k campaign ran ~30% slower on SQLite); their status is checked on the row.
_NO_EARLIER_UNFINISHED = (
    "NOT EXISTS (SELECT 1 FROM outbound_message AS e WHERE e.channel = o.channel AND e.recipient = o.recipient "
    "AND e.id < o.id AND e.status IN ('queued', 'held', 'sending'))"
)


class _Params:
    """Placeholders in the dialect's style ($1 on PostgreSQL, ? on SQLite) and their values."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"

    def many(self, values: Collection[str]) -> str:
        return "(" + ", ".join(self.add(str(v)) for v in values) + ")"


def _claim_sql(
    p: _Params,
    limit: int,
    now: datetime,
    channels: Collection[str] | None,
    kinds: Collection[str] | None,
    held: Collection[str],
) -> str:
    due = OutboundMessage._meta.fields_map["next_attempt_at"].to_db_value(now, OutboundMessage)
    where = [f"o.status = {p.add(str(OutboxStatus.QUEUED))}", f"o.next_attempt_at <= {p.add(due)}"]
    if channels is not None:
        where.append(f"o.channel IN {p.many(channels)}")
    if held:
        where.append(f"o.channel NOT IN {p.many(held)}")
    if kinds is not None:
        where.append(f"o.kind IN {p.many(kinds)}")
    where.append(_NO_EARLIER_UNFINISHED)
    # PostgreSQL: concurrent dispatchers split the queue (SKIP LOCKED); SQLite has one writer at a time.
    lock = " FOR UPDATE OF o SKIP LOCKED" if p.postgres else ""
    return (
        "SELECT o.id FROM outbound_message AS o WHERE "
        + " AND ".join(where)
        + f" ORDER BY o.next_attempt_at, o.id LIMIT {int(limit)}{lock}"
    )


async def claim_rows(
    limit: int,
    now: datetime,
    *,
    channels: Collection[str] | None,
    kinds: Collection[str] | None,
    held: Collection[str],
) -> list[OutboundMessage]:
    """Claim up to `limit` due queued rows whose recipient has no earlier unfinished row (→ sending, attempts+1)."""
    if (channels is not None and not channels) or (kinds is not None and not kinds):
        return []
    async with atomic():
        conn = connections.get("default")  # inside atomic(): the transaction's connection
        p = _Params(conn.capabilities.dialect == "postgres")
        sql = _claim_sql(p, limit, now, channels, kinds, held)
        ids = [row["id"] for row in await conn.execute_query_dict(sql, p.values)]
        if not ids:
            return []
        await OutboundMessage.filter(id__in=ids, status=OutboxStatus.QUEUED).update(
            status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        return await OutboundMessage.filter(id__in=ids).order_by("next_attempt_at", "id")
