"""Named counters (case numbers per Jalali year) bumped inside the caller's transaction."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Sequence(Model):
    """A named counter, name is e.g. case-1405."""

    name = fields.CharField(max_length=60, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "sequence"
