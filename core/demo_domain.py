"""Demo data for what the customer bot reads: products, devices, orders with installments, imports, a survey.

`load_bot_domain_demo(contacts)` is called by the demo loader (core/demo.py) after the contacts
exist. It writes through the actions only, is deterministic, and does nothing when products exist.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from core.actions.catalog import create_product
from core.actions.devices import register_device
from core.actions.orders import (
    InstallmentInput,
    LineInput,
    cancel_order,
    create_order,
    record_delivery,
    record_installment_payment,
)
from core.actions.procurement import create_purchase_order, move_stage
from core.actions.surveys import QuestionSpec, build_survey, set_survey_status
from core.jalali import local_date
from core.models import Contact, ImportStage, Installment, Order, OrderLine, Product, SurveyStatus, User

# (code, name, category, unit, warranty months, price in Rials)
PRODUCTS = (
    ("AC-GR24", "کولر گازی اسپلیت ۲۴۰۰۰ گری", "کولر گازی", "دستگاه", 18, 485_000_000),
    ("AC-INV18", "کولر گازی اینورتر ۱۸۰۰۰", "کولر گازی", "دستگاه", 24, 398_000_000),
    ("CH-C30", "چیلر تراکمی ۳۰ تن", "چیلر", "دستگاه", 24, 6_800_000_000),
    ("CH-A200", "چیلر جذبی ۲۰۰ تن", "چیلر", "دستگاه", 36, 31_500_000_000),
    ("FC-CEIL", "فن‌کویل سقفی توکار", "فن‌کویل", "دستگاه", 12, 92_000_000),
    ("PK-FLOOR", "پکیج زمینی", "پکیج", "دستگاه", 24, 265_000_000),
    ("EL-P8", "آسانسور ۸ نفره", "آسانسور", "دستگاه", 24, 3_900_000_000),
    ("EL-HOSP", "آسانسور بیمارستانی", "آسانسور", "دستگاه", 24, 5_600_000_000),
    ("EL-GEAR", "موتور گیربکس آسانسور", "قطعات آسانسور", "عدد", 12, 720_000_000),
    ("EL-PANEL", "تابلو فرمان آسانسور", "قطعات آسانسور", "عدد", 12, 310_000_000),
    ("SP-SCROLL", "کمپرسور اسکرال", "قطعات یدکی", "عدد", 6, 88_000_000),
    ("SP-BOARD", "برد الکترونیکی یونیت داخلی", "قطعات یدکی", "عدد", 6, 21_500_000),
    ("SP-TXV", "شیر انبساط", "قطعات یدکی", "عدد", 3, 7_800_000),
    ("SP-REMOTE", "ریموت کنترل کولر", "قطعات یدکی", "عدد", 0, 1_900_000),
)
SUPPLIERS = ("Gree Electric Appliances", "Midea Group", "Carrier Corporation", "Otis Elevator", "LG Electronics")
SURVEY = (
    "نظرسنجی رضایت از خدمات پس از فروش",
    (
        QuestionSpec("single", "آیا مشکل دستگاه شما برطرف شد؟", options=("بله", "خیر")),
        QuestionSpec("text", "لطفاً بفرمایید چه مشکلی هنوز باقی مانده است.", triggers=((1, 2),)),
        QuestionSpec("rating", "به رفتار و مهارت تکنسین از ۱ تا ۵ چه امتیازی می‌دهید؟"),
        QuestionSpec("nps", "چقدر احتمال دارد ما را به دوستان خود توصیه کنید؟ (۰ تا ۱۰)", required=False),
    ),
)


async def _products() -> list[Product]:
    return [
        await create_product(
            code=code, name=name, category=category, unit=unit, warranty_months=months, price=price, by=None
        )
        for code, name, category, unit, months, price in PRODUCTS
    ]


async def _order(rng: random.Random, contact: Contact, products: list[Product], today: date) -> Order:
    """One order of one or two products, paid in one to three installments, in a random state of its life."""
    picked = rng.sample(products, rng.choice((1, 1, 2)))
    lines = [LineInput(p.id, rng.choice((1, 1, 2, 3)) if p.unit == "دستگاه" else rng.choice((2, 4, 6))) for p in picked]
    ordered = today - timedelta(days=rng.randint(5, 200))
    total = sum(line.qty * p.price for line, p in zip(lines, picked, strict=True))
    parts = rng.choice((1, 2, 3))
    plan = [
        InstallmentInput(
            amount=total // parts + (total % parts if i == 0 else 0),
            due_date=ordered + timedelta(days=30 * i),
            method=rng.choice(("transfer", "cheque", "cash")),
        )
        for i in range(parts)
    ]
    state = rng.choice(("draft", "confirmed", "partial", "delivered", "delivered", "cancelled"))
    order = await create_order(
        contact_id=contact.id,
        lines=lines,
        installments=plan,
        by=None,
        order_date=ordered,
        expected_delivery=ordered + timedelta(days=rng.choice((14, 30, 60, 90))),
        confirm=state != "draft",
    )
    if state in ("partial", "delivered"):
        rows = await OrderLine.filter(order_id=order.id).order_by("id")
        done = {r.id: r.qty for r in rows} if state == "delivered" else {rows[0].id: 1}
        order = await record_delivery(order.id, done, by=None)
        for inst in await Installment.filter(order_id=order.id, due_date__lt=today):
            await record_installment_payment(inst.id, inst.amount, by=None)
    elif state == "cancelled":
        order = await cancel_order(order.id, by=None, reason="انصراف مشتری")
    return order


async def _devices(rng: random.Random, contact: Contact, orders: list[Order], products: list[Product], n: int) -> int:
    """Serials for the units of the contact's delivered orders, and sometimes a unit bought before Peyk."""
    made = 0
    for order in orders:
        if order.status.value != "delivered":
            continue
        for line in await OrderLine.filter(order_id=order.id).select_related("product"):
            if line.product.unit != "دستگاه":
                continue
            for _ in range(line.qty):
                serial = f"{line.product.code}-{order.order_date:%y%m}-{n + made:05d}"
                installed = order.order_date + timedelta(days=rng.randint(3, 20))
                await register_device(
                    serial,
                    product_id=line.product.id,
                    owner_id=contact.id,
                    by=None,
                    order_line_id=line.id,
                    installed_at=installed,
                )
                made += 1
    if rng.random() < 0.3:
        units = [p for p in products if p.unit == "دستگاه"]
        product, sold = rng.choice(units), date(2023, 1, 1) + timedelta(days=rng.randint(0, 900))
        await register_device(f"OLD-{n + made:06d}", product_id=product.id, owner_id=contact.id, by=None, sold_at=sold)
        made += 1
    return made


