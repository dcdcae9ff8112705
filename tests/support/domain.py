"""Bot-domain test data through the real actions: products, devices, orders, purchase orders, surveys."""

from __future__ import annotations

from datetime import date

from core.actions.catalog import create_product
from core.actions.orders import InstallmentInput, LineInput, create_order
from core.models import Contact, Order, Product
from tests.support.seed import seed_contact


async def product(code: str = "AC-24", name: str = "کولر گازی اسپلیت ۲۴ هزار", **kw: object) -> Product:
    """A product with 18 months of warranty unless told otherwise."""
    values: dict[str, object] = {"category": "کولر گازی", "warranty_months": 18, "price": 450_000_000} | kw
    return await create_product(code=code, name=name, by=None, **values)  # type: ignore[arg-type]


async def customer(name: str = "امیر رضایی", phone: str = "09121234567") -> Contact:
    """A contact with a phone."""
    return await seed_contact(name, phone)


async def order_for(
    contact: Contact,
    item: Product,
    *,
    qty: int = 2,
    installments: tuple[tuple[int, date], ...] = (),
    confirm: bool = True,
) -> Order:
    """A (confirmed) order of `qty` units of `item` at its price, with the given installments."""
    plan = [InstallmentInput(amount=a, due_date=d) for a, d in installments]
    return await create_order(
        contact_id=contact.id,
        lines=[LineInput(product_id=item.id, qty=qty)],
        installments=plan,
        by=None,
        order_date=date(2026, 5, 1),
        confirm=confirm,
    )
