"""Files and HTML mail bodies of messages, served only to staff who may see the conversation (INB-8).

An HTML mail is sanitized on ingest; here it is served once more behind a CSP `sandbox` with
no script source, inside a sandboxed iframe, so even markup that slipped through runs nothing.
"""

from __future__ import annotations

import asyncio
import base64
import html
import re
from urllib.parse import quote

from aiohttp import web

from admin.web import words
from admin.web.records import error_page, int_or_none, visible_conversation
from core import attachments as store
from core.models import Attachment, Message

INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
MAX_INLINE_CID = 5 * 1024 * 1024  # pictures embedded in a mail are inlined as data: URIs up to this size
# The served mail may show its own inline styles and embedded pictures; nothing else loads or runs.
MAIL_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"
)
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
PDF_CSP = "frame-ancestors 'self'"  # Chromium's PDF viewer needs its own scripts; only framing is limited
CID_SRC = re.compile(r"""src\s*=\s*(["'])cid:([^"']+)\1""", re.IGNORECASE)
MAIL_PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><base target="_blank">'
    "<style>body{{font-family:Vazirmatn,Tahoma,sans-serif;margin:.5rem;overflow-wrap:anywhere}}"
    "img{{max-width:100%;height:auto}}</style><title>{title}</title></head>"
    '<body dir="auto">{body}</body></html>'
)


async def _message_for(request: web.Request, key: str) -> Message:
    message_id = int_or_none(request.match_info.get(key))
    message = await Message.get_or_none(id=message_id) if message_id is not None else None
    if message is None:
        raise error_page(request, 404, words.NOT_FOUND)
    await visible_conversation(request, record_id=message.conversation_id)
    return message


def _disposition(kind: str, name: str) -> str:
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


async def attachment_file(request: web.Request) -> web.StreamResponse:
    """GET /admin/attachments/{id}: the file, inline for pictures and PDF, else as a download."""
    attachment_id = int_or_none(request.match_info.get("id"))
    attachment = await Attachment.get_or_none(id=attachment_id) if attachment_id is not None else None
    if attachment is None:
        raise error_page(request, 404, words.NOT_FOUND)
    await _message_for_attachment(request, attachment)
    try:
        path = store.path_for(attachment.sha256)
    except ValueError:
        raise error_page(request, 404, words.NOT_FOUND) from None
    if not path.exists():
        raise error_page(request, 404, words.NOT_FOUND)
    inline = attachment.mime_type in INLINE_TYPES and request.query.get("download") != "1"
    response = web.FileResponse(path)
    response.content_type = attachment.mime_type if inline else "application/octet-stream"
    response.headers["Content-Disposition"] = _disposition("inline" if inline else "attachment", attachment.name)
    response.headers["Content-Security-Policy"] = PDF_CSP if attachment.mime_type == "application/pdf" else FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


async def _message_for_attachment(request: web.Request, attachment: Attachment) -> None:
    message = await Message.get(id=attachment.message_id)
    await visible_conversation(request, record_id=message.conversation_id)


async def _inline_pictures(message: Message, body: str) -> str:
    """cid: pictures of the mail as data: URIs (the sandboxed frame may not fetch anything)."""
    wanted = {m.group(2) for m in CID_SRC.finditer(body)}
    if not wanted:
        return body
    files = await Attachment.filter(message_id=message.id, content_id__not_isnull=True)
    uris: dict[str, str] = {}
    for f in files:
        cid = (f.content_id or "").strip("<>")
        if cid in wanted and f.mime_type.startswith("image/") and f.size <= MAX_INLINE_CID:
            try:
                data = await asyncio.to_thread(store.read_bytes, f.sha256)
            except (OSError, ValueError):
                continue
            uris[cid] = f"data:{f.mime_type};base64,{base64.b64encode(data).decode()}"
    return CID_SRC.sub(lambda m: f'src="{uris[m.group(2)]}"' if m.group(2) in uris else 'src=""', body)


async def mail_html(request: web.Request) -> web.Response:
    """GET /admin/messages/{id}/html: the sanitized HTML mail as its own sandboxed, script-free document."""
    message = await _message_for(request, "id")
    if not message.html:
        raise error_page(request, 404, words.NOT_FOUND)
    body = await _inline_pictures(message, message.html)
    page = MAIL_PAGE.format(title=html.escape(message.subject or ""), body=body)
    response = web.Response(text=page, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = MAIL_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
