"""Long polling (no PEYK_PUBLIC_URL): getUpdates against the fake goes through the same door as webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core import attachments
from core.models import Channel, Message
from tests.support.bot_service import BotService, eventually, fakes, fixture, make_settings, serve
from tests.support.fake_bot_api import FakeBotApi

__all__ = ["fakes"]
MARYAM = "5123456789"


@pytest.fixture
async def polling(
    db: str, fakes: tuple[FakeBotApi, FakeBotApi], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BotService]:
    """The app with both bots polling the fakes."""
    monkeypatch.setattr(attachments, "_data_dir", tmp_path)
    service, close = await serve(make_settings(db, tmp_path, *fakes, webhook=False), *fakes)
    yield service
    await close()


def offsets(fake: FakeBotApi) -> list[Any]:
    return [c.params.get("offset") for c in fake.calls_to("getUpdates")]


async def test_polling_drops_the_webhook_and_stores_updates_from_getupdates(polling: BotService) -> None:
    assert polling.telegram.calls_to("deleteWebhook") and polling.bale.calls_to("deleteWebhook")
    polling.telegram.push_update(fixture("text"))
    polling.telegram.push_update(fixture("photo"))
    await eventually(lambda: Message.filter(channel=Channel.TELEGRAM).count())
    await eventually(lambda: _now(912345004 in offsets(polling.telegram)))
    assert await Message.filter(external_id__in=[f"{MARYAM}:101", f"{MARYAM}:103"]).count() == 2
    first = polling.telegram.calls_to("getUpdates")[0].params
    assert set(first["allowed_updates"]) == {"message", "edited_message", "callback_query", "my_chat_member"}


async def test_bale_polls_its_own_api_as_channel_bale(polling: BotService) -> None:
    polling.bale.push_update(fixture("bale_text"))
    message = await eventually(lambda: Message.filter(external_id="1398765432:17").first())
    assert message.channel == Channel.BALE


async def test_an_update_that_could_not_be_stored_is_fetched_again_and_stored(
    polling: BotService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bots import door

    real = door.ingest_message
    failures = []

    async def flaky(msg: Any, **kw: Any) -> Any:
        if not failures:
            failures.append(msg.external_id)
            raise ConnectionError("database went away")
        return await real(msg, **kw)

    monkeypatch.setattr(door, "ingest_message", flaky)
    polling.telegram.push_update(fixture("text"))
    await eventually(lambda: Message.filter(external_id=f"{MARYAM}:101").exists())
    assert failures == [f"{MARYAM}:101"]
    assert await Message.all().count() == 1


async def _now(value: Any) -> Any:
    return value
