"""Files that came by reference (Bot API file_id): claimed, fetched after the ack, stored or given up on.

The door stores a message with its file references (Attachment rows in state PENDING, no bytes) and
acks; a fetcher in the bot runtime claims due rows here, downloads them and reports back. A claim is
a lease (`fetch_after` moved forward by one conditional UPDATE), so two processes never fetch one
file at once and a fetcher killed mid-download leaves the row due again when the lease runs out.
Failures are retried with backoff; after MAX_ATTEMPTS, or at once for a file that can never be fetched
(over the size limit), the row is FAILED with the reason staff see on the message.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core import attachments as store
from core.models import Attachment, Channel, FileState
from core.tx import atomic

LEASE = timedelta(minutes=2)
BACKOFF = (5, 30, 120, 600, 1800, 3600)  # seconds before the 2nd, 3rd… attempt
MAX_ATTEMPTS = len(BACKOFF) + 1
FAILED_REASON = "دریافت فایل از {channel} پس از چند تلاش ممکن نشد"
CHANNEL_NAMES = {Channel.TELEGRAM: "تلگرام", Channel.BALE: "بله"}


@dataclass(frozen=True)
class FileClaim:
    """One pending file this fetcher now holds the lease on."""

    attachment_id: int
    message_id: int
    provider_file_id: str
    attempt: int


async def claim_due(channel: Channel, *, limit: int = 8, now: datetime | None = None) -> list[FileClaim]:
    """Take the lease on up to `limit` due pending files of `channel`, oldest first."""
    now = now or datetime.now(UTC)
    rows = (
        await Attachment.filter(state=FileState.PENDING, fetch_after__lte=now, message__channel=channel)
        .order_by("id")
        .limit(limit)
        .values("id", "message_id", "provider_file_id", "fetch_attempts")
    )
    claims = []
    for row in rows:
        attempt = row["fetch_attempts"] + 1
        async with atomic():  # the attempt counter is the row's version: one claimer wins
            taken = await Attachment.filter(
                id=row["id"], state=FileState.PENDING, fetch_attempts=row["fetch_attempts"], fetch_after__lte=now
            ).update(fetch_after=now + LEASE, fetch_attempts=attempt, fetch_error=None)
        if taken:
            claims.append(FileClaim(row["id"], row["message_id"], row["provider_file_id"] or "", attempt))
    return claims


async def next_due(channel: Channel) -> datetime | None:
    """When the earliest pending file of `channel` is due (None when none is pending)."""
    row = (
        await Attachment.filter(state=FileState.PENDING, message__channel=channel)
        .order_by("fetch_after")
        .first()
        .values("fetch_after")
    )
    return row["fetch_after"] if row else None


async def store_fetched(claim: FileClaim, data: bytes, *, data_dir: Path | str | None = None) -> bool:
    """Keep the fetched bytes; False when the row was no longer pending (stored by another fetcher)."""
    digest = await asyncio.to_thread(store.store_bytes, data_dir, data)
    async with atomic() as out:
        done = await Attachment.filter(id=claim.attachment_id, state=FileState.PENDING).update(
            sha256=digest, size=len(data), state=FileState.STORED, fetch_after=None, fetch_error=None
        )
        if done:
            # message.* events reach the open conversation page live (admin.web.live), which redraws the message.
            out.emit("message.files", message_id=claim.message_id, attachment_id=claim.attachment_id, state="stored")
    return bool(done)


async def fetch_failed(
    claim: FileClaim, error: str, *, channel: Channel, permanent: bool = False, now: datetime | None = None
) -> FileState:
    """Record a failed attempt: due again after the backoff, or FAILED when out of attempts (or hopeless)."""
    now = now or datetime.now(UTC)
    give_up = permanent or claim.attempt >= MAX_ATTEMPTS
    # Only while this claim is the latest: a fetcher whose lease ran out must not undo a newer one.
    mine = Attachment.filter(id=claim.attachment_id, state=FileState.PENDING, fetch_attempts=claim.attempt)
    async with atomic() as out:
        if give_up:
            reason = error if permanent else FAILED_REASON.format(channel=CHANNEL_NAMES.get(channel, str(channel)))
            await mine.update(
                state=FileState.FAILED, fetch_after=None, fetch_error=reason[:300]
            )
            out.emit("message.files", message_id=claim.message_id, attachment_id=claim.attachment_id, state="failed")
            return FileState.FAILED
        wait = timedelta(seconds=BACKOFF[min(claim.attempt - 1, len(BACKOFF) - 1)])
        await mine.update(
            fetch_after=now + wait, fetch_error=error[:300]
        )
    return FileState.PENDING
