"""`python run.py demo` as a user runs it: a fresh database filled with a Persian demo company."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp

from core.demo_data import DEMO_PASSWORD, STAFF
from core.models import Call, Case, Contact, Conversation, Lead, Message, OutboundMessage, Task, User
from core.models.enums import CallStatus, Channel, MessageStatus, OutboxStatus
from core.passwords import verify_password
from tests.support.orm import orm_on
from tests.support.service import ROOT, RunningService


def _demo(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "demo"], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )


async def _api(url: str, token: str, path: str) -> Any:
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        async with session.get(url + path) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()


async def test_demo_fills_a_fresh_database_with_a_persian_company_and_a_second_run_adds_nothing(
    tmp_path: Path, fresh_db_url: str
) -> None:
    env = {"PATH": "/usr/bin:/bin", "PEYK_DATABASE_URL": fresh_db_url, "PEYK_DATA_DIR": str(tmp_path / "data")}
    first = await asyncio.to_thread(_demo, env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert DEMO_PASSWORD in first.stdout
    assert "100%" in first.stderr  # the progress bar ran to the end
    token = re.search(r"pk_[A-Za-z0-9_\-]+", first.stdout)
    assert token is not None, first.stdout

    async with orm_on(fresh_db_url):
        assert await Contact.filter(merged_into_id=None).count() >= 200
        names = await Contact.all().values_list("display_name", flat=True)
        assert any("ي" in n or "ك" in n for n in names)  # Arabic spellings, as clerks type them
        for channel in ("telegram", "bale", "sms", "email", "fax", "call", "letter"):
            assert await Conversation.filter(channel=channel).exists(), channel
        assert await Case.all().count() >= 10
        assert await Lead.all().count() >= 3
        assert await Message.filter(internal=True).exists()  # staff notes
        assert await Message.filter(status=MessageStatus.SENT, author_id__not_isnull=True).count() >= 20
        assert await Call.filter(status=CallStatus.MISSED).exists()
        assert await Task.filter(kind="call_back").exists()
        # Demo replies never leave the machine: nothing is left for the dispatcher.
        assert not await OutboundMessage.filter(status__in=[OutboxStatus.QUEUED, OutboxStatus.HELD]).exists()
        staff = {u.username: u for u in await User.all()}
        assert set(staff) == {s[0] for s in STAFF}
        assert {str(u.role) for u in staff.values()} >= {"admin", "manager", "agent", "sales", "technician"}
        assert verify_password(staff["s.ahmadi"].password_hash, DEMO_PASSWORD)
        assert len({u.team_id for u in staff.values() if str(u.role) == "agent"}) == 2
        counts = (await Contact.all().count(), await Message.all().count())

    again = await asyncio.to_thread(_demo, env, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "پیش‌تر بارگذاری شده" in again.stdout
    async with orm_on(fresh_db_url):
        assert (await Contact.all().count(), await Message.all().count()) == counts

    service = RunningService({k: v for k, v in env.items() if k != "PATH"}, tmp_path)
    await service.start()
    try:
        found = await _api(service.url, token.group(0), "/api/v1/contacts?q=%D8%B9%D9%84%DB%8C")  # علی
        assert found["total"] >= 1
        letters = await _api(service.url, token.group(0), "/api/v1/conversations?channel=letter")
        assert letters["total"] == (await _count_letters(fresh_db_url))
        assert all(c["channel"] == Channel.LETTER for c in letters["items"])
    finally:
        assert await service.stop() == 0


async def _count_letters(url: str) -> int:
    async with orm_on(url):
        return await Conversation.filter(channel="letter").count()
