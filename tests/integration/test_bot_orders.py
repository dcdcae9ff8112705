"""My orders and my imports through the bot (BOT-4, BOT-5): only the customer's own, with Jalali dates and Rials."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.actions.orders import record_delivery, record_installment_payment
from core.actions.procurement import create_purchase_order, move_stage
from core.jalali import format_date, format_date_numeric
from core.models import ImportStage, Installment, Order, OrderLine
from core.text import to_persian_digits
from tests.support.bot_scan import assert_persian
from tests.support.bot_world import BotWorld, world
from tests.support.domain import customer, order_for, product

__all__ = ["world"]
LATER = date(2027, 1, 10)
EARLIER = date(2026, 10, 1)


async def two_customers() -> tuple[Order, Order]:
    """Amir's order (two split units, half paid, one delivered, supplied by an import) and Neda's order."""
    amir = await customer("امیر رضایی", "09121234567")
    neda = await customer("ندا کریمی", "09351112233")
    split = await product("AC-SPLIT", "کولر گازی اسپلیت بیست‌وچهار هزار", price=450_000_000)
    chiller = await product("CH-C30", "چیلر تراکمی سی تن", price=6_800_000_000)
    mine = await order_for(amir, split, qty=2, installments=((300_000_000, EARLIER), (600_000_000, LATER)))
    theirs = await order_for(neda, chiller, qty=1)
    first = await Installment.filter(order_id=mine.id).order_by("due_date").first()
    assert first is not None
    await record_installment_payment(first.id, 100_000_000, by=None)
    line = await OrderLine.get(order_id=mine.id)
    await record_delivery(mine.id, {line.id: 1}, by=None)
    return await Order.get(id=mine.id), theirs


def fa(text: object) -> str:
    return to_persian_digits(str(text))


async def test_a_customer_sees_only_their_own_orders_and_another_customers_number_reveals_nothing(
    world: BotWorld,
) -> None:
    mine, theirs = await two_customers()
    neda = world.telegram_user(6200000002, "ندا")
    await neda.say("/start")
    await neda.press("سفارش‌های من")
    await neda.share_contact("+989351112233")
    listed = neda.last()
    assert fa(theirs.number) in " ".join(neda.buttons()) and fa(mine.number) not in listed + " ".join(neda.buttons())
    await neda.say(mine.number)  # Amir's order number, typed exactly
    assert neda.last().startswith("سفارشی با این شماره در سوابق شما پیدا نشد.")
    await neda.say(fa(mine.number.removeprefix("S-")))  # and in Persian digits without the prefix
    assert neda.last().startswith("سفارشی با این شماره در سوابق شما پیدا نشد.")
    assert all("کولر گازی" not in text and fa(mine.number) not in text for text in neda.texts())
    await neda.press(neda.buttons()[0])
    assert f"سفارش {fa(theirs.number)}" in neda.last() and "چیلر تراکمی سی تن" in neda.last()
    assert_persian(world.telegram)


async def test_order_details_show_status_lines_delivery_and_outstanding_installments_in_rials(
    world: BotWorld,
) -> None:
    mine, _ = await two_customers()
    amir = world.sms_user("09121234567")
    await amir.say("منو")
    await amir.say("۲")
    assert fa(mine.number) in amir.last() and "۱ـ" in amir.last()
    await amir.say("۱")
    detail = amir.last()
    assert f"سفارش {fa(mine.number)}" in detail
    assert "وضعیت: در حال تحویل" in detail
    assert "• کولر گازی اسپلیت بیست‌وچهار هزار: ۲ دستگاه، تحویل‌شده ۱" in detail
    assert f"• ۲۰۰٬۰۰۰٬۰۰۰ ریال، سررسید {format_date_numeric(EARLIER)} (سررسید گذشته)" in detail
    assert f"• ۶۰۰٬۰۰۰٬۰۰۰ ریال، سررسید {format_date_numeric(LATER)}" in detail
    assert "برای دیدن منوی اصلی «۰» را بفرستید." in detail
    assert_persian(world.kavenegar)


async def test_my_imports_show_the_persian_stage_since_when_and_the_expected_arrival(world: BotWorld) -> None:
    mine, theirs = await two_customers()
    entered = datetime.now(UTC) - timedelta(days=20)
    arrival = date(2027, 2, 14)
    po = await create_purchase_order(
        supplier="Gree Electric Appliances", by=None, order_ids=[mine.id], expected_arrival=arrival, at=entered
    )
    cleared = datetime.now(UTC) - timedelta(days=3)
    await move_stage(po.id, ImportStage.SHIPPED, by=None, at=entered + timedelta(days=5))
    await move_stage(po.id, ImportStage.CUSTOMS_CLEARANCE, by=None, at=cleared)
    await create_purchase_order(supplier="Carrier Corporation", by=None, order_ids=[theirs.id])
    amir = world.telegram_user(6100000001, "امیر")
    await amir.say("سلام")
    await amir.press("محموله‌های وارداتی من")
    await amir.share_contact("989121234567")
    shown = amir.last()
    assert f"سفارش {fa(mine.number)}\nمرحله: ترخیص کالا، از {format_date(cleared)}" in shown
    assert f"رسیدن پیش‌بینی‌شده: {format_date(arrival)}" in shown
    assert fa(theirs.number) not in shown
    neda = world.sms_user("09351112233")
    await neda.say("۳")  # a main-menu number as the very first message
    assert "مرحله: دریافت پیش‌فاکتور از فروشنده" in neda.last() and fa(mine.number) not in neda.last()
    assert_persian(world.telegram, world.kavenegar)


async def test_a_customer_without_orders_is_told_so_and_gets_the_menu_back(world: BotWorld) -> None:
    await customer("بهرام نوری", "09127778888")
    bahram = world.sms_user("09127778888")
    await bahram.say("۲")
    assert bahram.last().startswith("سفارشی برای شما ثبت نشده است.")
    await bahram.say("۰")
    assert "۱ـ درخواست خدمات" in bahram.last()
    assert_persian(world.kavenegar)
