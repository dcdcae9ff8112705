"""Service-level policies (SRV-5): first-response and resolution targets per case type and priority."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.enums import CaseType, Priority


class SlaPolicy(Model):
    """Targets in business minutes for cases of one type and priority, and when to warn (percent of the target).

    A target left empty means no clock for it. The due times are stored on the case, counted on the
    business calendar (PLT-3) and paused while the case waits on the customer.
    """

    id = fields.IntField(primary_key=True)
    case_type = fields.CharEnumField(CaseType, max_length=15)
    priority = fields.CharEnumField(Priority, max_length=10)
    first_response_minutes = fields.IntField(null=True)
    resolution_minutes = fields.IntField(null=True)
    warning_percent = fields.IntField(default=80)
    active = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sla_policy"
        unique_together = (("case_type", "priority"),)
