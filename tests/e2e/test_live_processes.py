"""Live events across `python run.py` processes: on PostgreSQL a call posted to one process pops up on a page
streaming from another (LISTEN/NOTIFY); on SQLite (one process by design) the in-process path is checked."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.databases import backend
from tests.support.service import ROOT, RunningService
from tests.support.sse import EventStream
from tests.support.web import WebBrowser

TOKEN = "cti-token-for-tests"
PASSWORD = "a-long-password"


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "PEYK_DATABASE_URL": db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_SECRET_KEY": "x" * 40,
        "PEYK_CTI_TOKEN": TOKEN,
    }


@pytest.fixture
async def processes(fresh_db_url: str, tmp_path: Path) -> AsyncIterator[list[RunningService]]:
    """One run.py process on SQLite, two on PostgreSQL, sharing the database; an admin `boss` exists."""
    env = _env(fresh_db_url, tmp_path)
    made = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(ROOT / "run.py"), "createadmin", "boss"],
        env={**os.environ, **env, "PEYK_ADMIN_PASSWORD": PASSWORD},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    count = 2 if backend() == "postgres" else 1
    running = [RunningService(env, tmp_path) for _ in range(count)]
    for service in running:
        await service.start()
    yield running
    for service in running:
        assert await service.stop() == 0, service.log()


async def test_a_call_posted_to_one_process_pops_up_on_the_page_streaming_from_another(
    processes: list[RunningService],
) -> None:
    watching, receiving = processes[0], processes[-1]  # the same process on SQLite
    browser = WebBrowser(watching.url)
    try:
        assert (await browser.sign_in("boss", PASSWORD))[0] == 302
        stream = await EventStream.open(browser.session, watching.url)
        try:
            event = {"event": "newCall", "callId": "x-proc-1", "direction": "in", "from": "09121234567", "user": "boss"}
            async with aiohttp.ClientSession() as session:
                async with session.post(f"{receiving.url}/hooks/cti/{TOKEN}", json=event) as resp:
                    assert resp.status == 200, await resp.text()
            ringing = await stream.until("call.ringing", timeout=20)
            assert isinstance(ringing["call_id"], int)
        finally:
            stream.close()
    finally:
        await browser.close()
