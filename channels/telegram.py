"""Telegram and Bale (same Bot API): a pure `parse_inbound` of Update dicts into core types.

Nothing here does I/O. Files are returned by `provider_file_id`; the front door fetches them with
getFile before storing. Text splitting and keyboards for outbound sends live in `telegram_format`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from channels.base import InboundAttachment, InboundMessage, InvalidInbound, parse_error
from core.errors import ValidationError
from core.models import Channel, IdentityKind
from core.phones import normalize_phone
from core.text import to_persian_digits

__all__ = [
    "ALLOWED_UPDATES",
    "EditedMessage",
    "IgnoredUpdate",
    "MemberStatus",
    "ParsedUpdate",
    "parse_inbound",
]

# The update kinds we ask Telegram for (setWebhook / getUpdates `allowed_updates`).
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
# Bot-side member statuses after which the user can no longer be messaged.
_GONE = {"kicked", "left"}
# File-carrying message kinds: default file name stem, extension and MIME type.
_FILE_KINDS = {
    "document": ("document", "", "application/octet-stream"),
    "voice": ("voice", ".ogg", "audio/ogg"),
    "audio": ("audio", ".mp3", "audio/mpeg"),
    "video": ("video", ".mp4", "video/mp4"),
    "video_note": ("video-note", ".mp4", "video/mp4"),
    "animation": ("animation", ".mp4", "video/mp4"),
}
# How shared locations and contacts read in the inbox (shown to staff).
LOCATION_LABEL = "موقعیت"
CONTACT_LABEL = "مخاطب"
STICKER_LABEL = "برچسب"


@dataclass(frozen=True)
class EditedMessage:
    """A customer edited a message we stored: replace its text, keep the previous one."""

    channel: Channel
    external_id: str
    text: str
    edited_at: datetime | None = None


@dataclass(frozen=True)
class MemberStatus:
    """The user blocked (reachable=False) or unblocked the bot in their private chat."""

    channel: Channel
    user_id: str
    reachable: bool
    status: str


@dataclass(frozen=True)
class IgnoredUpdate:
    """An update we take but store nothing for (groups, channels, kinds we don't handle)."""

    reason: str
    chat_id: int | None = None


ParsedUpdate = InboundMessage | EditedMessage | MemberStatus | IgnoredUpdate


def parse_inbound(raw: Mapping[str, Any], channel: Channel = Channel.TELEGRAM) -> ParsedUpdate:
    """One Bot API Update dict → what it means for us; InvalidInbound when it is malformed."""
    try:
        return _parse(raw, channel)
    except InvalidInbound:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # Fields of unexpected types deep inside: still the sender's bad input, never a crash.
        raise parse_error(f"unreadable update: {type(exc).__name__}: {exc}") from exc


def _parse(raw: Mapping[str, Any], channel: Channel) -> ParsedUpdate:
    if not isinstance(raw, Mapping) or not _is_int(raw.get("update_id")):
        raise parse_error("not a Telegram update: no integer update_id")
    if "message" in raw:
        return _message(_object(raw, "message"), channel)
    if "edited_message" in raw:
        return _edit(_object(raw, "edited_message"), channel)
    if "callback_query" in raw:
        return _callback(_object(raw, "callback_query"), channel)
    if "my_chat_member" in raw:
        return _member(_object(raw, "my_chat_member"), channel)
    kinds = sorted(k for k in raw if k != "update_id")
    return IgnoredUpdate(f"unsupported update kind: {', '.join(kinds) or 'none'}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _object(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = parent.get(key)
    if not isinstance(value, Mapping):
        raise parse_error(f"{key} is not an object")
    return value


def _chat(msg: Mapping[str, Any]) -> tuple[int, str]:
    chat = _object(msg, "chat")
    if not _is_int(chat.get("id")):
        raise parse_error("chat has no integer id")
    return chat["id"], str(chat.get("type", ""))


def _sender(msg: Mapping[str, Any]) -> Mapping[str, Any]:
    sender = msg.get("from")
    if not isinstance(sender, Mapping) or not _is_int(sender.get("id")):
        raise parse_error("message has no sender (from.id)")
    return sender


def _message_id(msg: Mapping[str, Any]) -> int:
    if not _is_int(msg.get("message_id")):
        raise parse_error("message has no integer message_id")
    return int(msg["message_id"])


def _when(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if _is_int(value) else None


def _full_name(user: Mapping[str, Any]) -> str:
    return " ".join(str(user[k]).strip() for k in ("first_name", "last_name") if user.get(k)).strip()


def _identity_kind(channel: Channel) -> IdentityKind:
    return IdentityKind.BALE if channel == Channel.BALE else IdentityKind.TELEGRAM


def _message(msg: Mapping[str, Any], channel: Channel) -> ParsedUpdate:
    chat_id, chat_type = _chat(msg)
    if chat_type != "private":
        return IgnoredUpdate(f"message in a {chat_type or 'unknown'} chat", chat_id)
    sender = _sender(msg)
    text, attachments, meta = _content(msg)
    if not text and not attachments and not meta:
        return IgnoredUpdate("private message with nothing we keep (service message)", chat_id)
    if msg.get("media_group_id"):
        meta["media_group_id"] = str(msg["media_group_id"])
    reply_to = msg.get("reply_to_message")
    if isinstance(reply_to, Mapping) and _is_int(reply_to.get("message_id")):
        meta["reply_to"] = f"{chat_id}:{reply_to['message_id']}"
    if sender.get("username"):
        meta["username"] = str(sender["username"])
    verified = _verified_phone(msg, sender)
    return InboundMessage(
        channel=channel,
        external_id=f"{chat_id}:{_message_id(msg)}",
        identity_kind=_identity_kind(channel),
        identity_value=str(sender["id"]),
        sender_name=_full_name(sender),
        text=text,
        thread_key=str(chat_id),
        sent_at=_when(msg.get("date")),
        attachments=tuple(attachments),
        verified_phone=verified,
        meta=meta,
    )


def _content(msg: Mapping[str, Any]) -> tuple[str, list[InboundAttachment], dict[str, Any]]:
    """Text (or caption), files to fetch, and structured extras of one message."""
    text = str(msg.get("text") or msg.get("caption") or "")
    meta: dict[str, Any] = {}
    files: list[InboundAttachment] = []
    photo = msg.get("photo")
    if isinstance(photo, list) and photo:
        largest = max(photo, key=lambda p: (p.get("width", 0) * p.get("height", 0), p.get("file_size", 0)))
        files.append(_file(largest, "photo", ".jpg", "image/jpeg"))
        meta["kind"] = "photo"
    for kind, (stem, ext, mime) in _FILE_KINDS.items():
        if isinstance(msg.get(kind), Mapping):
            files.append(_file(msg[kind], stem, ext, mime))
            meta["kind"] = kind
    if isinstance(msg.get("location"), Mapping):
        text, meta["location"] = _location(msg["location"], msg.get("venue"))
        meta["kind"] = "location"
    if isinstance(msg.get("contact"), Mapping):
        contact = msg["contact"]
        meta["kind"] = "contact"
        meta["contact"] = {
            k: contact[k] for k in ("phone_number", "first_name", "last_name", "user_id") if k in contact
        }
        phone = str(contact.get("phone_number", ""))
        text = f"{CONTACT_LABEL}: {_full_name(contact)}، {to_persian_digits(phone)}".replace(": ، ", ": ")
    if isinstance(msg.get("sticker"), Mapping):
        meta["kind"] = "sticker"
        text = text or f"[{STICKER_LABEL} {msg['sticker'].get('emoji', '')}]".replace(" ]", "]")
    return text, files, meta


def _file(obj: Mapping[str, Any], stem: str, ext: str, mime: str) -> InboundAttachment:
    file_id = obj.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        raise parse_error(f"{stem} has no file_id")
    unique = str(obj.get("file_unique_id") or file_id[-12:])
    name = str(obj.get("file_name") or f"{stem}-{unique}{ext}")
    return InboundAttachment(name=name, mime_type=str(obj.get("mime_type") or mime), provider_file_id=file_id)


def _location(loc: Mapping[str, Any], venue: Any) -> tuple[str, dict[str, Any]]:
    lat, lon = loc.get("latitude"), loc.get("longitude")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        raise parse_error("location without latitude/longitude")
    shown = "، ".join(to_persian_digits(f"{v:.6f}".rstrip("0").rstrip(".")).replace(".", "٫") for v in (lat, lon))
    text = f"{LOCATION_LABEL}: {shown}"
    data: dict[str, Any] = {"latitude": lat, "longitude": lon}
    if isinstance(venue, Mapping) and venue.get("title"):
        data.update(title=str(venue["title"]), address=str(venue.get("address", "")))
        text += f" ({venue['title']})"
    return text, data


def _verified_phone(msg: Mapping[str, Any], sender: Mapping[str, Any]) -> str | None:
    """A shared contact proves a phone only when it is the sender's own (contact.user_id == from.id)."""
    contact = msg.get("contact")
    if not isinstance(contact, Mapping) or contact.get("user_id") != sender.get("id"):
        return None
    try:
        return normalize_phone(str(contact.get("phone_number", "")))
    except ValidationError:
        return None


def _edit(msg: Mapping[str, Any], channel: Channel) -> ParsedUpdate:
    chat_id, chat_type = _chat(msg)
    if chat_type != "private":
        return IgnoredUpdate(f"edit in a {chat_type or 'unknown'} chat", chat_id)
    text = str(msg.get("text") or msg.get("caption") or "")
    when = _when(msg.get("edit_date"))
    return EditedMessage(channel, f"{chat_id}:{_message_id(msg)}", text, when)


def _button_label(origin: Any, data: str) -> str | None:
    """The text of the pressed button, read from the keyboard of the message it was under."""
    markup = origin.get("reply_markup") if isinstance(origin, Mapping) else None
    rows = markup.get("inline_keyboard") if isinstance(markup, Mapping) else None
    for row in rows if isinstance(rows, list) else []:
        for button in row if isinstance(row, list) else []:
            if isinstance(button, Mapping) and button.get("callback_data") == data and button.get("text"):
                return str(button["text"])
    return None


def _callback(query: Mapping[str, Any], channel: Channel) -> ParsedUpdate:
    """A button press becomes an inbound message: the button's label as text (what staff read), its data in meta."""
    sender = _sender(query)
    query_id = query.get("id")
    if not isinstance(query_id, str) or not query_id:
        raise parse_error("callback_query has no id")
    origin = query.get("message")
    chat_id, chat_type = _chat(origin) if isinstance(origin, Mapping) else (int(sender["id"]), "private")
    if chat_type != "private":
        return IgnoredUpdate(f"button pressed in a {chat_type} chat", chat_id)
    data = str(query.get("data") or "")
    meta: dict[str, Any] = {"kind": "callback", "callback_query_id": query_id, "callback_data": data}
    if isinstance(origin, Mapping) and _is_int(origin.get("message_id")):
        meta["reply_to"] = f"{chat_id}:{origin['message_id']}"
    return InboundMessage(
        channel=channel,
        external_id=f"{chat_id}:cb{query_id}",
        identity_kind=_identity_kind(channel),
        identity_value=str(sender["id"]),
        sender_name=_full_name(sender),
        text=_button_label(origin, data) or data,
        thread_key=str(chat_id),
        meta=meta,
    )


def _member(update: Mapping[str, Any], channel: Channel) -> ParsedUpdate:
    chat_id, chat_type = _chat(update)
    if chat_type != "private":
        return IgnoredUpdate(f"bot membership changed in a {chat_type} chat", chat_id)
    status = str(_object(update, "new_chat_member").get("status", ""))
    return MemberStatus(channel, str(chat_id), reachable=status not in _GONE, status=status)
