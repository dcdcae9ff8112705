"""One place that wires config, database, clients, web app and background work together."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from admin.app import create_app
from core.config import Settings
from core.db import close_db, init_db

log = logging.getLogger("peyk")

Closer = Callable[[], Awaitable[None]]


@dataclass
class Service:
    """The running service: its web runner and everything to close on shutdown."""

    settings: Settings
    app: web.Application
    runner: web.AppRunner | None = None
    closers: list[Closer] = field(default_factory=list)

    async def stop(self) -> None:
        for close in reversed(self.closers):
            try:
                await close()
            except Exception:
                log.exception("error while shutting down")
        self.closers.clear()


async def bootstrap(settings: Settings, *, serve_http: bool = True) -> Service:
    """Initialise the database (migrating first), build the app and start serving."""
    await init_db(settings.database_url)
    app = create_app(settings)
    service = Service(settings=settings, app=app)
    service.closers.append(close_db)
    if serve_http:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, settings.http_host, settings.http_port)
        await site.start()
        service.runner = runner
        service.closers.append(runner.cleanup)
        log.info("Peyk serving on http://%s:%s", settings.http_host, settings.http_port)
    return service


async def serve_forever(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    service = await bootstrap(settings)
    try:
        await stop.wait()
    finally:
        log.info("Peyk shutting down")
        await service.stop()
