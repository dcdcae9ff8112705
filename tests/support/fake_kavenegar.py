"""A fake Kavenegar REST API served over HTTP on 127.0.0.1, for tests.

Routes and formats are the real ones: `POST|GET /v1/{API-KEY}/sms/{send,sendarray,statuslocalmessageid}.json`
with form (or query) fields, answers `{"return": {"status", "message"}, "entries": [...]}` and the
HTTP status equal to the return status. Like Kavenegar, a `localid` seen before is not sent again:
the earlier entry is returned. Every request is recorded in `requests`; every SMS that would reach
a phone is in `sms`. Switches: `fail()` (500 / 409 / 411 / 418 ... for the next calls), `slow`
(answer after the client's timeout), `lose_responses` (accept, then drop the connection), and
`stop()` / `start()` for connection refused.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API_KEY = "4A6B7A5A3154786E2B2F6E7A44513D3D-test-key"
STATUS_TEXT = {1: "در صف ارسال", 10: "رسیده به گیرنده", 100: "شناسه پیامک نامعتبر است"}
ERRORS = {
    403: "کد شناسائی API-Key معتبر نمی‌باشد",
    409: "سرور قادر به پاسخگوئی نیست بعدا تلاش کنید",
    411: "گیرنده نامعتبر است",
    412: "ارسال کننده نامعتبر است",
    414: "حجم درخواست بیشتر از حد مجاز است ،ارسال پیامک :هر فراخوانی حداکثر 200 رکوردو کنترل وضعیت",
    418: "اعتبار حساب شما کافی نیست",
    419: "طول آرایه متن و گیرنده و فرستنده هم اندازه نیست",
}
ALL_METHODS = ("send", "sendarray", "statuslocalmessageid")
LOST = -1  # Recorded.answered of a request accepted but never answered


@dataclass
class Recorded:
    """One request: the REST method, the API key in its path, its fields, and what was answered."""

    method: str
    api_key: str
    fields: dict[str, str]
    answered: int = 0
    peer: tuple[str, int] | None = None  # the client's address and port (one per TCP connection)


@dataclass
class _Failure:
    status: int
    remaining: int | None  # None: until recover()
    methods: tuple[str, ...]


@dataclass
class FakeKavenegar:
    """One Kavenegar account. `url` goes into PEYK_KAVENEGAR_API_URL."""

    api_key: str = API_KEY
    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    sms: list[dict[str, Any]] = field(default_factory=list)
    slow: float = 0.0
    lose_responses: int = 0
    in_flight: int = 0
    _by_localid: dict[str, dict[str, Any]] = field(default_factory=dict)
    _failure: _Failure | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(8792343))
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        """Serve (again on the same port after stop())."""
        app = web.Application()
        app.router.add_route("*", "/v1/{key}/sms/{method}.json", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening: clients get connection refused."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def fail(self, status: int, times: int | None = None, methods: tuple[str, ...] = ALL_METHODS) -> None:
        """Answer the next `times` calls (all, if None) of `methods` with this status."""
        self._failure = _Failure(status, times, methods)

    def recover(self) -> None:
        """Stop failing, answering slowly and losing responses."""
        self._failure, self.slow, self.lose_responses = None, 0.0, 0

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method]

    def accepting_sends(self, localid: str) -> int:
        """How many send/sendarray requests carrying `localid` were accepted (answered or lost after
        accepting). Kavenegar dedupes a repeated localid, so only this shows a resend by the client."""
        count = 0
        for r in self.requests:
            if r.answered not in (200, LOST):
                continue
            if r.method == "send" and localid in r.fields.get("localid", "").split(","):
                count += 1
            elif r.method == "sendarray" and localid in json.loads(r.fields.get("localmessageids") or "[]"):
                count += 1
        return count

    def sent_localids(self) -> list[str]:
        """The localid of every SMS that reached a phone, in order (a repeat would show twice)."""
        return [str(s["localid"]) for s in self.sms]

    def deliver(self, localid: str) -> str:
        """Mark an SMS delivered (status 10), as its delivery report will say; returns its messageid."""
        entry = self._by_localid[localid]
        entry["status"] = 10
        return str(entry["messageid"])

    def _failing(self, method: str) -> int | None:
        failure = self._failure
        if failure is None or method not in failure.methods:
            return None
        if failure.remaining is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failure = None
        return failure.status

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        fields = dict(request.query)
        if request.method == "POST":
            fields.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        method = request.match_info["method"]
        peer = request.transport.get_extra_info("peername") if request.transport else None
        record = Recorded(method, request.match_info["key"], fields, peer=tuple(peer) if peer else None)
        self.requests.append(record)
        if self.slow:
            await asyncio.sleep(self.slow)
        if record.api_key != self.api_key:
            return self._error(record, 403)
        if (status := self._failing(method)) is not None:
            return self._error(record, status)
        handlers = {"send": self._send, "sendarray": self._sendarray, "statuslocalmessageid": self._status}
        if method not in handlers:
            return self._error(record, 404)
        try:
            entries = handlers[method](fields)
        except _Refused as exc:
            return self._error(record, exc.status)
        if method != "statuslocalmessageid" and self.lose_responses > 0:
            self.lose_responses -= 1
            record.answered = LOST
            assert request.transport is not None
            request.transport.close()  # accepted, but the answer never arrives
            raise asyncio.CancelledError
        record.answered = 200
        return web.json_response({"return": {"status": 200, "message": "تایید شد"}, "entries": entries})

    def _error(self, record: Recorded, status: int) -> web.Response:
        record.answered = status
        if status >= 500:
            return web.Response(status=status, text="<html><body>Internal Server Error</body></html>")
        message = ERRORS.get(status, "خطا")
        return web.json_response({"return": {"status": status, "message": message}, "entries": None}, status=status)

    def _accept(self, receptor: str, message: str, sender: str, localid: str | None) -> dict[str, Any]:
        if not (receptor.startswith("09") and len(receptor) == 11 and receptor.isdigit()) and not (
            receptor.startswith("00") and receptor.isdigit()
        ):
            raise _Refused(411)
        if localid and localid in self._by_localid:
            return self._by_localid[localid]  # Kavenegar does not send a localid twice
        entry = {
            "messageid": next(self._ids),
            "message": message,
            "status": 1,
            "statustext": STATUS_TEXT[1],
            "sender": sender or "10004346",
            "receptor": receptor,
            "date": int(time.time()),
            "cost": 120,
        }
        self.sms.append({**entry, "localid": localid})
        if localid:
            self._by_localid[localid] = entry
        return entry

    def _send(self, fields: dict[str, str]) -> list[dict[str, Any]]:
        if not fields.get("receptor") or not fields.get("message"):
            raise _Refused(400)
        receptors = fields["receptor"].split(",")
        localids = fields["localid"].split(",") if fields.get("localid") else [None] * len(receptors)
        if len(receptors) > 200:
            raise _Refused(414)
        return [
            self._accept(
                r.strip(), fields["message"], fields.get("sender", ""), localids[i] if i < len(localids) else None
            )
            for i, r in enumerate(receptors)
        ]

    def _sendarray(self, fields: dict[str, str]) -> list[dict[str, Any]]:
        try:
            receptors = json.loads(fields["receptor"])
            messages = json.loads(fields["message"])
            senders = json.loads(fields["sender"])
            localids = json.loads(fields["localmessageids"]) if fields.get("localmessageids") else None
        except (KeyError, ValueError):
            raise _Refused(400) from None
        if len(receptors) > 200:
            raise _Refused(414)
        if not (len(receptors) == len(messages) == len(senders)) or (localids and len(localids) != len(receptors)):
            raise _Refused(419)
        return [
            self._accept(str(r), str(m), str(s), str(localids[i]) if localids else None)
            for i, (r, m, s) in enumerate(zip(receptors, messages, senders, strict=True))
        ]

    def _status(self, fields: dict[str, str]) -> list[dict[str, Any]]:
        if not fields.get("localid"):
            raise _Refused(400)
        entries = []
        for localid in fields["localid"].split(","):
            entry = self._by_localid.get(localid)
            if entry is None:
                entries.append({"messageid": 0, "localid": localid, "status": 100, "statustext": STATUS_TEXT[100]})
            else:
                status = entry["status"]
                text = STATUS_TEXT.get(status, "")
                entries.append(
                    {"messageid": entry["messageid"], "localid": localid, "status": status, "statustext": text}
                )
        return entries


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


async def eventually(check: Any, timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Await `check()` (sync or async) until it returns something truthy; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):  # coroutines and tortoise querysets alike
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        await asyncio.sleep(interval)
