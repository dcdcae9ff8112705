"""Hostile request bodies over real HTTP: nested JSON, mangled forms and endless chunked bodies get a clear 4xx.

The app runs on a loopback port with both bots (webhook mode, fake Bot APIs), Kavenegar's callbacks
and the PBX webhook configured, and the admin. Chunked bodies are written on a raw socket and never
finished, so a 413 can only come from a server that stopped at the limit instead of reading on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from admin.limits import ADMIN_FORM_MAX, LOGIN_FORM_MAX
from core import attachments
from core.models import InboundReceipt, Message
from tests.support.bot_service import SECRET, BotService, fakes, fixture, make_settings, serve
from tests.support.fake_bot_api import FakeBotApi

__all__ = ["fakes"]

KAVENEGAR_SECRET = "kv-hostile-3c9e"
CTI_TOKEN = "pbx-hostile-51aa"
DEEP = 5000
HOOKS = {
    "telegram": ("/hooks/telegram", 1024 * 1024),
    "bale": ("/hooks/bale", 1024 * 1024),
    "kavenegar inbound": (f"/hooks/kavenegar/{KAVENEGAR_SECRET}/inbound", 64 * 1024),
    "kavenegar status": (f"/hooks/kavenegar/{KAVENEGAR_SECRET}/status", 64 * 1024),
    "cti": (f"/hooks/cti/{CTI_TOKEN}", 64 * 1024),
}
HEADERS = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
async def app(
    db: str, fakes: tuple[FakeBotApi, FakeBotApi], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BotService]:
    """Every webhook and the admin on one running app."""
    monkeypatch.setattr(attachments, "_data_dir", tmp_path)
    settings = dataclasses.replace(
        make_settings(db, tmp_path, *fakes, webhook=True),
        kavenegar_api_key="kv-key",
        kavenegar_callback_secret=KAVENEGAR_SECRET,
        cti_token=CTI_TOKEN,
    )
    service, close = await serve(settings, *fakes)
    yield service
    await close()


def nested(levels: int) -> bytes:
    """A JSON object whose `message` is `levels` arrays deep (valid JSON, absurd nesting)."""
    return b'{"update_id": 5, "message": ' + b"[" * levels + b"]" * levels + b"}"


async def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


@pytest.mark.parametrize("hook", list(HOOKS))
async def test_json_nested_five_thousand_deep_is_a_400_with_a_reason_on_every_webhook(
    app: BotService, hook: str
) -> None:
    status, text = await post(app.url + HOOKS[hook][0], nested(DEEP), HEADERS)
    assert status == 400, text
    assert "nested" in json.loads(text)["error"]
    assert await Message.all().count() == 0 and await InboundReceipt.all().count() == 0


@pytest.mark.parametrize("hook", ["telegram", "bale", "kavenegar inbound"])
async def test_json_nested_past_the_depth_limit_is_refused_before_it_reaches_the_channel(
    app: BotService, hook: str
) -> None:
    # 200 levels parse fine in Python, but no provider nests like that: refused before any parsing into updates.
    status, text = await post(app.url + HOOKS[hook][0], nested(200), HEADERS)
    assert status == 400 and "nested deeper than 64 levels" in json.loads(text)["error"]


MALFORMED_MULTIPART = {
    "no boundary parameter": ("multipart/form-data", b"username=a&password=b"),
    "a body that never opens the boundary": ("multipart/form-data; boundary=zz", b"this is not multipart at all"),
    "a part without a name": (
        "multipart/form-data; boundary=zz",
        b"--zz\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--zz--\r\n",
    ),
    "a nested multipart part": (
        "multipart/form-data; boundary=zz",
        b"--zz\r\nContent-Disposition: form-data; name=username\r\n"
        b"Content-Type: multipart/mixed; boundary=yy\r\n\r\n--yy\r\n\r\nx\r\n--yy--\r\n--zz--\r\n",
    ),
    "an unknown charset": (
        "multipart/form-data; boundary=zz",
        b"--zz\r\nContent-Disposition: form-data; name=username\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\nali\r\n--zz--\r\n",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED_MULTIPART))
async def test_malformed_multipart_to_the_sign_in_page_is_a_persian_400(app: BotService, case: str) -> None:
    content_type, body = MALFORMED_MULTIPART[case]
    status, page = await post(app.url + "/admin/login", body, {"Content-Type": content_type})
    assert status == 400, page
    assert "فرم فرستاده‌شده خوانا نبود" in page


async def endless_chunked(url: str, path: str, headers: dict[str, str], send: int) -> tuple[str, dict[str, str]]:
    """POST `send` bytes as chunks on a raw socket and never finish the body; the status line and headers."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        head = [f"POST {path} HTTP/1.1", f"Host: {host}", "Transfer-Encoding: chunked"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        chunk = b"a" * 16384
        for _ in range(send // len(chunk)):
            writer.write(b"4000\r\n" + chunk + b"\r\n")  # no terminating 0-chunk, ever
        await writer.drain()
        async with asyncio.timeout(60):  # a server that waits for the end of the body never answers
            status = (await reader.readline()).decode().strip()
            found: dict[str, str] = {}
            while (line := (await reader.readline()).decode().strip()) != "":
                name, _, value = line.partition(":")
                found[name.strip().lower()] = value.strip()
        return status, found
    finally:
        writer.close()


@pytest.mark.parametrize("hook", list(HOOKS))
async def test_an_endless_chunked_body_over_a_webhooks_limit_gets_413_at_the_limit(app: BotService, hook: str) -> None:
    path, limit = HOOKS[hook]
    status, headers = await endless_chunked(app.url, path, HEADERS, send=limit + 64 * 1024)
    assert status.startswith("HTTP/1.1 413"), status
    assert headers["connection"] == "close"


@pytest.mark.parametrize(("path", "limit"), [("/admin/login", LOGIN_FORM_MAX), ("/admin/logout", ADMIN_FORM_MAX)])
async def test_an_endless_chunked_form_to_the_admin_gets_413_at_the_form_limit(
    app: BotService, path: str, limit: int
) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, headers = await endless_chunked(app.url, path, form, send=limit + 64 * 1024)
    assert status.startswith("HTTP/1.1 413"), status
    assert headers["connection"] == "close" and headers["content-type"].startswith("text/html")


async def test_a_chunked_update_within_the_limit_is_stored_where_one_past_it_gets_413(app: BotService) -> None:
    async def chunks(body: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(body), 16384):
            yield body[start : start + 16384]

    update = json.dumps(fixture("text")).encode()
    padded = update[:-1] + b', "padding": "' + b"x" * (1024 * 1024) + b'"}'
    async with aiohttp.ClientSession() as session:
        async with session.post(app.url + "/hooks/telegram", data=chunks(padded), headers=HEADERS) as resp:
            assert resp.status == 413 and "larger than 1 MiB" in (await resp.json())["error"]
        async with session.post(app.url + "/hooks/telegram", data=chunks(update), headers=HEADERS) as resp:
            assert resp.status == 200 and (await resp.json())["status"] == "stored"
    assert await Message.all().count() == 1


async def test_a_sign_in_form_past_its_limit_is_a_persian_413_page_that_says_the_limit(app: BotService) -> None:
    form = {"username": "a" * (LOGIN_FORM_MAX + 1024), "password": "x"}
    async with aiohttp.ClientSession() as session, session.post(app.url + "/admin/login", data=form) as resp:
        status, page = resp.status, await resp.text()
    assert status == 413 and "حجم فرم بیش از ۱۶ کیلوبایت است" in page
