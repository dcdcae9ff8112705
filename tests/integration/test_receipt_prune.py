"""Telegram reuses update ids: a receipt with the same id and another payload never blocks a new update,
and receipts past the redelivery horizon are pruned by the `receipts` job.

Updates are posted over HTTP to the running app's webhook; the old receipts are seeded rows of the
real table, aged by writing their created_at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.actions.telegram import update_digest
from core.models import Channel, InboundReceipt, Message
from scheduler.jobs import JOBS
from tests.support.bot_service import BotService, fakes, fixture, peyk

__all__ = ["fakes", "peyk"]
MARYAM = "5123456789"


async def _receipt(update_id: int, *, age: timedelta, digest: str = "", channel: str = "telegram") -> InboundReceipt:
    receipt = await InboundReceipt.create(channel=channel, key=str(update_id), digest=digest)
    await InboundReceipt.filter(id=receipt.id).update(created_at=datetime.now(UTC) - age)
    return receipt


async def test_a_plain_message_under_an_update_id_reused_after_a_week_is_stored_and_answered_200(
    peyk: BotService,
) -> None:
    update = fixture("text")
    old = await _receipt(update["update_id"], age=timedelta(days=8), digest="0" * 64)

    answer = await peyk.update(update)

    assert answer.status == 200 and answer.body["status"] == "stored"
    assert await Message.filter(channel=Channel.TELEGRAM, external_id=f"{MARYAM}:101").exists()
    receipt = await InboundReceipt.get(id=old.id)
    assert receipt.digest == update_digest(update)  # the receipt now belongs to the new update
    assert (await peyk.update(update)).body["status"] == "duplicate"  # and a redelivery of it is still a repeat


async def test_a_photo_under_a_recently_seen_update_id_with_another_payload_is_stored(peyk: BotService) -> None:
    update = fixture("photo")
    await _receipt(update["update_id"], age=timedelta(hours=1), digest="f" * 64)

    answer = await peyk.update(update)

    assert answer.status == 200 and answer.body["status"] == "stored"
    assert await Message.filter(channel=Channel.TELEGRAM).count() == 1
    assert (await peyk.update(update)).body["status"] == "duplicate"
    assert await Message.filter(channel=Channel.TELEGRAM).count() == 1


async def test_the_receipts_job_prunes_bot_receipts_past_the_horizon_and_keeps_the_rest(peyk: BotService) -> None:
    stale = await _receipt(700_001, age=timedelta(days=3))
    stale_bale = await _receipt(700_002, age=timedelta(days=9), channel="bale")
    recent = await _receipt(700_003, age=timedelta(hours=20))
    cti = await _receipt(700_004, age=timedelta(days=30), channel="cti")

    result = await JOBS["receipts"].run(datetime.now(UTC), peyk.settings)

    assert result == {"pruned": 2}
    left = set(await InboundReceipt.all().values_list("id", flat=True))
    assert left == {recent.id, cti.id} and not {stale.id, stale_bale.id} & left
