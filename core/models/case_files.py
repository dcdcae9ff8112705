"""Files attached to a case: the photos a customer sent with a service request (BOT-3)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CaseAttachment(Model):
    """One stored file (kept with the message it came in) attached to a case."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Case", related_name="attachments", on_delete=fields.CASCADE
    )
    case_id: int
    attachment: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Attachment", related_name="cases", on_delete=fields.CASCADE
    )
    attachment_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_attachment"
        unique_together = (("case", "attachment"),)
