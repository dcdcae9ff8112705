"""SMS end to end: Kavenegar inbound callbacks posted to `python run.py`, answered by SMS through the outbox.

Against a fake Kavenegar on loopback (its own process), in one run:
1. Peyk: N inbound-SMS callbacks (form fields messageid, from, to, message) from many numbers, posted
   with concurrency to /hooks/kavenegar/{secret}/inbound; each is stored and whatever the bot queues
   for it (numbered SMS menus once the dialog engine answers SMS) is sent by the dispatcher.
2. Baseline: an aiohttp route that answers 200 and echoes through sms/send, with no database.
Reported like telegram_e2e: ack p50/p95/p99, end-to-end rates, ack latency at a fixed offered load,
peak RSS, and the Peyk/baseline ratio.

    .venv/bin/python -m bench.sms_e2e --messages 2000 --senders 400 --concurrency 32 [--db postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
from pathlib import Path
from urllib.parse import urlencode

from bench.common import Helper, Service, add_db_args, bench_database, count_rows, free_port
from bench.e2e import Figures, Load, measure, report, run_systems
from bench.persian import MENU_INPUTS, customer_text, mobile

SECRET = "bench-kavenegar-callback"
LINE = "10004346"
HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
UNSENT = "SELECT COUNT(*) FROM outbound_message WHERE status IN ('queued', 'sending')"


class Callbacks:
    """Kavenegar inbound forwards: increasing messageids, phones as Kavenegar writes them (09…)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.messageid = 400_000_000 + seed * 10_000_000

    def batch(self, total: int, senders: int) -> list[bytes]:
        """`total` callbacks round-robin over `senders` new numbers; the first of each is a menu choice."""
        phones = ["0" + mobile(self.rng)[3:] for _ in range(senders)]
        bodies = []
        for i in range(total):
            self.messageid += 1
            text = self.rng.choice(MENU_INPUTS) if i < senders or self.rng.random() < 0.5 else customer_text(self.rng)
            fields = {"messageid": str(self.messageid), "from": phones[i % senders], "to": LINE, "message": text}
            bodies.append(urlencode(fields).encode())
        return bodies


async def run_peyk(args: argparse.Namespace, load: Load) -> Figures:
    """Peyk: `python run.py` with the SMS channel on, on a fresh database, against its own fake Kavenegar."""
    fake = await Helper("bench.fakes", "kavenegar").start()
    async with bench_database(args) as db:
        env = {
            "PEYK_DATABASE_URL": db.url,
            "PEYK_DATA_DIR": str(db.workdir / "data"),
            "PEYK_KAVENEGAR_API_KEY": fake.info["api_key"],
            "PEYK_KAVENEGAR_API_URL": fake.info["api_url"],
            "PEYK_KAVENEGAR_SENDER": LINE,
            "PEYK_KAVENEGAR_CALLBACK_SECRET": SECRET,
        }
        service = Service(env, db.workdir, profile=args.profile)
        await service.start()

        async def done(_: int) -> bool:
            return await count_rows(db.url, UNSENT) == 0

        try:
            url = f"{service.url}/hooks/kavenegar/{SECRET}/inbound"
            figures = await measure(f"peyk ({args.db})", url, fake.info["stats"], load, done, service.pid)
            stored = await count_rows(db.url, "SELECT COUNT(*) FROM message WHERE direction = 'in'")
            print(f"peyk ({args.db}): {stored} inbound SMS stored (warm-up included)")
        finally:
            await service.stop()
            await fake.stop()
    return figures


async def run_bare(args: argparse.Namespace, load: Load) -> Figures:
    """The bare aiohttp echo route against its own fake Kavenegar."""
    fake = await Helper("bench.fakes", "kavenegar").start()
    port = free_port()
    bot = await Helper(
        "bench.bare", "sms", "--port", str(port), "--api-url", fake.info["api_url"],
        "--api-key", fake.info["api_key"], "--secret", SECRET,
    ).start()  # fmt: skip

    async def done(_: int) -> bool:
        return True

    try:
        url = f"http://127.0.0.1:{port}/hooks/kavenegar/{SECRET}/inbound"
        return await measure("bare aiohttp SMS echo", url, fake.info["stats"], load, done, bot.pid)
    finally:
        await bot.stop()
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--rate-seconds", type=float, default=10.0)
    parser.add_argument("--only", choices=("peyk", "bare"), default=None)
    parser.add_argument("--profile", type=Path, default=None)
    add_db_args(parser)
    args = parser.parse_args()
    results = await run_systems(
        args,
        (("peyk", run_peyk), ("bare", run_bare)),
        headers=HEADERS,
        bodies=lambda seed: Callbacks(seed=seed),
        warm=lambda: Callbacks(seed=9),
        count=args.messages,
        spread=args.senders,
    )
    title = (
        f"sms_e2e: {args.messages} inbound SMS from {args.senders} numbers, concurrency {args.concurrency}, "
        f"fixed rate {args.rate:.0f}/s for {args.rate_seconds:g} s, db {args.db}"
    )
    report(title, results, args.messages)


if __name__ == "__main__":
    asyncio.run(main())
