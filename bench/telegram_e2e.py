"""Telegram end to end: updates posted to /hooks/telegram of `python run.py`, answered through the outbox.

Against a fake Bot API on loopback (its own process), in one run:
1. Peyk: N real-format updates from many chats, posted with concurrency; each is stored, handed to
   the bot layer (whatever it does today: /start greets, dialog flows answer in bot state) and every
   reply it queues is sent by the outbox dispatcher. Measured: ack latency p50/p95/p99, end-to-end
   updates/s and replies/s (first post → last reply at the fake), then ack latency at a fixed
   offered load (open loop, default 300 updates/s) and the service's peak RSS.
2. Baseline: a bare python-telegram-bot echo bot (bench/bare.py) under the same load.
The ratio Peyk/bare is the figure to quote; absolute numbers depend on the shared machine.

    .venv/bin/python -m bench.telegram_e2e --updates 2000 --chats 400 --concurrency 32 [--db postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

from bench.common import Helper, Service, add_db_args, bench_database, count_rows, free_port
from bench.e2e import Figures, Load, measure, report, run_systems
from bench.persian import MENU_INPUTS, customer_text, person_name

TOKEN = "7012345678:AAH-bench-telegram-token"
SECRET = "bench-webhook-secret_0123456789"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
UNSENT = "SELECT COUNT(*) FROM outbound_message WHERE status IN ('queued', 'sending')"
QUEUED = "SELECT COUNT(*) FROM outbound_message"


class Updates:
    """Real-format Telegram updates: private chats, increasing ids, /start first, then customer texts."""

    def __init__(self, seed: int, mix: str) -> None:
        self.rng = random.Random(seed)
        self.mix = mix
        self.update_id = 700_000_000 + seed * 10_000_000
        self.next_user = 5_100_000_000 + seed * 1_000_000
        self.message_ids: dict[int, int] = {}
        self.names: dict[int, tuple[str, str]] = {}

    def new_chats(self, count: int) -> list[int]:
        chats = []
        for _ in range(count):
            self.next_user += self.rng.randrange(1, 50)
            chats.append(self.next_user)
            self.names[self.next_user] = person_name(self.rng)
        return chats

    def _text(self, chat: int) -> str:
        if self.mix == "start" or chat not in self.message_ids:
            return "/start"
        return self.rng.choice(MENU_INPUTS) if self.rng.random() < 0.5 else customer_text(self.rng)

    def update(self, chat: int) -> bytes:
        text = self._text(chat)
        self.update_id += 1
        message_id = self.message_ids[chat] = self.message_ids.get(chat, 0) + 1
        first, last = self.names[chat]
        user = {"id": chat, "is_bot": False, "first_name": first, "last_name": last, "language_code": "fa"}
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": user,
            "chat": {"id": chat, "first_name": first, "last_name": last, "type": "private"},
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"offset": 0, "length": len(text), "type": "bot_command"}]
        return json.dumps({"update_id": self.update_id, "message": message}, ensure_ascii=False).encode()

    def batch(self, total: int, chats: int) -> list[bytes]:
        """`total` updates round-robin over `chats` new chats (each chat's updates in order)."""
        ids = self.new_chats(chats)
        return [self.update(ids[i % chats]) for i in range(total)]


async def run_peyk(args: argparse.Namespace, load: Load) -> Figures:
    """Peyk: `python run.py` in webhook mode on a fresh database, against its own fake Bot API."""
    fake = await Helper("bench.fakes", "telegram", "--token", TOKEN).start()
    async with bench_database(args) as db:
        env = {
            "PEYK_DATABASE_URL": db.url,
            "PEYK_DATA_DIR": str(db.workdir / "data"),
            "PEYK_PUBLIC_URL": "https://bench.example.ir",
            "PEYK_TELEGRAM_TOKEN": TOKEN,
            "PEYK_TELEGRAM_API_URL": fake.info["api_url"],
            "PEYK_TELEGRAM_WEBHOOK_SECRET": SECRET,
            # Unpaced like the echo bot: the fake has no flood limit (Telegram's ~30 messages/s per bot
            # would cap both the same). Peyk's per-chat pacing (Telegram's 1/s per chat) still applies.
            "PEYK_TELEGRAM_MAX_RATE": "0",
        }
        service = Service(env, db.workdir, profile=args.profile)
        await service.start()

        async def done(_: int) -> bool:
            return await count_rows(db.url, UNSENT) == 0

        try:
            figures = await measure(
                f"peyk ({args.db})", service.url + "/hooks/telegram", fake.info["stats"], load, done, service.pid
            )
            print(f"peyk ({args.db}): {await count_rows(db.url, QUEUED)} outbox rows in all (warm-up included)")
        finally:
            await service.stop()
            await fake.stop()
    return figures


async def run_bare(args: argparse.Namespace, load: Load) -> Figures:
    """The bare PTB echo bot against its own fake Bot API."""
    fake = await Helper("bench.fakes", "telegram", "--token", TOKEN).start()
    port = free_port()
    extra = ("--concurrent",) if args.bare_concurrent else ()
    bot = await Helper(
        "bench.bare",
        "telegram",
        "--port",
        str(port),
        "--api-url",
        fake.info["api_url"],
        "--token",
        TOKEN,
        "--secret",
        SECRET,
        *extra,
    ).start()

    async def done(_: int) -> bool:
        return True  # the echo bot keeps nothing: done is simply no new reply for the quiet period

    try:
        url = f"http://127.0.0.1:{port}/hooks/telegram"
        return await measure("bare PTB echo bot", url, fake.info["stats"], load, done, bot.pid)
    finally:
        await bot.stop()
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=300.0, help="offered load of the open-loop phase (updates/s)")
    parser.add_argument("--rate-seconds", type=float, default=10.0)
    parser.add_argument(
        "--mix", choices=("chat", "start"), default="chat", help="chat: /start, then texts; start: every update /start"
    )
    parser.add_argument("--bare-concurrent", action="store_true", help="the echo bot with concurrent_updates")
    parser.add_argument("--only", choices=("peyk", "bare"), default=None)
    parser.add_argument(
        "--profile", type=Path, default=None, help="run the service under pyinstrument, pstats written to this file"
    )
    add_db_args(parser)
    args = parser.parse_args()
    results = await run_systems(
        args,
        (("peyk", run_peyk), ("bare", run_bare)),
        headers=HEADERS,
        bodies=lambda seed: Updates(seed=seed, mix=args.mix),
        warm=lambda: Updates(seed=9, mix="start"),
        count=args.updates,
        spread=args.chats,
    )
    title = (
        f"telegram_e2e: {args.updates} updates from {args.chats} chats, concurrency {args.concurrency}, "
        f"mix {args.mix}, fixed rate {args.rate:.0f}/s for {args.rate_seconds:g} s, db {args.db}"
    )
    report(title, results, args.updates)


if __name__ == "__main__":
    asyncio.run(main())
