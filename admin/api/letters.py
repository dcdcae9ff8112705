"""POST /api/v1/letters: staff upload a scanned letter (multipart) and it enters the inbox (CH-LETTER)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from admin.api import serializers as out
from admin.api.errors import ApiError, json_response
from admin.api.schemas import ref
from admin.api.spec import ApiCall, api
from admin.app import SETTINGS_KEY
from core.actions.letters import receive_letter
from core.areas import Area
from core.attachments import MAX_BYTES, AttachmentTooLarge
from core.errors import ValidationError

FIELDS = ("subject", "sender_name", "sender_phone", "sender_email", "text")
MAX_FIELD = 12_000
RESULT = {
    "type": "object",
    "required": ["message", "conversation_id", "contact_id", "created"],
    "properties": {
        "message": ref("Message"),
        "conversation_id": {"type": "integer"},
        "contact_id": {"type": "integer"},
        "created": {"type": "boolean", "description": "false when this scan was uploaded before"},
    },
}


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await part.read_chunk(256 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"{part.name}: larger than the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _file_name(raw: str | None) -> str:
    # aiohttp and some scripts percent-encode non-ASCII names; old browsers send a full Windows path.
    name = unquote(raw or "", errors="strict") if "%" in (raw or "") else raw or ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or "letter"


async def _form(request: web.Request) -> tuple[dict[str, str], tuple[str, str, bytes]]:
    if request.content_type != "multipart/form-data":
        raise ValidationError("send multipart/form-data with a `file` part and the sender and subject fields")
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as exc:
        raise ValidationError(f"malformed multipart body: {exc}") from None
    fields: dict[str, str] = {}
    scan: tuple[str, str, bytes] | None = None
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise ValidationError("nested multipart bodies are not accepted")
        if part.name == "file":
            data = await _read_part(part, MAX_BYTES)
            scan = (_file_name(part.filename), part.headers.get("Content-Type", ""), data)
        elif part.name in FIELDS:
            try:
                fields[part.name] = (await _read_part(part, MAX_FIELD)).decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError(f"{part.name}: not UTF-8 text") from None
        else:
            raise ValidationError(f"unknown field {part.name!r} (allowed: file, {', '.join(FIELDS)})")
    if scan is None:
        raise ValidationError("file: required (the scanned letter)")
    for name in ("subject", "sender_name"):
        if not fields.get(name, "").strip():
            raise ValidationError(f"{name}: required")
    return fields, scan


@api.post(
    "/letters",
    summary="Upload a scanned letter",
    tag="letters",
    area=Area.INBOX,
    response=RESULT,
    status=201,
    errors=(413,),
)
async def post_letter(call: ApiCall) -> web.Response:
    """Body: multipart/form-data with `file` (PDF or image scan), `subject`, `sender_name`,
    `sender_phone` (any Iranian form or digit set) or `sender_email`, and an optional `text`.

    The letter becomes an inbound `letter` message with the scan attached, on the contact found by
    the sender's phone or email (a new contact when unknown). The same scan uploaded again is not
    stored twice (200 with `created: false`).
    """
    fields, (name, mime, data) = await _form(call.request)
    try:
        result = await receive_letter(
            data=data,
            file_name=name,
            mime_type=mime.split(";")[0].strip().lower(),
            subject=fields["subject"],
            sender_name=fields["sender_name"],
            phone=fields.get("sender_phone"),
            email=fields.get("sender_email"),
            text=fields.get("text", ""),
            by=call.user,
            data_dir=call.request.app[SETTINGS_KEY].data_dir,
        )
    except AttachmentTooLarge as exc:
        raise ApiError(413, str(exc)) from None
    body: dict[str, Any] = {
        "message": await out.message(result.message),
        "conversation_id": result.conversation.id,
        "contact_id": result.contact.id,
        "created": result.created,
    }
    return json_response(body, status=201 if result.created else 200)
