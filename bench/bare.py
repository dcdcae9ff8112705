"""Baselines without persistence, as their own process: `python -m bench.bare telegram|sms ...`.

telegram: a bare python-telegram-bot echo bot the way PTB's custom-webhook example builds it
(Application without Updater, default settings), behind an aiohttp route that checks the secret
header, puts the Update on the queue and answers 200; the handler echoes with send_message.

sms: an aiohttp route for Kavenegar's inbound callback that answers 200 and then sends the echo
through Kavenegar's sms/send (one aiohttp session, no database).

Both print `READY {"port": …}` once they listen and run until terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import json

import aiohttp
from aiohttp import web
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.common import run_until_stopped

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text back to the chat."""
    message = update.effective_message
    if message is not None:
        await context.bot.send_message(chat_id=message.chat_id, text=message.text or "…")


async def telegram_bot(port: int, token: str, api_url: str, secret: str, concurrent: bool) -> web.AppRunner:
    """Start the echo bot and its webhook route; returns the runner."""
    builder = Application.builder().token(token).base_url(api_url).updater(None)
    if concurrent:
        builder = builder.concurrent_updates(True)
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    await application.initialize()
    await application.start()

    async def hook(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != secret:
            return web.json_response({"error": "wrong secret"}, status=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hooks/telegram", hook)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def sms_bot(port: int, api_url: str, api_key: str, secret: str) -> web.AppRunner:
    """Start the SMS echo route; returns the runner."""
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20))
    tasks: set[asyncio.Task[None]] = set()

    async def send(receptor: str, text: str) -> None:
        url = f"{api_url}/{api_key}/sms/send.json"
        async with session.post(url, data={"receptor": receptor, "message": text}) as resp:
            await resp.read()

    async def hook(request: web.Request) -> web.Response:
        if request.match_info["secret"] != secret:
            return web.json_response({"error": "wrong secret"}, status=403)
        fields = dict(await request.post())
        receptor = str(fields.get("from", ""))
        task = asyncio.create_task(send(receptor, str(fields.get("message", ""))))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hooks/kavenegar/{secret}/inbound", hook)
    app.on_cleanup.append(lambda _: session.close())
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("telegram", "sms"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--concurrent", action="store_true", help="PTB concurrent_updates (default: PTB's default)")
    args = parser.parse_args()
    if args.kind == "telegram":
        runner = await telegram_bot(args.port, args.token, args.api_url, args.secret, args.concurrent)
    else:
        runner = await sms_bot(args.port, args.api_url, args.api_key, args.secret)
    print("READY " + json.dumps({"port": args.port}), flush=True)
    await run_until_stopped()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
