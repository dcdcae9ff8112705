"""Stopping and restarting `python run.py` in the middle of a flow: the next message continues it (BOT-1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.actions.devices import register_device
from core.config import Settings
from core.jalali import jalali_year, to_gregorian
from core.models import Case
from tests.support.bot_scan import assert_persian
from tests.support.bot_service import SECRET, fakes
from tests.support.bot_world import LINE, SMS_SECRET, BotWorld
from tests.support.domain import customer, product
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_kavenegar import FakeKavenegar
from tests.support.orm import orm_on
from tests.support.service import RunningService

__all__ = ["fakes"]


class ServiceWorld(BotWorld):
    """The same customers against `python run.py` in a subprocess (`service`), its database read with orm_on."""

    def __init__(
        self, service: RunningService, db_url: str, telegram: FakeBotApi, bale: FakeBotApi, kv: FakeKavenegar
    ) -> None:
        super().__init__(Settings(database_url=db_url), telegram, bale, kv)
        self.service, self.db_url = service, db_url
        self.url = service.url

    async def restart(self) -> None:
        """Stop the process (SIGTERM) and start a new one on the same database and data directory."""
        assert await self.service.stop() == 0, self.service.log()
        await self.service.start()

    async def settle(self) -> None:
        async with orm_on(self.db_url):
            await super().settle()


@pytest.fixture
async def remote(
    fresh_db_url: str, tmp_path: Path, fakes: tuple[FakeBotApi, FakeBotApi]
) -> AsyncIterator[ServiceWorld]:
    """`python run.py` with Telegram (webhook) and SMS against the fakes, and two customers with devices."""
    telegram, bale = fakes
    kavenegar = FakeKavenegar()
    await kavenegar.start()
    env = {
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_PUBLIC_URL": "https://crm.example.ir",
        "PEYK_TELEGRAM_TOKEN": telegram.token,
        "PEYK_TELEGRAM_API_URL": telegram.api_url,
        "PEYK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PEYK_KAVENEGAR_API_KEY": kavenegar.api_key,
        "PEYK_KAVENEGAR_API_URL": kavenegar.url,
        "PEYK_KAVENEGAR_SENDER": LINE,
        "PEYK_KAVENEGAR_CALLBACK_SECRET": SMS_SECRET,
    }
    service = RunningService(env, tmp_path)
    await service.start()
    async with orm_on(fresh_db_url):
        split = await product("AC-SPLIT", "کولر گازی اسپلیت بیست‌وچهار هزار")
        for name, phone, serial in (
            ("امیر رضایی", "09121234567", "AC-24-77415"),
            ("ندا کریمی", "09351112233", "AC-24-88120"),
        ):
            owner = await customer(name, phone)
            await register_device(
                serial, product_id=split.id, owner_id=owner.id, by=None, installed_at=to_gregorian(1404, 9, 15)
            )
    yield ServiceWorld(service, fresh_db_url, telegram, bale, kavenegar)
    assert await service.stop() == 0, service.log()
    await kavenegar.stop()


async def test_a_restart_in_the_middle_of_a_flow_continues_where_each_customer_was(remote: ServiceWorld) -> None:
    amir = remote.telegram_user(6100000001, "امیر")
    await amir.say("/start")
    await amir.press("درخواست خدمات")
    await amir.share_contact("+989121234567")
    neda = remote.sms_user("09351112233")
    await neda.say("۱")
    assert "سریال AC-۲۴-۸۸۱۲۰" in neda.last()

    await remote.restart()

    await amir.press("کولر گازی اسپلیت بیست‌وچهار هزار، سریال AC-۲۴-۷۷۴۱۵")  # a button sent before the restart
    assert "تحت گارانتی تا ۱۴۰۶/۰۳/۱۵" in amir.last()
    await amir.say("یونیت داخلی یخ می‌زند.")
    await amir.press("تأیید و ثبت درخواست")
    await neda.say("۱")
    assert "تحت گارانتی تا ۱۴۰۶/۰۳/۱۵" in neda.last()
    await neda.say("کولر خاموش و روشن می‌شود.")
    await neda.say("۱")
    async with orm_on(remote.db_url):
        numbers = sorted(c.number for c in await Case.all())
    year = jalali_year(datetime.now(UTC))
    assert len(numbers) == 2 and all(n.startswith(f"{year}-") for n in numbers)
    assert "ثبت شد" in amir.last() and "ثبت شد" in neda.last()
    assert_persian(remote.telegram, remote.kavenegar)
