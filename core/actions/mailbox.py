"""Where the IMAP poller stands in a mailbox: UIDVALIDITY and the last UID imported, kept durable."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Setting
from core.tx import atomic

PREFIX = "imap.position:"


@dataclass(frozen=True)
class MailboxPosition:
    """The mailbox generation (UIDVALIDITY) and the highest UID already imported from it."""

    uidvalidity: int
    last_uid: int


async def mailbox_position(key: str) -> MailboxPosition | None:
    """The stored position for a mailbox key, or None before the first import."""
    row = await Setting.get_or_none(key=PREFIX + key)
    if row is None or not isinstance(row.value, dict):
        return None
    try:
        return MailboxPosition(int(row.value["uidvalidity"]), int(row.value["last_uid"]))
    except (KeyError, TypeError, ValueError):
        return None


async def save_mailbox_position(key: str, uidvalidity: int, last_uid: int) -> MailboxPosition:
    """Record progress; within one UIDVALIDITY the last UID only moves forward (two pollers may race)."""
    async with atomic():
        row = await Setting.filter(key=PREFIX + key).select_for_update().first()
        value = row.value if row is not None and isinstance(row.value, dict) else {}
        if value.get("uidvalidity") == uidvalidity:
            last_uid = max(last_uid, int(value.get("last_uid") or 0))
        new = {"uidvalidity": uidvalidity, "last_uid": last_uid}
        if row is None:
            await Setting.create(key=PREFIX + key, value=new)
        elif row.value != new:
            row.value = new
            await row.save(update_fields=["value", "updated_at"])
    return MailboxPosition(uidvalidity, last_uid)
