"""Update receipts past Telegram's redelivery horizon are dropped (a reused update_id then meets nothing)."""

from __future__ import annotations

from datetime import datetime

from core.actions.telegram import RECEIPT_CHANNELS, REDELIVERY_HORIZON
from core.models import InboundReceipt


async def prune_receipts(now: datetime) -> dict[str, int]:
    """Delete the Telegram/Bale update receipts older than the redelivery horizon as of `now`."""
    pruned = await InboundReceipt.filter(channel__in=RECEIPT_CHANNELS, created_at__lt=now - REDELIVERY_HORIZON).delete()
    return {"pruned": pruned}
