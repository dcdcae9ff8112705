"""Linking a staff member's Telegram or Bale chat to their user with a one-time code, so alarms reach them there.

The admin shows a code (kept only as its SHA-256, valid for a few minutes, usable once); the staff
member sends `/link CODE` to the bot from their own account, and the bot links that chat.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.models import Channel, StaffLink, StaffLinkCode, User
from core.text import to_ascii_digits
from core.tx import atomic

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8
CODE_TTL = timedelta(minutes=15)
LINKABLE = (Channel.TELEGRAM, Channel.BALE)


class LinkRefused(ValidationError):
    """A /link code that is unknown, used or expired (one Persian answer covers all three)."""


def _digest(code: str) -> str:
    clean = to_ascii_digits(code or "").strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(clean.encode()).hexdigest()


async def new_link_code(user_id: int, *, by: User | None, now: datetime | None = None) -> str:
    """A fresh one-time code for the user (their earlier unused codes stop working)."""
    require_write(by, Area.ACCOUNT)
    now = now or datetime.now(UTC)
    async with atomic():
        user = await User.get_or_none(id=user_id, is_active=True)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        await StaffLinkCode.filter(user_id=user.id, used_at__isnull=True).update(used_at=now)
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        row = await StaffLinkCode.create(user=user, code_hash=_digest(code), expires_at=now + CODE_TTL)
        await record(by, "staff_link.code", row, user_id=user.id)
    return code


async def link_chat(
    channel: Channel | str, chat_id: str, code: str, *, display: str = "", now: datetime | None = None
) -> StaffLink:
    """Link the chat that sent `/link CODE` to the code's user (LinkRefused for a bad, used or expired code)."""
    channel, now = Channel(channel), now or datetime.now(UTC)
    if channel not in LINKABLE:
        raise ValidationError(f"{channel.value} chats cannot be linked")
    chat = str(chat_id).strip()
    if not chat or len(chat) > 64:
        raise ValidationError("chat id is empty or too long")
    try:
        async with atomic() as out:
            row = await StaffLinkCode.filter(code_hash=_digest(code)).select_for_update().first()
            if row is None or row.used_at is not None or row.expires_at <= now:
                raise LinkRefused("the code is unknown, used or expired")
            row.used_at = now
            await row.save(update_fields=["used_at"])
            user = await User.get(id=row.user_id)
            # One chat per user and channel, one user per chat: an older link of either gives way.
            await StaffLink.filter(channel=channel, chat_id=chat).delete()
            await StaffLink.filter(user_id=user.id, channel=channel).delete()
            link = await StaffLink.create(user=user, channel=channel, chat_id=chat, display=display[:120])
            await record(user, "staff_link.link", link, channel=channel.value, chat_id=chat)
            out.emit("staff.chat_linked", user_id=user.id, channel=channel.value)
    except IntegrityError as exc:  # the same code sent twice at once: the other one linked
        raise LinkRefused("the code was used a moment ago") from exc
    return link


async def unlink_chat(user_id: int, channel: Channel | str, *, by: User | None) -> int:
    """Remove a user's linked chat on a channel; returns how many links went."""
    require_write(by, Area.ACCOUNT)
    channel = Channel(channel)
    async with atomic() as out:
        links = await StaffLink.filter(user_id=user_id, channel=channel)
        for link in links:
            await record(by, "staff_link.unlink", link, channel=channel.value)
            await link.delete()
        if links:
            out.emit("staff.chat_unlinked", user_id=user_id, channel=channel.value)
    return len(links)
