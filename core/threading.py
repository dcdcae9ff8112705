"""Email threading keys: our Message-IDs, plus-address tags, case tags, and the lookups using them (INB-3)."""

from __future__ import annotations

import re
import secrets

from core.models import Case, Conversation, Message
from core.text import to_ascii_digits

_OUR_ID = re.compile(r"^<?peyk\.c(\d{1,12})\.[A-Za-z0-9]+@[^<>\s]+>?$")
_TAG = re.compile(r"^c(\d{1,12})$", re.IGNORECASE)
_CASE_TAG = re.compile(r"\[#\s*(\d{4}-\d{5,})\s*\]")
MAX_KEYS = 50

# Set by bootstrap from PEYK_MAIL_FROM's domain.
_host = "peyk.local"


def configure(host: str | None) -> None:
    """Set the host part of the Message-IDs we generate (the domain of the From address)."""
    global _host
    if host:
        _host = host.rpartition("@")[2].strip(" <>") or _host


def message_id_host() -> str:
    """The configured Message-ID host."""
    return _host


def make_message_id(conversation_id: int, host: str | None = None) -> str:
    """A new Message-ID naming its conversation: `<peyk.c{id}.{random}@host>`."""
    return f"<peyk.c{int(conversation_id)}.{secrets.token_hex(8)}@{host or _host}>"


def conversation_id_from_message_id(mid: str | None) -> int | None:
    """The conversation id inside one of our Message-IDs, or None for anyone else's."""
    match = _OUR_ID.match((mid or "").strip())
    return int(match.group(1)) if match else None


def conversation_id_from_tag(tag: str | None) -> int | None:
    """The conversation id of a plus-address tag such as `c123` (support+c123@...)."""
    match = _TAG.match((tag or "").strip())
    return int(match.group(1)) if match else None


def case_number_from_subject(subject: str | None) -> str | None:
    """The case number of a `[#1405-00042]` subject tag (any digit set), or None."""
    match = _CASE_TAG.search(to_ascii_digits(subject or ""))
    return match.group(1) if match else None


def normalize_message_id(mid: str | None) -> str | None:
    """A Message-ID in its stored `<...>` form, or None when empty."""
    text = (mid or "").strip()
    if not text:
        return None
    return (text if text.startswith("<") else f"<{text.strip('<>')}>")[:255]


def reply_keys(in_reply_to: str | None, references: tuple[str, ...] | list[str]) -> list[str]:
    """Message-IDs a mail answers, nearest first: In-Reply-To, then References from last to first."""
    keys: list[str] = []
    for raw in [in_reply_to, *reversed(list(references))]:
        key = normalize_message_id(raw)
        if key and key not in keys:
            keys.append(key)
    return keys[:MAX_KEYS]


async def conversation_by_reply_keys(keys: list[str]) -> Conversation | None:
    """The conversation of the nearest stored Message-ID (ours or theirs) or thread root among `keys`."""
    if not keys:
        return None
    found: dict[str, int] = {}
    rows = await Message.filter(email_message_id__in=keys).order_by("id").values("email_message_id", "conversation_id")
    for row in rows:
        found.setdefault(row["email_message_id"], row["conversation_id"])
    roots = await Conversation.filter(email_root_id__in=keys).order_by("-id").values("email_root_id", "id")
    for row in roots:
        found.setdefault(row["email_root_id"], row["id"])
    for key in keys:
        if key in found:
            return await Conversation.get_or_none(id=found[key])
    return None


async def conversation_by_our_ids(keys: list[str]) -> Conversation | None:
    """The conversation named inside one of our own Message-IDs among `keys` (nearest first)."""
    for key in keys:
        conversation_id = conversation_id_from_message_id(key)
        if conversation_id is not None:
            conversation = await Conversation.get_or_none(id=conversation_id)
            if conversation is not None:
                return conversation
    return None


async def conversation_by_case_tag(subject: str | None) -> tuple[Case | None, Conversation | None]:
    """The case a `[#1405-00042]` subject tag names, and its conversation (either may be None)."""
    number = case_number_from_subject(subject)
    if number is None:
        return None, None
    case = await Case.get_or_none(number=number)
    if case is None or case.conversation_id is None:
        return case, None
    return case, await Conversation.get_or_none(id=case.conversation_id)
