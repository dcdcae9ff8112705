"""Warranty terms (گارانتی): the end date from the product's months, and the status on a given day (SRV-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.jalali import days_in_month, to_gregorian, to_jalali


class WarrantyState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    NONE = "none"


@dataclass(frozen=True)
class WarrantyStatus:
    """A device's warranty on one day: active until `ends_on` (inclusive), ended, or none at all."""

    state: WarrantyState
    ends_on: date | None = None

    @property
    def active(self) -> bool:
        return self.state == WarrantyState.ACTIVE


def add_jalali_months(start: date, months: int) -> date:
    """`start` plus whole Jalali months (customers count warranty in Jalali months; day clamped to month end)."""
    year, month, day = to_jalali(start)
    index = year * 12 + (month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return to_gregorian(year, month, min(day, days_in_month(year, month)))


def warranty_end(start: date | None, months: int) -> date | None:
    """The last day of warranty: `months` Jalali months after `start`; None without a start or terms."""
    if start is None or months <= 0:
        return None
    return add_jalali_months(start, months)


def warranty_status(ends_on: date | None, today: date) -> WarrantyStatus:
    """Active through `ends_on` (inclusive), ended after it, none without an end date."""
    if ends_on is None:
        return WarrantyStatus(WarrantyState.NONE)
    state = WarrantyState.ACTIVE if today <= ends_on else WarrantyState.ENDED
    return WarrantyStatus(state, ends_on)
