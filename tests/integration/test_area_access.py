"""Access per area is enforced in the core actions, not only at the routes: the bot, jobs and the API obey the
same table (core/areas.py). The probe's findings: any staff token could create products, change prices,
create surveys and purchase orders, and confirm orders.
"""

from __future__ import annotations

import pytest

from core.actions.catalog import create_product, update_product
from core.actions.orders import confirm_order, record_delivery, record_installment_payment
from core.actions.procurement import create_purchase_order
from core.actions.surveys import create_survey
from core.areas import TABLE, Area, may_read, may_write
from core.errors import Forbidden
from core.models import Order, Product, PurchaseOrder, Role, Survey, User
from tests.support.api import ApiServer, api
from tests.support.domain import customer, order_for, product
from tests.support.seed import seed_user

__all__ = ["api"]


def test_every_area_has_a_row_with_a_persian_name_and_admin_may_do_everything() -> None:
    assert set(TABLE) == set(Area)
    for area, rule in TABLE.items():
        assert Role.ADMIN in rule.read and Role.ADMIN in rule.write, area
        assert any("\u0600" <= ch <= "\u06ff" for ch in rule.name), area


async def test_an_agent_is_refused_product_price_survey_purchase_order_and_confirm_actions_in_core(db: str) -> None:
    agent = await seed_user("reza", "رضا کریمی", role=Role.AGENT)
    item = await product()
    draft = await order_for(await customer(), item, confirm=False)
    with pytest.raises(Forbidden, match="کالاها و قیمت‌ها"):
        await create_product(code="NEW-1", name="کالای تازه", by=agent)
    with pytest.raises(Forbidden, match="کالاها و قیمت‌ها"):
        await update_product(item.id, by=agent, price=1)
    with pytest.raises(Forbidden, match="نظرسنجی‌ها"):
        await create_survey("رضایت مشتری", by=agent)
    with pytest.raises(Forbidden, match="خرید و واردات"):
        await create_purchase_order(supplier="Gree", by=agent)
    with pytest.raises(Forbidden, match="سفارش‌ها"):
        await confirm_order(draft.id, by=agent)
    assert (await Product.get(id=item.id)).price == 450_000_000
    assert await Product.filter(code="NEW-1").count() == 0
    assert await Survey.all().count() == 0 and await PurchaseOrder.all().count() == 0
    assert (await Order.get(id=draft.id)).status == draft.status


async def test_the_role_the_table_names_passes_and_the_system_always_passes(db: str) -> None:
    sales = await seed_user("neda", "ندا فروشی", role=Role.SALES)
    manager = await seed_user("mina", "مینا مدیری", role=Role.MANAGER)
    warehouse = await seed_user("ali", "علی انباری", role=Role.WAREHOUSE)
    assert (await create_product(code="S-1", name="کالای فروش", by=sales, price=10)).code == "S-1"
    draft = await order_for(await customer(), await product(), confirm=False)
    assert (await confirm_order(draft.id, by=sales)).id == draft.id
    assert (await create_survey("نظرسنجی نصب", by=manager)).title == "نظرسنجی نصب"
    assert (await create_purchase_order(supplier="Otis", by=warehouse)).supplier == "Otis"
    assert (await create_survey("نظرسنجی ربات", by=None)).id  # bots and jobs act as the system


async def test_deliveries_are_warehouse_work_and_installment_payments_collections_work(db: str) -> None:
    sales = await seed_user("neda", "ندا فروشی", role=Role.SALES)
    with pytest.raises(Forbidden, match="انبار"):
        await record_delivery(1, {1: 1}, by=sales)
    with pytest.raises(Forbidden, match="وصول مطالبات"):
        await record_installment_payment(1, 1, by=sales)


async def test_an_inactive_user_may_do_nothing_even_where_their_role_may(db: str) -> None:
    admin = await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    await User.filter(id=admin.id).update(is_active=False)
    await admin.refresh_from_db()
    assert not any(may_read(admin, a) or may_write(admin, a) for a in Area)
    with pytest.raises(Forbidden):
        await create_product(code="X-1", name="کالا", by=admin)


async def test_an_agent_token_no_longer_creates_products_prices_surveys_purchase_orders_or_confirms(
    api: ApiServer,
) -> None:
    agent = await api.client_for("reza", role=Role.AGENT)
    item = await product()
    draft = await order_for(await customer(), item, confirm=False)
    refused = [
        await agent.post("/api/v1/products", {"code": "NEW-1", "name": "کالای تازه", "price": 1}),
        await agent.post(f"/api/v1/products/{item.id}", {"price": 1}),
        await agent.post("/api/v1/surveys", {"title": "رضایت مشتری"}),
        await agent.post("/api/v1/purchase-orders", {"supplier": "Gree"}),
        await agent.post(f"/api/v1/orders/{draft.id}/confirm", {}),
    ]
    assert [r.status for r in refused] == [403] * 5, refused
    assert all(r.body["error"] == "forbidden" and "نقش شما" in r.body["reason"] for r in refused)
    assert (await agent.get("/api/v1/products")).status == 200  # reading the price list stays open
    assert (await Product.get(id=item.id)).price == 450_000_000 and await Product.all().count() == 1
    assert await Survey.all().count() == 0 and await PurchaseOrder.all().count() == 0
    assert (await Order.get(id=draft.id)).status == draft.status
