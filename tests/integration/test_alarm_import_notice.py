"""Import stage notices (PRC-4): the linked order's customer gets one SMS at the fake Kavenegar per stage, ever."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from channels.dispatcher import Dispatcher
from channels.kavenegar_client import KavenegarClient
from channels.sms import SmsSender
from core.actions.alarm_rules import ensure_default_rules, save_rule
from core.actions.calendar import load_calendar
from core.actions.dispatch import RetryPolicy
from core.actions.procurement import create_purchase_order, move_stage
from core.models import Alarm, AlarmDelivery, AlarmRule, ImportStage, Order
from core.sweeps.imports import sweep_imports
from core.text import to_persian_digits
from scheduler.reactions import install
from tests.support.alarms import at, staffed_team
from tests.support.domain import customer, order_for, product
from tests.support.fake_kavenegar import FakeKavenegar, eventually

LINE = "30004505"


@pytest.fixture
async def kavenegar(db: str) -> AsyncIterator[FakeKavenegar]:
    """A fake Kavenegar and the outbox dispatcher sending SMS to it."""
    fake = FakeKavenegar()
    await fake.start()
    session = aiohttp.ClientSession()
    client = KavenegarClient(session, fake.api_key, base_url=fake.url, timeout=2)
    dispatcher = Dispatcher({"sms": SmsSender(client, LINE)}, poll_interval=0.05, retry=RetryPolicy(0.01, 0.05, 50))  # type: ignore[dict-item]
    await dispatcher.start()
    yield fake
    await dispatcher.stop()
    await session.close()
    await fake.stop()


async def business_now() -> datetime:
    """A moment in business hours after every stage change made so far (the sweep's clock)."""
    return (await load_calendar()).next_business_start(datetime.now(UTC) + timedelta(seconds=1))


async def linked_order(created: datetime | None = None) -> tuple[Order, int]:
    buyer = await customer("امیر رضایی", "09121234567")
    order = await order_for(buyer, await product())
    po = await create_purchase_order(
        supplier="Gree Electric", by=None, order_ids=[order.id], stage="shipped", at=created
    )
    return order, po.id


async def test_moving_a_po_to_customs_clearance_texts_the_customer_once_and_back_and_forth_does_not_spam(
    kavenegar: FakeKavenegar,
) -> None:
    await ensure_default_rules()
    [rule] = await AlarmRule.filter(kind="import_stage_notice")
    await save_rule(rule.id, by=None, params={"stages": ["customs_clearance"]})
    order, po_id = await linked_order()
    await move_stage(po_id, ImportStage.CUSTOMS_CLEARANCE, by=None)
    assert (await sweep_imports(await business_now()))["notices"] == 1
    [sms] = await eventually(lambda: _sms(kavenegar, 1))
    assert sms["receptor"] == "09121234567"
    assert "«ترخیص کالا»" in sms["message"] and to_persian_digits(order.number) in sms["message"]
    assert sms["message"].startswith("امیر رضایی گرامی،")

    for stage in ("arrival_notice", "customs_clearance", "arrival_notice", "customs_clearance"):
        await move_stage(po_id, stage, by=None)
    assert (await sweep_imports(await business_now()))["notices"] == 0
    assert (await sweep_imports(await business_now() + timedelta(days=1)))["notices"] == 0
    assert len(kavenegar.sms) == 1
    assert await Alarm.filter(kind="import_stage_notice").count() == 1


async def test_a_stage_change_event_sends_the_notice_at_once_without_waiting_for_the_sweep(db: str) -> None:
    await ensure_default_rules()  # customs clearance is one of the shipped notice stages
    uninstall = install()
    try:
        _, po_id = await linked_order()
        await move_stage(po_id, ImportStage.CUSTOMS_CLEARANCE, by=None)
    finally:
        uninstall()
    [alarm] = await Alarm.filter(kind="import_stage_notice")
    [delivery] = await AlarmDelivery.filter(alarm_id=alarm.id)
    assert (str(delivery.channel), delivery.address) == ("sms", "+989121234567")
    # Sent now in business hours, or held until the next business start (quiet hours for customers).
    assert delivery.status in ("queued", "deferred")
    assert await sweep_imports(await business_now()) == {"purchase_orders": 1, "stuck_alarms": 0, "notices": 0}


async def test_a_po_stuck_in_customs_longer_than_the_limit_alarms_the_managers_once(db: str) -> None:
    staff = await staffed_team()
    await ensure_default_rules()  # customs clearance: 7 days
    _, po_id = await linked_order(at("1405/08/28 10:00"))
    await move_stage(po_id, ImportStage.CUSTOMS_CLEARANCE, by=None, at=at("1405/09/01 10:00"))
    assert (await sweep_imports(at("1405/09/07 10:00")))["stuck_alarms"] == 0
    assert (await sweep_imports(at("1405/09/08 10:30")))["stuck_alarms"] == 1
    assert (await sweep_imports(at("1405/09/09 10:30")))["stuck_alarms"] == 0
    [alarm] = await Alarm.filter(kind="import_stuck")
    assert "بیش از ۷ روز در مرحلهٔ «ترخیص کالا»" in alarm.text
    assert await AlarmDelivery.filter(alarm_id=alarm.id).values_list("user_id", flat=True) == [staff.manager.id]


async def _sms(fake: FakeKavenegar, count: int) -> list[dict[str, object]] | None:
    return fake.sms if len(fake.sms) >= count else None
