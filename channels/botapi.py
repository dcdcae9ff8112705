"""A small Bot API client for sending (Telegram and Bale speak the same HTTP API).

The outbox sends every bot reply, so this path is hot: one pooled aiohttp session, a JSON body for
plain calls and multipart only when a file goes up, and the API's own error fields kept for the
sender to classify (`error_code`, `description`, `parameters.retry_after`). Receiving (getUpdates,
getFile, setWebhook) stays with python-telegram-bot in bots/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp


class BotApiError(Exception):
    """The Bot API answered `ok: false` (or with a non-JSON error page)."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.parameters = parameters or {}

    @property
    def retry_after(self) -> float | None:
        """Seconds the API asked us to wait (429 Too Many Requests), if it said."""
        value = self.parameters.get("retry_after")
        return float(value) if isinstance(value, (int, float)) else None


class BotApiUnreachable(Exception):
    """No answer: connection refused or reset, DNS, or a timeout."""


@dataclass(frozen=True)
class Upload:
    """A file to send in a multipart call."""

    field: str
    name: str
    data: bytes
    mime_type: str = "application/octet-stream"


class BotApiClient:
    """`await client.call("sendMessage", chat_id=..., text=...)` → the call's `result`."""

    def __init__(
        self, token: str, api_url: str, *, connect_timeout: float = 5.0, read_timeout: float = 20.0, pool: int = 32
    ) -> None:
        # Same URL scheme as python-telegram-bot: base ("…/bot") + token + "/" + method.
        self._base = f"{api_url}{token}/"
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout, sock_read=read_timeout)
        self._pool = pool
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(timeout=self._timeout, connector=connector)
        return self._session

    async def close(self) -> None:
        """Close the pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, params: dict[str, Any], upload: Upload | None = None) -> Any:
        """Make one API call; raises BotApiError (the API said no) or BotApiUnreachable (no answer)."""
        values = {k: v for k, v in params.items() if v is not None}
        kwargs: dict[str, Any]
        if upload is None:
            kwargs = {"data": json.dumps(values, ensure_ascii=False), "headers": {"Content-Type": "application/json"}}
        else:
            form = aiohttp.FormData(quote_fields=False)  # UTF-8 file names as browsers send them, not %-escaped
            for key, value in values.items():
                form.add_field(
                    key, json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
                )
            form.add_field(upload.field, upload.data, filename=upload.name, content_type=upload.mime_type)
            kwargs = {"data": form}
        try:
            async with self._open().post(self._base + method, **kwargs) as resp:
                body = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise BotApiUnreachable(f"{type(exc).__name__}: {exc}") from exc
        try:
            answer = json.loads(body)
        except ValueError:
            raise BotApiError(status, f"HTTP {status}, not a Bot API answer") from None
        if not isinstance(answer, dict):
            raise BotApiError(status, f"HTTP {status}, not a Bot API answer")
        if answer.get("ok") is True:
            return answer.get("result")
        code = answer.get("error_code")
        parameters = answer.get("parameters")
        raise BotApiError(
            int(code) if isinstance(code, int) else status,
            str(answer.get("description") or f"HTTP {status}"),
            parameters if isinstance(parameters, dict) else None,
        )
