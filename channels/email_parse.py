"""Raw email bytes to an InboundMessage (pure): charsets, bodies, attachments, threading keys."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from typing import Any

from channels.base import InboundAttachment, InboundMessage, InvalidInbound, parse_error
from channels.email_auto import detect_automated, find_bounce
from channels.email_charset import decode_text_part, header_text, raw_header_text, repair_text
from channels.email_copy import REFUSED_ATTACHMENTS
from channels.email_html import convert_html_to_text, sanitize_html
from channels.email_origin import find_origin
from core.models import Channel, IdentityKind
from core.text import to_persian_digits

MAX_IDS = 50
MAX_ATTACHMENTS = 100  # PEYK_MAIL_MAX_ATTACHMENTS
REFUSED_NAMES = 20  # names of refused files kept in the meta, so staff can ask for the right ones
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_PLUS_TAG = re.compile(r"^[^@+\s]+\+(c\d{1,12})@", re.IGNORECASE)
_FILENAME_JUNK = re.compile(r"[\x00-\x1f/\\]+")


_TRAILING_ADDRESS = re.compile(r"<([^<>\s\"]+@[^<>\s\"]+)>\"?\s*$")


class _MemoPolicy(EmailPolicy):
    """`email.policy.default`, but a header value is parsed into its header object once, not on every read.

    The stdlib re-parses a header through the header registry each time it is fetched: a part's
    Content-Type alone is read a dozen times per mail (multipart checks, `get_body`, attachments),
    and that was most of the parsing time. Header objects are immutable str subclasses, so the same
    object can be handed out again for the same (name, value); the memo is bounded and simply
    emptied when full (a few hundred distinct headers per mail at most).
    """

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if hasattr(value, "name"):
            return value
        key = (name, value)
        found = _HEADER_MEMO.get(key)
        if found is None:
            found = super().header_fetch_parse(name, value)
            if len(_HEADER_MEMO) >= _HEADER_MEMO_SIZE:
                _HEADER_MEMO.clear()
            _HEADER_MEMO[key] = found
        return found


_HEADER_MEMO: dict[tuple[str, str], Any] = {}
_HEADER_MEMO_SIZE = 2048
READ_POLICY = _MemoPolicy()


def read_email(raw: bytes) -> EmailMessage:
    """The parsed message (`email.policy.default` semantics: decoded headers, `get_body`, `iter_attachments`)."""
    return BytesParser(policy=READ_POLICY).parsebytes(raw)  # type: ignore[return-value]


def find_sender(msg: Message) -> tuple[str, str]:
    """(address, display name) of the From header; InvalidInbound when there is no address.

    A header ending in `<address>` is read as name and address even when the name is not quoted as
    it should be (`'; DROP TABLE x; -- <a@b.ir>`, `<b>Ali</b> <a@b.ir>`), which parseaddr misreads.
    """
    raw = raw_header_text(msg, "From")
    trailing = _TRAILING_ADDRESS.search(raw)
    if trailing:
        name, address = raw[: trailing.start()].strip().strip('"').strip(), trailing.group(1)
    else:
        name, address = parseaddr(header_text(msg, "From"))
    address = address.strip().lower()
    if "@" not in address or any(ch in address for ch in ' <>"'):
        raise parse_error("the mail has no From address", from_header=header_text(msg, "From")[:200])
    return address, name.strip()


def find_recipients(msg: Message, envelope_to: Sequence[str] = ()) -> tuple[str, ...]:
    """Every address the mail was for: SMTP envelope, then To, Cc, Delivered-To, X-Original-To."""
    headers = [header_text(msg, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To")]
    found: list[str] = []
    for _name, address in [("", a) for a in envelope_to] + getaddresses([h for h in headers if h]):
        address = address.strip().lower()
        if "@" in address and address not in found:
            found.append(address)
    return tuple(found)


def find_thread_tag(addresses: Iterable[str]) -> str | None:
    """The conversation tag of a plus-address such as `support+c123@…` (→ `c123`), if any."""
    for address in addresses:
        match = _PLUS_TAG.match(address)
        if match:
            return match.group(1).lower()
    return None


def extract_message_ids(value: str | None) -> tuple[str, ...]:
    """The `<id@host>` items of a Message-ID, In-Reply-To or References header, in order."""
    if not value:
        return ()
    ids = _MESSAGE_ID.findall(value)
    if not ids and value.strip() and " " not in value.strip():
        ids = [f"<{value.strip().strip('<>')}>"]  # some mailers drop the angle brackets
    return tuple(dict.fromkeys(i[:255] for i in ids))[-MAX_IDS:]


def extract_body(msg: EmailMessage) -> tuple[str, str | None, list[Message]]:
    """(plain text, sanitized HTML or None, the parts used) — text made from the HTML when there is none."""
    plain = msg.get_body(preferencelist=("plain",))
    rich = msg.get_body(preferencelist=("html",))
    used: list[Message] = [p for p in (plain, rich) if p is not None]
    html = sanitize_html(decode_text_part(rich)) if rich is not None else None
    if plain is not None:
        text = decode_text_part(plain)
    else:
        text = convert_html_to_text(html or "")
    return text.replace("\r\n", "\n").strip(), html or None, used


def _leaf_parts(part: Message) -> Iterable[Message]:
    """Every non-container part, not descending into attached messages (they stay one .eml file)."""
    if part.is_multipart() and not part.get_content_type().startswith("message/"):
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _leaf_parts(sub)
    else:
        yield part


def _part_bytes(part: Message) -> bytes:
    if part.get_content_maintype() == "message" and part.is_multipart():
        return b"\n".join(sub.as_bytes() for sub in part.get_payload())  # type: ignore[union-attr]
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else str(part.get_payload()).encode()


def _file_name(part: Message, index: int) -> str:
    try:
        given = part.get_filename() or ""
    except Exception:  # the stdlib's parameter parser fails on some mangled Content-Disposition values
        given = ""
    name = _FILENAME_JUNK.sub("_", repair_text(given)).strip(" ._")
    if name:
        return name[-200:]
    extension = {"message/rfc822": ".eml", "message/delivery-status": ".txt", "text/rfc822-headers": ".txt"}
    guessed = extension.get(part.get_content_type()) or "." + part.get_content_subtype().split("+")[0][:10]
    return f"part-{index}{guessed}"


def extract_attachments(msg: EmailMessage, body_parts: Sequence[Message] = ()) -> tuple[InboundAttachment, ...]:
    """Files and inline images of the mail (content ids kept), the body parts themselves left out."""
    skip = {id(p) for p in body_parts}
    found: list[InboundAttachment] = []
    for index, part in enumerate(_leaf_parts(msg), start=1):
        if id(part) in skip:
            continue
        data = _part_bytes(part)
        content_id = header_text(part, "Content-ID").strip("<> ") or None
        name = _file_name(part, index)
        found.append(InboundAttachment(name=name, mime_type=part.get_content_type(), data=data, content_id=content_id))
    return tuple(found)


def limit_attachments(msg: InboundMessage, limit: int = MAX_ATTACHMENTS) -> InboundMessage:
    """Keep the first `limit` files of a mail; the rest are refused, with the reason in `meta.refused_attachments`."""
    if len(msg.attachments) <= limit:
        return msg
    kept, refused = msg.attachments[:limit], msg.attachments[limit:]
    total = len(msg.attachments)
    reason = REFUSED_ATTACHMENTS.format(
        total=to_persian_digits(total), limit=to_persian_digits(limit), refused=to_persian_digits(len(refused))
    )
    note = {
        "count": len(refused),
        "limit": limit,
        "names": [a.name for a in refused[:REFUSED_NAMES]],
        "reason": reason,
    }
    return replace(msg, attachments=kept, meta={**msg.meta, "refused_attachments": note})


def _sent_at(date: object) -> datetime | None:
    value = getattr(date, "datetime", None)
    if not isinstance(value, datetime):
        return None
    # A "-0000" or missing zone means unknown; UTC is the honest reading.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _about(
    msg: EmailMessage, sender: tuple[str, str], text: str, meta: dict[str, Any], own_domains: Sequence[str]
) -> tuple[str, str, str | None]:
    """(address, name, extra automated reason) of the person the mail is about, noting the real sender."""
    bounce = meta.get("bounce") or {}
    if "@" in str(bounce.get("recipient", "")):
        # A bounce belongs on the thread of the contact whose address failed, not on "mailer-daemon".
        meta["from"] = sender[0]
        return bounce["recipient"], "", None
    origin = find_origin(msg, sender[0], text, meta["to"], own_domains)
    if origin is None:
        return sender[0], sender[1], None
    meta["from"], meta["origin"] = sender[0], origin.kind
    # A copy of our own mail to the customer is a record, not the customer speaking: it must not
    # reopen anything or be answered. A forward is the customer's words, passed on by a colleague.
    return origin.address, origin.name, "copy-of-our-mail" if origin.kind == "own-copy" else None


def parse_inbound(
    raw: bytes,
    *,
    envelope_from: str | None = None,
    envelope_to: Sequence[str] = (),
    own_domains: Sequence[str] = (),
    channel: Channel = Channel.EMAIL,
) -> InboundMessage:
    """One raw email as an InboundMessage; InvalidInbound when it has no usable sender.

    `own_domains` are our mail domains: mail a colleague sent from one of them (a forward, a Bcc
    copy) is filed on the outside person it is about.
    """
    if not raw or not raw.strip():
        raise parse_error("the mail is empty")
    try:
        return _parse(raw, envelope_from, envelope_to, own_domains, channel)
    except InvalidInbound:
        raise
    except Exception as exc:
        # The stdlib email package fails in odd ways on mangled mail (AttributeError, IndexError,
        # CharsetError…): that is the sender's bad input, reported like any other (kept for review).
        raise parse_error(f"unreadable mail: {type(exc).__name__}: {exc}") from exc


def _parse(
    raw: bytes, envelope_from: str | None, envelope_to: Sequence[str], own_domains: Sequence[str], channel: Channel
) -> InboundMessage:
    msg = read_email(raw)
    sender = find_sender(msg)
    text, html, used = extract_body(msg)
    message_ids = extract_message_ids(header_text(msg, "Message-ID"))
    in_reply_to = extract_message_ids(header_text(msg, "In-Reply-To"))
    meta: dict[str, Any] = {"to": list(find_recipients(msg, envelope_to))}
    reason = detect_automated(msg, envelope_from, sender[0])
    bounce = find_bounce(msg)
    if bounce:
        meta["bounce"] = bounce
        if bounce.get("original_message_id") and not in_reply_to:
            # Bounces rarely say In-Reply-To; the returned headers name the mail it is about.
            in_reply_to = (bounce["original_message_id"],)
    address, name, copy_reason = _about(msg, sender, text, meta, own_domains)
    reason = reason or copy_reason
    if reason:
        meta["automated_reason"] = reason
    email_message_id = message_ids[0] if message_ids else None
    return InboundMessage(
        channel=channel,
        external_id=email_message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
        identity_kind=IdentityKind.EMAIL,
        identity_value=address,
        sender_name=name,
        text=text,
        html=html,
        subject=header_text(msg, "Subject")[:500],
        thread_key=address,
        sent_at=_sent_at(msg.get("Date")),
        attachments=extract_attachments(msg, used),
        email_message_id=email_message_id,
        in_reply_to=in_reply_to[-1] if in_reply_to else None,
        references=extract_message_ids(header_text(msg, "References")),
        thread_tag=find_thread_tag(meta["to"]),
        automated=reason is not None,
        meta=meta,
    )