async def _imports(rng: random.Random, orders: list[Order], by: User | None, today: date) -> None:
    """Purchase orders at every stage of the import route, each supplying a few open orders."""
    open_orders = [o for o in orders if o.status.value in ("confirmed", "in_progress")]
    stages = list(ImportStage)
    now = datetime.now(UTC)
    targets = [*stages[::2], ImportStage.CUSTOMS_CLEARANCE]
    for i, target in enumerate(targets):
        supplied = [open_orders.pop() for _ in range(min(len(open_orders), rng.choice((1, 2, 3))))]
        start = now - timedelta(days=10 * (target.step + 2))
        po = await create_purchase_order(
            supplier=SUPPLIERS[i % len(SUPPLIERS)],
            by=by,
            at=start,
            order_ids=[o.id for o in supplied],
            expected_arrival=today + timedelta(days=7 * (len(stages) - target.step) + 5),
        )
        at = start
        for stage in stages[1 : target.step]:
            at += timedelta(days=rng.randint(3, 9))
            await move_stage(po.id, stage, by=by, at=min(at, now))
        if i == len(targets) - 1:
            # One shipment went back a step for missing papers: the history shows it.
            await move_stage(po.id, ImportStage.ARRIVAL_NOTICE, by=by, note="کسری مدارک ترخیص")
            await move_stage(po.id, ImportStage.CUSTOMS_CLEARANCE, by=by, note="مدارک تکمیل شد")


async def _survey(by: User | None) -> None:
    title, questions = SURVEY
    survey = await build_survey(title, questions, by=by, thank_you="از وقتی که گذاشتید سپاسگزاریم.")
    for status in (SurveyStatus.IN_REVIEW, SurveyStatus.APPROVED, SurveyStatus.PUBLISHED):
        await set_survey_status(survey.id, status, by=by)


async def load_bot_domain_demo(contacts: list[Contact], *, seed: int = 1405) -> None:
    """Products, devices, orders, installments, purchase orders in every stage and one published survey."""
    if await Product.exists():
        return
    rng = random.Random(seed)
    today = local_date(datetime.now(UTC))
    staff = await User.filter(is_active=True).order_by("id").first()
    products = await _products()
    orders: list[Order] = []
    serials = 1
    for contact in contacts:
        if rng.random() < 0.5:
            continue
        mine = [await _order(rng, contact, products, today) for _ in range(rng.choice((1, 1, 2)))]
        serials += await _devices(rng, contact, mine, products, serials)
        orders += mine
    await _imports(rng, orders, staff, today)
    await _survey(staff)
