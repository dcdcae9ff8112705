"""Building outgoing mail (pure): multipart text+HTML, thread headers, plus-address Reply-To, files."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from core.threading import conversation_id_from_message_id, normalize_message_id

_RTL = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
MAX_REFERENCES = 20
# Loop guards: ask Exchange-style servers not to send out-of-office replies to our mail.
AUTO_RESPONSE_SUPPRESS = "OOF, AutoReply"


def sender_parts(mail_from: str) -> tuple[str, str, str]:
    """(display name, local part, domain) of PEYK_MAIL_FROM (`support@x.ir` or `Name <support@x.ir>`)."""
    name, address = parseaddr(mail_from)
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        raise ValueError(f"not an email address: {mail_from!r}")
    return name, local, domain


def reply_address(mail_from: str, conversation_id: int | None) -> str:
    """Where customers' answers go: `support+c{id}@domain`, which threads even without our headers."""
    _, local, domain = sender_parts(mail_from)
    local = local.split("+", 1)[0]
    return f"{local}+c{conversation_id}@{domain}" if conversation_id is not None else f"{local}@{domain}"


def render_html(text: str) -> str:
    """A plain reply as simple HTML: escaped, line breaks kept, right-to-left when it is Persian."""
    direction = "rtl" if _RTL.search(text) else "ltr"
    paragraphs = [html.escape(p).replace("\n", "<br>\n") for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(f'<p style="margin:0 0 1em 0">{p}</p>' for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{"fa" if direction == "rtl" else "en"}" dir="{direction}"><head>'
        '<meta charset="utf-8"></head>\n'
        f'<body dir="{direction}" style="font-family:Tahoma,Vazirmatn,Arial,sans-serif;font-size:14px">\n'
        f"{body}\n</body></html>\n"
    )


def thread_ids(in_reply_to: str | None, references: Sequence[str]) -> tuple[str | None, list[str]]:
    """In-Reply-To and References for a reply: References end with the mail being answered."""
    parent = normalize_message_id(in_reply_to)
    chain = [r for r in (normalize_message_id(x) for x in references) if r]
    if parent and (not chain or chain[-1] != parent):
        chain = [r for r in chain if r != parent] + [parent]
    if len(chain) > MAX_REFERENCES:  # RFC 5322: keep the root and the most recent ones
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return parent, chain


def build_email(
    payload: dict,
    recipient: str,
    mail_from: str,
    *,
    kind: str = "reply",
    conversation_id: int | None = None,
    files: Sequence[tuple[str, str, bytes]] = (),
) -> EmailMessage:
    """One outbox row as a MIME message; `files` are (name, mime type, bytes) already read."""
    name, local, domain = sender_parts(mail_from)
    message_id = normalize_message_id(payload.get("message_id")) or make_msgid(domain=domain)
    if conversation_id is None:
        conversation_id = conversation_id_from_message_id(message_id)
    text = str(payload.get("text") or "")
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(display_name=name, username=local, domain=domain)
    msg["To"] = recipient
    msg["Subject"] = str(payload.get("subject") or "").replace("\n", " ").strip()
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id
    msg["Reply-To"] = reply_address(mail_from, conversation_id)
    parent, chain = thread_ids(payload.get("in_reply_to"), payload.get("references") or [])
    if parent:
        msg["In-Reply-To"] = parent
    if chain:
        msg["References"] = " ".join(chain)
    msg["X-Auto-Response-Suppress"] = AUTO_RESPONSE_SUPPRESS
    if kind != "reply":
        # Written by the system (alarms, reminders, bot answers): RFC 3834 says so, so robots stay quiet.
        msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, cte=None if text.isascii() else "base64")
    msg.add_alternative(payload.get("html") or render_html(text), subtype="html", cte="base64")
    for file_name, mime_type, data in files:
        maintype, _, subtype = (mime_type or "application/octet-stream").partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=file_name)
    return msg
