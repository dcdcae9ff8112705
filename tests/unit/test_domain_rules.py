"""Pure rules of the bot domain: serials, warranty months, order numbers, derived statuses, Persian names."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import ValidationError
from core.models.orders import InstallmentStatus, OrderStatus, derive_order_status, installment_status
from core.models.procurement import ImportStage
from core.sequences import format_yearly_number, parse_yearly_number
from core.serials import display_serial, normalize_code, normalize_serial, try_normalize_serial
from core.status_names import IMPORT_STAGE_NAMES, stage_name, warranty_text_for
from core.warranty import WarrantyState, add_jalali_months, warranty_end, warranty_status


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("AC-24-0015", "AC240015"),
        ("ac ۲۴ ۰۰۱۵", "AC240015"),
        ("ac٢٤٠٠١٥", "AC240015"),
        ("AC\u200c24–0015", "AC240015"),
        ("AC/24.0015", "AC240015"),
        ("ac۲۴ـ۰۰۱۵", "AC240015"),
    ],
)
def test_a_serial_typed_any_way_has_one_matching_form(typed: str, key: str) -> None:
    assert normalize_serial(typed) == key


def test_an_empty_or_overlong_serial_is_refused_and_lookups_get_none_instead() -> None:
    for bad in ("", " - ", "A" * 61):
        with pytest.raises(ValidationError):
            normalize_serial(bad)
        assert try_normalize_serial(bad) is None
    assert display_serial("  ac-۲۴   ۰۰۱۵ ") == "AC-24 0015"
    assert normalize_code(" ch-۳۰۰ ") == "CH-300"


def test_warranty_months_are_counted_in_jalali_months_and_clamped_to_the_month_end() -> None:
    assert add_jalali_months(date(2026, 6, 5), 12) == date(2027, 6, 5)  # 1405/03/15 → 1406/03/15
    assert add_jalali_months(date(2026, 9, 22), 1) == date(2026, 10, 22)  # 1405/06/31 → 1405/07/30
    assert add_jalali_months(date(2026, 3, 21), -1) == date(2026, 2, 20)  # 1405/01/01 → 1404/12/01
    assert warranty_end(None, 12) is None
    assert warranty_end(date(2026, 1, 1), 0) is None


def test_warranty_is_active_through_its_last_day_then_ended() -> None:
    ends = date(2027, 6, 5)
    assert warranty_status(ends, date(2027, 6, 5)).state == WarrantyState.ACTIVE
    assert warranty_status(ends, date(2027, 6, 6)).state == WarrantyState.ENDED
    assert warranty_status(None, date(2027, 6, 6)).state == WarrantyState.NONE
    assert warranty_text_for(ends, date(2026, 1, 1)) == "در ضمانت تا ۱۴۰۶/۰۳/۱۵"
    assert warranty_text_for(None, date(2026, 1, 1)) == "بدون ضمانت"


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("S-1405-00017", "S-1405-00017"),
        ("s-1405-17", "S-1405-00017"),
        ("۱۴۰۵-۱۷", "S-1405-00017"),
        ("١٤٠٥/١٧", "S-1405-00017"),
        ("S140500017", "S-1405-00017"),
        ("P-1405-00017", None),
        ("1405", None),
        ("S-1405-0", None),
        ("' OR 1=1 --", None),
        ("", None),
    ],
)
def test_an_order_number_typed_any_way_is_read_as_the_canonical_number(typed: str, number: str | None) -> None:
    assert parse_yearly_number(typed, "S") == number


def test_numbers_have_five_digit_counters() -> None:
    assert format_yearly_number("P", 1405, 3) == "P-1405-00003"


def test_the_order_status_follows_from_confirmation_cancellation_and_delivered_lines() -> None:
    assert derive_order_status(confirmed=False, cancelled=False, lines=[(2, 0)]) == OrderStatus.DRAFT
    assert derive_order_status(confirmed=True, cancelled=False, lines=[(2, 0), (1, 0)]) == OrderStatus.CONFIRMED
    assert derive_order_status(confirmed=True, cancelled=False, lines=[(2, 1), (1, 0)]) == OrderStatus.IN_PROGRESS
    assert derive_order_status(confirmed=True, cancelled=False, lines=[(2, 2), (1, 1)]) == OrderStatus.DELIVERED
    assert derive_order_status(confirmed=True, cancelled=True, lines=[(2, 2)]) == OrderStatus.CANCELLED
    assert derive_order_status(confirmed=True, cancelled=False, lines=[]) == OrderStatus.CONFIRMED


def test_an_installment_is_due_until_its_day_overdue_after_and_paid_when_fully_paid() -> None:
    due = date(2026, 5, 1)
    assert installment_status(100, 0, due, date(2026, 5, 1)) == InstallmentStatus.DUE
    assert installment_status(100, 40, due, date(2026, 5, 2)) == InstallmentStatus.OVERDUE
    assert installment_status(100, 100, due, date(2027, 1, 1)) == InstallmentStatus.PAID


def test_every_import_stage_has_a_persian_name_and_a_step_in_route_order() -> None:
    assert list(IMPORT_STAGE_NAMES) == list(ImportStage)
    assert stage_name("customs_clearance") == "ترخیص کالا"
    assert stage_name(ImportStage.RECEIVED) == "دریافت در انبار"
    assert [s.step for s in ImportStage] == list(range(1, 14))
    for name in IMPORT_STAGE_NAMES.values():
        assert not any(ch.isascii() and ch.isalnum() for ch in name), name
        assert "ي" not in name and "ك" not in name
