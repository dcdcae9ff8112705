"""Queueing one text to many recipients at once (campaigns, bulk notices) with bulk inserts.

`queue_notification` costs a transaction and a dedupe lookup per row; a 100k-recipient campaign
needs chunks instead. Each chunk is one transaction; with a `dedupe_prefix` every row gets the key
`<prefix>:<recipient>`, so queueing the same campaign again (after a crash half-way) adds only the
recipients still missing.
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise import connections

from core.db import is_postgres
from core.errors import ValidationError
from core.identities import normalize_identity
from core.models import Channel, IdentityKind, OutboundMessage
from core.outbound_channels import can_send, not_configured
from core.tx import atomic

CHUNK = 1000
ANALYZE_AFTER = 5000  # rows queued at once after which PostgreSQL's statistics are refreshed
_KINDS = {Channel.SMS: IdentityKind.PHONE, Channel.EMAIL: IdentityKind.EMAIL, Channel.FAX: IdentityKind.FAX}


def _recipients(channel: Channel, raw: Iterable[str]) -> list[str]:
    """Normalized, de-duplicated usable recipients, in input order."""
    kind = _KINDS.get(channel)
    seen: dict[str, None] = {}
    for value in raw:
        try:
            to = normalize_identity(kind, value) if kind else (value or "").strip()
        except ValidationError:
            continue
        if to and len(to) <= 255:
            seen.setdefault(to, None)
    return list(seen)


async def queue_bulk(
    channel: Channel | str,
    recipients: Iterable[str],
    text: str,
    *,
    kind: str = "campaign",
    dedupe_prefix: str | None = None,
    payload: dict | None = None,
) -> tuple[int, int]:
    """Queue `text` to every recipient in chunked bulk inserts; returns (queued, skipped).

    Skipped counts unusable recipients, repeats in the list and (with `dedupe_prefix`) recipients
    already queued under that prefix. Marketing kinds are checked against opt-outs at send time.
    ValidationError (with the Persian reason) when the channel cannot send here.
    """
    channel = Channel(channel)
    body = (text or "").strip()
    if not body:
        raise ValidationError("text: a message cannot be empty")
    if dedupe_prefix is not None and not dedupe_prefix.strip():
        raise ValidationError("dedupe_prefix: empty")
    if not can_send(channel):  # refused whole: a campaign of rows that can never leave helps nobody
        raise ValidationError(f"channel: {not_configured(channel)}")
    items = list(recipients)
    unique = _recipients(channel, items)
    skipped = len(items) - len(unique)
    queued = 0
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        keys = {to: f"{dedupe_prefix}:{to}"[:200] for to in chunk} if dedupe_prefix else {}
        async with atomic() as out:
            if keys:
                taken = set(
                    await OutboundMessage.filter(dedupe_key__in=list(keys.values())).values_list(
                        "dedupe_key", flat=True
                    )
                )
                chunk = [to for to in chunk if keys[to] not in taken]
                skipped += len(keys) - len(chunk)
            if not chunk:
                continue
            await OutboundMessage.bulk_create(
                [
                    OutboundMessage(
                        channel=channel,
                        recipient=to,
                        kind=kind[:20],
                        payload={"text": body, **(payload or {})},
                        dedupe_key=keys.get(to),
                    )
                    for to in chunk
                ]
            )
            queued += len(chunk)
            out.emit("outbox.queued", channel=channel.value, kind=kind, count=len(chunk))
    if queued >= ANALYZE_AFTER and is_postgres():
        # The queue just grew by thousands of rows; until autovacuum notices, PostgreSQL plans each claim
        # as if it were nearly empty (bitmap scan and a sort of every queued row: 100+ ms per batch).
        await connections.get("default").execute_script('ANALYZE "outbound_message"')
    return queued, skipped
