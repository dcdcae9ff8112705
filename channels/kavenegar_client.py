"""Async client of Kavenegar's REST API: sms/send, sms/sendarray, sms/statuslocalmessageid.

The API key is part of every URL (`{base}/{API-KEY}/sms/send.json`), so every error text and log
line goes through `_mask`, and errors are raised outside the `except` block so the aiohttp
exception (which may carry the URL) is never chained to them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from channels.base import HoldQueue, PermanentSendError, TransientSendError
from channels.kavenegar import STATUS_UNKNOWN_ID

log = logging.getLogger(__name__)

DEFAULT_URL = "https://api.kavenegar.com/v1"
MAX_ARRAY = 200  # sendarray: at most 200 messages per call
MAX_STATUS_IDS = 500  # statuslocalmessageid: at most 500 ids per call
MASK = "***"

# 409 "server cannot answer now", 402 "operation failed", 429/451 rate limits: try again later.
TRANSIENT_CODES = frozenset({402, 409, 429, 451})
# The account, not the message, is at fault (418 no credit, 401 disabled, 403 bad key, 407/416 IP not
# allowed): every send would fail the same way, so the whole channel waits for an admin.
HOLD_CODES = frozenset({401, 403, 407, 416, 418})


class KavenegarTransient(TransientSendError):
    """Timeouts, connection errors, 5xx, 409: send again later."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class KavenegarPermanent(PermanentSendError):
    """411 invalid receptor, 412 invalid sender, 414, 422 and other per-message rejections."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class KavenegarHold(HoldQueue):
    """418 no credit (or a disabled account / wrong key): hold the SMS queue, alarm admins."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


def error_for(status: int, reason: str) -> Exception:
    """The send error class for a Kavenegar return status."""
    if status in HOLD_CODES:
        return KavenegarHold(reason, status)
    if status in TRANSIENT_CODES or status >= 500:
        return KavenegarTransient(reason, status)
    return KavenegarPermanent(reason, status)


@dataclass(frozen=True)
class SentSms:
    """One entry of a send/sendarray answer."""

    messageid: str
    status: int
    receptor: str = ""
    cost: int = 0


@dataclass(frozen=True)
class LocalStatus:
    """What Kavenegar knows about one of our localids; `messageid` is None when it knows nothing."""

    localid: str
    messageid: str | None
    status: int


class KavenegarClient:
    """Kavenegar REST calls over an injected aiohttp session (its connector gives keep-alive reuse)."""

    def __init__(
        self, session: aiohttp.ClientSession, api_key: str, *, base_url: str = DEFAULT_URL, timeout: float = 10.0
    ) -> None:
        if not api_key:
            raise ValueError("Kavenegar API key is empty")
        self._session = session
        self._api_key = api_key
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    def __repr__(self) -> str:
        return f"KavenegarClient({self._base}/{MASK})"

    def _mask(self, text: str) -> str:
        return text.replace(self._api_key, MASK)

    async def _call(self, method: str, fields: Mapping[str, str]) -> Any:
        url = f"{self._base}/{self._api_key}/sms/{method}.json"
        error: Exception | None = None
        try:
            async with self._session.post(
                url, data=dict(fields), headers={"Accept": "application/json"}, timeout=self._timeout
            ) as resp:
                http_status, body = resp.status, await resp.text()
        except TimeoutError:
            error = KavenegarTransient(f"Kavenegar {method}: no answer within {self._timeout.total:g}s")
        except aiohttp.ClientError as exc:
            error = KavenegarTransient(f"Kavenegar {method}: {type(exc).__name__}: {self._mask(str(exc))}")
        if error is not None:
            log.warning("%s", error)
            raise error
        return self._entries(method, http_status, body)

    def _entries(self, method: str, http_status: int, body: str) -> Any:
        try:
            data = json.loads(body)
            status, message = int(data["return"]["status"]), str(data["return"].get("message", ""))
        except (ValueError, TypeError, KeyError):
            # Not Kavenegar's JSON (a proxy's HTML error page): the HTTP status says it all.
            data, status, message = None, http_status, "(no Kavenegar answer)"
        if status == 200 and http_status != 200:
            status = http_status
        if status == 200 and data is not None:
            return data.get("entries")
        reason = self._mask(f"Kavenegar {method}: {status} {message}".strip())
        if status == 200:
            reason = f"Kavenegar {method}: unreadable answer"
        log.warning("%s", reason)
        raise error_for(status if status != 200 else 502, reason)

    async def send(
        self, receptor: str, message: str, *, sender: str | None = None, localid: str | None = None
    ) -> SentSms:
        """sms/send to one receptor; `localid` (our outbox id) makes Kavenegar ignore a repeat."""
        fields = {"receptor": receptor, "message": message}
        if sender:
            fields["sender"] = sender
        if localid:
            fields["localid"] = localid
        entries = await self._call("send", fields)
        if not entries:
            raise KavenegarTransient("Kavenegar send: answer without entries")
        return _sent(entries[0])

    async def sendarray(
        self,
        receptors: Sequence[str],
        messages: Sequence[str],
        senders: Sequence[str],
        localids: Sequence[str] | None = None,
    ) -> list[SentSms]:
        """sms/sendarray: message i from senders[i] to receptors[i] (≤ 200 per call), arrays as JSON."""
        count = len(receptors)
        if not 0 < count <= MAX_ARRAY:
            raise ValueError(f"sendarray takes 1 to {MAX_ARRAY} messages, not {count}")
        if len(messages) != count or len(senders) != count or (localids is not None and len(localids) != count):
            raise ValueError("sendarray: receptors, messages, senders and localids differ in length")
        fields = {
            "receptor": json.dumps(list(receptors)),
            "message": json.dumps(list(messages), ensure_ascii=False),
            "sender": json.dumps(list(senders)),
        }
        if localids is not None:
            fields["localmessageids"] = json.dumps(list(localids))
        entries = await self._call("sendarray", fields) or []
        if len(entries) != count:
            raise KavenegarTransient(f"Kavenegar sendarray: {len(entries)} entries for {count} messages")
        return [_sent(e) for e in entries]

    async def status_by_localid(self, localids: Sequence[str]) -> dict[str, LocalStatus]:
        """sms/statuslocalmessageid: what Kavenegar accepted under each of our localids (last 12 hours)."""
        if not 0 < len(localids) <= MAX_STATUS_IDS:
            raise ValueError(f"statuslocalmessageid takes 1 to {MAX_STATUS_IDS} ids")
        entries = await self._call("statuslocalmessageid", {"localid": ",".join(localids)}) or []
        found: dict[str, LocalStatus] = {}
        for position, entry in enumerate(entries):
            localid = str(entry.get("localid") or (localids[position] if position < len(localids) else ""))
            status = int(entry.get("status") or STATUS_UNKNOWN_ID)
            messageid = entry.get("messageid")
            known = status != STATUS_UNKNOWN_ID and messageid not in (None, 0, "0", "")
            found[localid] = LocalStatus(localid, str(messageid) if known else None, status)
        return found


def _sent(entry: Mapping[str, Any]) -> SentSms:
    try:
        return SentSms(
            messageid=str(entry["messageid"]),
            status=int(entry.get("status") or 0),
            receptor=str(entry.get("receptor", "")),
            cost=int(entry.get("cost") or 0),
        )
    except (KeyError, TypeError, ValueError):
        raise KavenegarTransient("Kavenegar: entry without a messageid") from None
