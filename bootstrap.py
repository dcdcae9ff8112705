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
    from core import attachments, threading

    attachments.configure(settings.data_dir)  # where inbound and outbound files are kept
    threading.configure(settings.mail_from)  # host part of the Message-IDs we generate
    from core.actions.calendar import ensure_fixed_holidays

    await ensure_fixed_holidays(tz=settings.timezone)  # this and next Jalali year, once each (PLT-3)
    app = create_app(settings)
    service = Service(settings=settings, app=app)
    service.closers.append(close_db)
    from channels.dispatcher import start_dispatcher

    service.closers.append(await start_dispatcher(settings))  # stopped before the database closes
    from channels.mail_service import start_mail

    service.closers.append(await start_mail(settings))  # SMTP listener, IMAP poller, fax OCR when configured
    service.closers.append(await start_steps(settings))  # after the dispatcher starts, stopped before it
    from scheduler.runner import start_scheduler

    service.closers.append(await start_scheduler(settings))  # sweeps and alarms; stopped before the dispatcher
    if serve_http:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, settings.http_host, settings.http_port)
        await site.start()
        service.runner = runner
        service.closers.append(runner.cleanup)
        log.info("Peyk serving on http://%s:%s", settings.http_host, settings.http_port)
        if settings.telegram_token or settings.bale_token:  # after the routes listen: webhooks may come at once
            from admin.hooks.telegram import DOORS_KEY
            from bots.runtime import start_bots

            service.closers.append((await start_bots(settings, app[DOORS_KEY])).stop)
    return service


def register_engines(settings: Settings) -> None:
    """Tell the process's stepper which engine takes recovered steps of each bot channel."""
    from bots.staff import StaffCommands
    from core.models import Channel
    from handlers.engine import engine_for
    from handlers.stepper import stepper

    engine = engine_for(settings)
    staff = StaffCommands(engine)  # /link CODE is answered before the customer flows, as in bots.runtime
    stepper.register({Channel.TELEGRAM: staff, Channel.BALE: staff, Channel.SMS: engine})


async def start_steps(settings: Settings) -> Closer:
    """The bot's stepper: takes the steps of stored messages after their ack, and those a crash left owed."""
    from datetime import timedelta

    from core.db import is_postgres
    from handlers.stepper import stepper

    register_engines(settings)
    # SQLite is one process, so every owed step at start was left by the previous run; on PostgreSQL
    # another live process may be taking the young ones.
    await stepper.start(first_older_than=timedelta(seconds=30) if is_postgres() else None)
    return stepper.stop


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
