"""Provider fakes in their own process for benchmarks: `python -m bench.fakes telegram|kavenegar|smtp-sink`.

Each serves the test suite's fake (tests/support) on a loopback port, plus `GET /stats` on the same
port (the SMTP sink: on a second HTTP port) telling how many messages arrived and when the first and
last did (time.monotonic(), which is system-wide on Linux, so the benchmark can compare it with its
own clock). It prints `READY {"port": …, "stats": …}` once it listens, and runs until terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.common import run_until_stopped
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_kavenegar import FakeKavenegar

SEND_METHODS = ("sendmessage", "sendphoto", "senddocument")


class _Clock:
    """Arrival count and first/last arrival times of delivered messages."""

    def __init__(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0

    def tick(self, n: int = 1) -> None:
        now = time.monotonic()
        if not self.count:
            self.first = now
        self.count += n
        self.last = now

    def stats(self) -> dict[str, Any]:
        return {"count": self.count, "first": self.first, "last": self.last}


class StatsBotApi(FakeBotApi):
    """The fake Bot API with a delivery clock and /stats; keeps no per-call history (long runs)."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.clock = _Clock()

    async def serve(self, port: int) -> int:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_get("/stats", lambda _: web.json_response(self.clock.stats()))
        app.router.add_route("*", "/bot{token}/{method}", self._counted)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self.port

    async def _counted(self, request: web.Request) -> web.StreamResponse:
        response = await self._method(request)
        self.calls.clear()  # the benchmark only needs the clock
        if response.status == 200 and request.match_info["method"].lower() in SEND_METHODS:
            self.clock.tick()
        return response


class StatsKavenegar(FakeKavenegar):
    """The fake Kavenegar with a delivery clock (SMS accepted) and /stats."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = _Clock()

    async def serve(self, port: int) -> int:
        app = web.Application()
        app.router.add_get("/stats", self._stats)
        app.router.add_route("*", "/v1/{key}/sms/{method}.json", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = self._runner.addresses[0][1]
        return self.port

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response({**self.clock.stats(), "unique_localids": len(self._by_localid)})

    def _accept(self, receptor: str, message: str, sender: str, localid: str | None) -> dict[str, Any]:
        known = bool(localid) and localid in self._by_localid
        entry = super()._accept(receptor, message, sender, localid)
        self.requests.clear()
        if not known:
            self.clock.tick()
        return entry


class SinkHandler:
    """An SMTP sink that stores nothing: counts DATA and answers 250."""

    def __init__(self) -> None:
        self.clock = _Clock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.clock.tick()
        return "250 2.0.0 Ok: discarded"


async def _serve_sink() -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    handler = SinkHandler()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.bench", enable_SMTPUTF8=True, loop=loop), "127.0.0.1", 0
    )
    app = web.Application()
    app.router.add_get("/stats", lambda _: web.json_response(handler.clock.stats()))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    stats_port = runner.addresses[0][1]
    return {"port": server.sockets[0].getsockname()[1], "stats": f"http://127.0.0.1:{stats_port}/stats"}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("telegram", "kavenegar", "smtp-sink"))
    parser.add_argument("--token", default="7012345678:AAH-bench-token")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.kind == "telegram":
        bot = StatsBotApi(args.token)
        port = await bot.serve(args.port)
        info = {"port": port, "api_url": bot.api_url, "stats": f"http://127.0.0.1:{port}/stats"}
    elif args.kind == "kavenegar":
        sms = StatsKavenegar()
        port = await sms.serve(args.port)
        info = {"port": port, "api_url": sms.url, "api_key": sms.api_key, "stats": f"http://127.0.0.1:{port}/stats"}
    else:
        info = await _serve_sink()
    print("READY " + json.dumps(info), flush=True)
    await run_until_stopped()


if __name__ == "__main__":
    asyncio.run(main())
