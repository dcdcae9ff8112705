"""A fake Telegram/Bale Bot API served over HTTP on 127.0.0.1, for tests.

Routes are the real ones: `/bot<TOKEN>/<method>` (query string, JSON, urlencoded or multipart
bodies, like the real server) and `/file/bot<TOKEN>/<file_path>` downloads. Answers are
`{"ok": true, "result": ...}` with realistic objects. Every call is recorded in `calls`; `fail()`
makes the next matching calls answer 429 / 403 / 500 / chat-not-found or hang past a timeout.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 7012345678,
    "is_bot": True,
    "first_name": "پشتیبانی پیک",
    "username": "peyk_support_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Params sent as JSON-encoded strings in form bodies.
_JSON_PARAMS = {"reply_markup", "allowed_updates", "entities", "caption_entities", "reply_parameters", "media"}
_ERRORS: dict[str, tuple[int, str]] = {
    "403": (403, "Forbidden: bot was blocked by the user"),
    "500": (500, "Internal Server Error"),
    "chat_not_found": (400, "Bad Request: chat not found"),
    "unauthorized": (401, "Unauthorized"),
}


@dataclass
class BotCall:
    """One request the fake received: method (as sent), decoded params, uploaded files, how it failed, when."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    failed: str | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    method: str | None
    kind: str
    remaining: int
    retry_after: int


class FakeBotApi:
    """One bot's Bot API. `api_url` goes into PEYK_TELEGRAM_API_URL (or PEYK_BALE_API_URL)."""

    def __init__(self, token: str = "123456:TEST-token-abc", *, hang_s: float = 3.0) -> None:
        self.token = token
        self.hang_s = hang_s
        self.calls: list[BotCall] = []
        self.webhook: dict[str, Any] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.too_big: set[str] = set()  # file ids getFile refuses as over the Bot API's 20 MB
        self.download_gate: asyncio.Event | None = None  # when set, file downloads wait for it
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._failures: list[_Failure] = []
        self._message_ids = itertools.count(5001)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_url(self) -> str:
        """The Bot API base, without the token (Peyk appends it)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- test controls -------------------------------------------------------------------
    def fail(self, kind: str, *, method: str | None = None, times: int = 1, retry_after: int = 2) -> None:
        """Make the next `times` calls (of `method`, or any) fail: 429, 403, 500, chat_not_found, timeout."""
        self._failures.append(_Failure(method and method.lower(), kind, times, retry_after))

    def add_file(self, file_id: str, data: bytes, *, path: str | None = None) -> None:
        """Make a file downloadable by getFile + /file/bot<TOKEN>/<path>."""
        self.files[file_id] = (path or f"files/file_{len(self.files)}.bin", data)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        self._updates.append(update)
        self._new_update.set()

    def sent(self, method: str) -> list[BotCall]:
        """Successful calls of `method` (case-insensitive), in order."""
        return [c for c in self.calls if c.method.lower() == method.lower() and c.failed is None]

    def calls_to(self, method: str) -> list[BotCall]:
        """Every call of `method`, failed ones included."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    # --- the API -------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read())
                else:
                    params[key] = json.loads(value) if key in _JSON_PARAMS else value
        return params, files

    def _take_failure(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.method in (None, method):
                failure.remaining -= 1
                return failure
        return None

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await self._params(request)
        call = BotCall(method, params, files)
        self.calls.append(call)
        failure = self._take_failure(method.lower())
        if failure is not None:
            call.failed = failure.kind
            if failure.kind == "timeout":
                await asyncio.sleep(self.hang_s)
                return _error(504, "Gateway Timeout")
            if failure.kind == "429":
                desc = f"Too Many Requests: retry after {failure.retry_after}"
                return _error(429, desc, parameters={"retry_after": failure.retry_after})
            return _error(*_ERRORS[failure.kind])
        handler = getattr(self, "_api_" + method.lower(), None)
        if handler is None:
            return _error(404, "Not Found")
        try:
            result = await handler(params, files)
        except _BadRequest as exc:
            call.failed = "bad_request"
            return _error(400, f"Bad Request: {exc}")
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        if self.download_gate is not None:
            await self.download_gate.wait()
        for path, data in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None or not str(chat_id).lstrip("-").isdigit():
            raise _BadRequest("chat not found")
        message = {
            "message_id": next(self._message_ids),
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "chat": {"id": int(chat_id), "first_name": "مشتری", "type": "private"},
            "date": int(time.time()),
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    async def _api_getme(self, params: dict[str, Any], files: Any) -> Any:
        return BOT_USER

    async def _api_setwebhook(self, params: dict[str, Any], files: Any) -> Any:
        if not str(params.get("url", "")).startswith("https://") and not params.get("url", "").startswith("http://"):
            raise _BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = params
        return True

    async def _api_deletewebhook(self, params: dict[str, Any], files: Any) -> Any:
        self.webhook = {}
        return True

    async def _api_sendmessage(self, params: dict[str, Any], files: Any) -> Any:
        text = str(params.get("text", ""))
        if not text.strip():
            raise _BadRequest("message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise _BadRequest("message is too long")
        return self._message(params, text=text)

    async def _api_sendphoto(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        data = files.get("photo", ("", b""))[1]
        uid = hashlib.sha256(data).hexdigest()[:16]
        sizes = [
            {
                "file_id": f"AgACphoto{uid}{w}",
                "file_unique_id": f"AQAD{uid}{w}",
                "file_size": len(data),
                "width": w,
                "height": w,
            }
            for w in (90, 320, 800)
        ]
        return self._message(params, photo=sizes, **_caption(params))

    async def _api_senddocument(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        name, data = files.get("document", ("file", b""))
        uid = hashlib.sha256(data).hexdigest()[:16]
        document = {
            "file_name": name,
            "file_id": f"BQACdoc{uid}",
            "file_unique_id": f"AgAD{uid}",
            "file_size": len(data),
        }
        return self._message(params, document=document, **_caption(params))

    async def _api_getfile(self, params: dict[str, Any], files: Any) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id in self.too_big:
            raise _BadRequest("file is too big")
        if file_id not in self.files:
            raise _BadRequest("invalid file_id")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": "AgAD" + file_id[-8:], "file_size": len(data), "file_path": path}

    async def _api_answercallbackquery(self, params: dict[str, Any], files: Any) -> Any:
        return True

    async def _api_getupdates(self, params: dict[str, Any], files: Any) -> Any:
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and int(params.get("timeout") or 0) > 0:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), min(float(params["timeout"]), 2.0))
            except TimeoutError:
                pass
        return list(self._updates[: int(params.get("limit") or 100)])


class _BadRequest(Exception):
    pass


def _caption(params: dict[str, Any]) -> dict[str, Any]:
    return {"caption": params["caption"]} if params.get("caption") else {}


def _error(status: int, description: str, **extra: Any) -> web.Response:
    return web.json_response({"ok": False, "error_code": status, "description": description, **extra}, status=status)
