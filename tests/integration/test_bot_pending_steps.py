"""The bot answers after the provider's ack, and a step owed when the process dies is taken once later.

Webhooks are posted over HTTP to the running app (Telegram and Kavenegar formats); the replies reach
the fake Bot API and the fake Kavenegar. A "crash between the ack and the step" is the stepper not
being offered the turn at all, which is what a process killed right after its 200 leaves behind.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from core.models import DialogState, Message, OutboundMessage, PendingStep
from handlers import copy
from handlers.engine import Engine, engine_for
from handlers.retry import Backoff, Retry
from handlers.stepper import Stepper, stepper
from handlers.turn import Turn
from tests.support.bot_world import BotWorld, world

__all__ = ["world"]


async def _bot_replies() -> int:
    return await OutboundMessage.filter(kind="bot").count()


async def test_the_webhook_is_answered_before_the_step_and_the_step_follows(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    real = Engine.take

    async def slow(self: Engine, turn: Turn) -> Retry | None:
        await release.wait()  # the step cannot finish until the test says so
        return await real(self, turn)

    monkeypatch.setattr(Engine, "take", slow)
    world.auto_settle = False
    user = world.telegram_user(5_400_001, "نرگس")
    await asyncio.wait_for(user.say("/start"), timeout=10)  # 200 while the step is still waiting

    message = await Message.get(direction="in")
    owed = await PendingStep.get(message_id=message.id)
    assert owed.turn["text"] == "/start" and owed.turn["channel"] == "telegram"
    assert await _bot_replies() == 0 and user.texts() == []

    release.set()
    await world.settle()
    assert await PendingStep.all().count() == 0
    assert len(user.texts()) == 1 and "سلام" in user.last()


async def test_a_step_owed_when_the_process_died_is_taken_once_after_the_restart(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stepper, "submit", lambda turn, engine=None: False)  # killed right after the ack
    world.auto_settle = False
    user = world.telegram_user(5_400_002, "کیوان")
    sms = world.sms_user("09123334455")
    await user.say("/start")
    answer = await sms.say("سلام")
    assert answer["duplicate"] is False
    assert await PendingStep.all().count() == 2
    assert await _bot_replies() == 0
    monkeypatch.undo()

    await world.restart()
    assert await stepper.recover() == 2  # what bootstrap does when the service starts again
    await world.settle()
    assert await PendingStep.all().count() == 0
    assert len(user.texts()) == 1 and len(sms.texts()) == 1
    assert "۱" in sms.last()  # the numbered SMS menu

    # A later sweep, or a second process, finds nothing owed: no second answer.
    assert await stepper.recover() == 0
    await world.settle()
    assert await _bot_replies() == 2


async def test_two_processes_offered_the_same_owed_step_answer_it_once(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stepper, "submit", lambda turn, engine=None: False)
    world.auto_settle = False
    user = world.telegram_user(5_400_003, "مینا")
    await user.say("سلام")
    monkeypatch.undo()
    (owed,) = await PendingStep.all()
    turn = Turn.from_json(owed.turn)
    assert turn.pending and turn.message_id == owed.message_id

    # Two steppers (two processes) each recover it and race for it.
    first, second = Stepper(), Stepper()
    engines: dict[Any, Any] = dict(stepper._engines)
    first.register(engines)
    second.register(engines)
    assert await first.recover() == 1 and await second.recover() == 1
    await asyncio.gather(first.drain(), second.drain())
    await world.settle()
    assert await _bot_replies() == 1
    assert len(user.texts()) == 1


async def test_a_step_that_keeps_failing_is_apologised_for_once_and_not_owed_again(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: Engine, turn: Turn, row: DialogState) -> None:
        raise RuntimeError("a bug in a flow")

    monkeypatch.setattr(Engine, "_take_in", broken)
    monkeypatch.setattr(engine_for(world.settings), "retry", Backoff(first=timedelta(milliseconds=20)))
    user = world.telegram_user(5_400_004, "رضا")
    await user.say("سلام")
    assert await PendingStep.all().count() == 0  # given up, so a restart does not fail it again
    assert user.texts() == [copy.STEP_GAVE_UP]
    monkeypatch.undo()
    assert await stepper.recover() == 0


async def test_an_unreadable_owed_step_is_dropped_with_a_log_and_the_rest_are_taken(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(stepper, "submit", lambda turn, engine=None: False)
    world.auto_settle = False
    user = world.telegram_user(5_400_005, "سارا")
    await user.say("/start")
    monkeypatch.undo()
    broken = await PendingStep.create(message_id=10**12, conversation_id=1, turn={"text": "no ids"})
    assert await stepper.recover() == 1
    await world.settle()
    assert not await PendingStep.filter(id=broken.id).exists()
    assert "unreadable" in caplog.text
    assert len(user.texts()) == 1
