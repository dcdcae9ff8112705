"""Devices: unique normalized serials, warranty derived from the product, lookups scoped to the owner."""

from __future__ import annotations

from datetime import date

import pytest

from core.actions.cases import open_case
from core.actions.devices import link_case, record_installation, register_device
from core.errors import ValidationError
from core.models import Case, Device, OrderLine
from core.queries.customer import device_by_serial, devices_of
from core.status_names import warranty_text
from core.warranty import WarrantyState
from tests.support.domain import customer, order_for, product


async def test_warranty_runs_from_installation_and_reads_under_warranty_until_then_ended(db: str) -> None:
    split = await product(warranty_months=12)
    owner = await customer()
    device = await register_device(
        "AC24-0001",
        product_id=split.id,
        owner_id=owner.id,
        by=None,
        sold_at=date(2026, 5, 1),
        installed_at=date(2026, 6, 5),
    )
    # 1405/03/15 plus twelve Jalali months is 1406/03/15.
    assert device.warranty_ends_at == date(2027, 6, 5)
    on_last_day = device.warranty_status(date(2027, 6, 5))
    assert on_last_day.state == WarrantyState.ACTIVE
    assert warranty_text(on_last_day) == "در ضمانت تا ۱۴۰۶/۰۳/۱۵"
    day_after = device.warranty_status(date(2027, 6, 6))
    assert day_after.state == WarrantyState.ENDED
    assert warranty_text(day_after) == "ضمانت به پایان رسیده است"


async def test_without_installation_the_warranty_runs_from_the_sale_and_moves_when_installed(db: str) -> None:
    split = await product(warranty_months=18)
    owner = await customer()
    device = await register_device("S-1", product_id=split.id, owner_id=owner.id, by=None, sold_at=date(2026, 3, 21))
    assert device.warranty_ends_at == date(2027, 9, 23)  # 1405/01/01 + 18 months = 1406/07/01
    installed = await record_installation(device.id, date(2026, 4, 21), by=None)
    assert installed.warranty_ends_at == date(2027, 10, 23)  # 1405/02/01 + 18 months = 1406/08/01
    stored = await Device.get(id=device.id)
    assert (stored.installed_at, stored.warranty_ends_at) == (date(2026, 4, 21), date(2027, 10, 23))


async def test_a_product_without_warranty_terms_gives_no_warranty(db: str) -> None:
    part = await product(code="FLT", name="فیلتر", warranty_months=0)
    device = await register_device("F-9", product_id=part.id, owner_id=(await customer()).id, by=None)
    assert device.warranty_ends_at is None
    assert device.warranty_status(date(2026, 1, 1)).state == WarrantyState.NONE


async def test_a_serial_is_stored_normalized_and_a_duplicate_in_any_spelling_is_refused(db: str) -> None:
    split = await product()
    owner = await customer()
    device = await register_device("ac-۲۴ ۰۰۱۵", product_id=split.id, owner_id=owner.id, by=None)
    assert (device.serial, device.serial_display) == ("AC240015", "AC-24 0015")
    with pytest.raises(ValidationError, match=r"serial AC240015 is already registered \(device \d+\)"):
        await register_device("AC 24-0015", product_id=split.id, owner_id=owner.id, by=None)
    assert await Device.all().count() == 1


async def test_serial_lookup_accepts_persian_digits_and_never_reveals_another_customers_device(db: str) -> None:
    split = await product()
    amir, leila = await customer(), await customer("لیلا احمدی", "09129876543")
    device = await register_device("AC24-7788", product_id=split.id, owner_id=amir.id, by=None)
    found = await device_by_serial("ac۲۴ـ۷۷۸۸", contact_id=amir.id)
    assert found is not None and found.id == device.id
    assert found.product.name == split.name
    assert await device_by_serial("AC24-7788", contact_id=leila.id) is None
    assert await device_by_serial("٧٧٨٨", contact_id=amir.id) is None
    assert await device_by_serial("   ") is None


async def test_devices_of_lists_only_the_contacts_devices_newest_first(db: str) -> None:
    split = await product()
    amir, leila = await customer(), await customer("لیلا احمدی", "09129876543")
    first = await register_device("A1", product_id=split.id, owner_id=amir.id, by=None)
    second = await register_device("A2", product_id=split.id, owner_id=amir.id, by=None)
    await register_device("L1", product_id=split.id, owner_id=leila.id, by=None)
    assert [d.id for d in await devices_of(amir.id)] == [second.id, first.id]


async def test_a_device_on_an_order_line_takes_the_order_date_and_the_line_caps_its_serials(db: str) -> None:
    split = await product()
    owner = await customer()
    order = await order_for(owner, split, qty=1)
    line = await OrderLine.get(order_id=order.id)
    device = await register_device("L-1", product_id=split.id, owner_id=owner.id, by=None, order_line_id=line.id)
    assert (device.order_line_id, device.sold_at) == (line.id, date(2026, 5, 1))
    with pytest.raises(ValidationError, match="already has all 1 serials"):
        await register_device("L-2", product_id=split.id, owner_id=owner.id, by=None, order_line_id=line.id)


async def test_a_case_is_linked_to_the_customers_device_and_order_but_not_to_someone_elses(db: str) -> None:
    split = await product()
    amir, leila = await customer(), await customer("لیلا احمدی", "09129876543")
    device = await register_device("D-1", product_id=split.id, owner_id=amir.id, by=None)
    other = await register_device("D-2", product_id=split.id, owner_id=leila.id, by=None)
    order = await order_for(amir, split)
    case = await open_case(contact_id=amir.id, by=None, subject="صدای زیاد")
    await link_case(case.id, by=None, device_id=device.id, order_id=order.id)
    stored = await Case.get(id=case.id)
    assert (stored.device_id, stored.order_id) == (device.id, order.id)
    with pytest.raises(ValidationError, match="not a device of the case's contact"):
        await link_case(case.id, by=None, device_id=other.id)
