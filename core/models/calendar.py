"""The holiday table of the business calendar (PLT-3)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Holiday(Model):
    """A day off: date is the Gregorian day, jalali its Jalali spelling for admins (1405/01/01)."""

    id = fields.IntField(primary_key=True)
    date = fields.DateField(unique=True)
    jalali = fields.CharField(max_length=10, default="")
    name = fields.CharField(max_length=120, default="")
    half_day = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "holiday"
