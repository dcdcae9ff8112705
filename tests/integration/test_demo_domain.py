"""The bot-domain demo: products, devices, orders, imports in every stage and a published survey with a branch."""

from __future__ import annotations

from core.demo_domain import load_bot_domain_demo
from core.models import (
    Device,
    ImportStage,
    Order,
    OrderStatus,
    Product,
    PurchaseOrder,
    PurchaseOrderStage,
    QuestionTrigger,
    Survey,
    SurveyStatus,
)
from core.queries.customer import imports_of
from tests.support.seed import seed_contact


async def test_the_demo_loads_every_kind_of_record_once_and_the_bot_can_read_them(db: str) -> None:
    contacts = [await seed_contact(f"مشتری {i}", f"0912{i:07d}") for i in range(1, 41)]
    await load_bot_domain_demo(contacts)
    await load_bot_domain_demo(contacts)  # a second call adds nothing
    assert await Product.all().count() == 14
    assert await Device.all().count() > 0
    statuses = set(await Order.all().values_list("status", flat=True))
    assert {OrderStatus.DELIVERED, OrderStatus.CONFIRMED} <= statuses
    stages = set(await PurchaseOrder.all().values_list("stage", flat=True))
    assert {ImportStage.PROFORMA_RECEIVED, ImportStage.CUSTOMS_CLEARANCE, ImportStage.RECEIVED} <= stages
    assert await PurchaseOrderStage.filter(from_stage=ImportStage.CUSTOMS_CLEARANCE).exists()
    survey = await Survey.get(status=SurveyStatus.PUBLISHED)
    assert await QuestionTrigger.filter(question__survey_id=survey.id).count() == 1
    followed = [c for c in contacts if await imports_of(c.id)]
    assert followed, "some customer can follow an import"
