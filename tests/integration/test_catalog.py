"""Products: created and updated through the actions, found by Persian-normalized words for price inquiries."""

from __future__ import annotations

import pytest

from core.actions.catalog import create_product, update_product
from core.errors import ValidationError
from core.models import AuditLog, Product, Role, User
from core.queries.customer import product_categories, products_for_inquiry
from tests.support.domain import product


async def test_a_product_is_created_with_a_normalized_code_warranty_and_price_in_rials(db: str) -> None:
    item = await create_product(
        code=" ch-۳۰۰ ", name="چیلر تراکمی ۳۰۰ تن", by=None, category="چیلر", warranty_months=24, price=9_500_000_000
    )
    stored = await Product.get(id=item.id)
    assert (stored.code, stored.warranty_months, stored.price, stored.unit, stored.active) == (
        "CH-300",
        24,
        9_500_000_000,
        "دستگاه",
        True,
    )
    assert await AuditLog.filter(action="product.create", object_id=str(item.id)).exists()


async def test_a_second_product_with_the_same_code_in_another_spelling_is_refused(db: str) -> None:
    await product(code="AC-24")
    with pytest.raises(ValidationError, match="already in use"):
        await product(code="ac-۲۴", name="کولر دیگر")
    assert await Product.all().count() == 1


async def test_bad_product_values_are_refused_with_the_field_named(db: str) -> None:
    with pytest.raises(ValidationError, match="name"):
        await create_product(code="X1", name="  ", by=None)
    with pytest.raises(ValidationError, match="warranty_months"):
        await create_product(code="X1", name="قطعه", by=None, warranty_months=-1)
    with pytest.raises(ValidationError, match="price"):
        await create_product(code="X1", name="قطعه", by=None, price=1.5)  # type: ignore[arg-type]


async def test_updating_a_product_changes_its_fields_search_key_and_writes_an_audit_row(db: str) -> None:
    staff = await User.create(username="sales1", full_name="فروش", role=Role.SALES)
    item = await product(code="EL-8", name="آسانسور ۸ نفره", category="آسانسور")
    updated = await update_product(item.id, by=staff, name="آسانسور ۸ نفره کششی", price=1_200_000_000, active=False)
    assert (updated.name, updated.price, updated.active) == ("آسانسور ۸ نفره کششی", 1_200_000_000, False)
    assert "کششی" in updated.name_search
    audit = await AuditLog.get(action="product.update", object_id=str(item.id))
    assert audit.user_id == staff.id
    with pytest.raises(ValidationError, match="unknown product field"):
        await update_product(item.id, by=None, code="OTHER")


async def test_a_price_inquiry_finds_active_products_by_words_typed_with_arabic_letters_and_digits(db: str) -> None:
    split = await product(code="AC-24", name="کولر گازی اسپلیت ۲۴ هزار", category="کولر گازی")
    await product(code="AC-18", name="کولر گازی اسپلیت ۱۸ هزار", category="کولر گازی", active=False)
    await product(code="FLT-1", name="فیلتر کولر", category="قطعات یدکی", warranty_months=0)
    found = await products_for_inquiry("كولر 24")
    assert [p.id for p in found] == [split.id]
    assert [p.code for p in await products_for_inquiry("", category="قطعات یدکی")] == ["FLT-1"]
    assert await product_categories() == ["قطعات یدکی", "کولر گازی"]
