"""A bot step that fails is kept owed and tried again; only one that keeps failing is handed to a person.

Webhooks are posted over HTTP to the running app and the replies read from the fake Bot API. The
one mock forces the rare failure: the step function raising SQLite's «database is locked». The
engine's backoff is shortened (its configuration, not a mock) so five attempts take a second.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.exceptions import OperationalError

from core.models import Conversation, ConversationStatus, DialogState, Message, PendingStep
from handlers import copy
from handlers.engine import Engine, engine_for
from handlers.retry import Backoff
from handlers.stepper import stepper
from handlers.turn import Turn
from tests.support.bot_world import BotWorld, world

__all__ = ["world"]

FAST = Backoff(attempts=5, first=timedelta(milliseconds=40), longest=timedelta(milliseconds=400))


class LockedOnce:
    """Engine._take_in that raises «database is locked» for the first `times` steps, then steps for real."""

    def __init__(self, times: int) -> None:
        self.times, self.calls = times, 0
        real = Engine._take_in

        async def take_in(engine: Engine, turn: Turn, row: DialogState) -> None:
            self.calls += 1
            if self.calls <= self.times:
                raise OperationalError("database is locked")
            await real(engine, turn, row)

        self.step = take_in


@pytest.fixture
def fast_retries(world: BotWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_for(world.settings), "retry", FAST)


async def test_a_step_that_meets_a_locked_database_once_still_gives_the_bots_real_answer(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch, fast_retries: None
) -> None:
    locked = LockedOnce(1)
    monkeypatch.setattr(Engine, "_take_in", locked.step)
    user = world.telegram_user(5_500_001, "پریسا")
    await user.say("/start")

    assert locked.calls == 2
    assert len(user.texts()) == 1 and copy.GREETING in user.last()
    assert copy.ERROR not in user.texts() and copy.STEP_GAVE_UP not in user.texts()
    assert await PendingStep.all().count() == 0
    assert (await Conversation.get()).status == ConversationStatus.BOT


async def test_a_failed_step_keeps_later_messages_of_the_chat_behind_it_so_replies_stay_in_order(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch, fast_retries: None
) -> None:
    monkeypatch.setattr(Engine, "_take_in", LockedOnce(1).step)
    world.auto_settle = False
    user = world.telegram_user(5_500_002, "بهرام")
    await user.say("/start")  # fails once, retried later
    await user.say("اپراتور")  # offered while the first waits for its retry
    await world.settle()

    texts = user.texts()
    assert len(texts) == 2
    assert copy.GREETING in texts[0] and copy.HANDOVER in texts[1]


async def test_a_step_that_keeps_failing_is_handed_to_a_person_with_a_staff_note_and_one_apology(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch, fast_retries: None
) -> None:
    locked = LockedOnce(10**6)
    monkeypatch.setattr(Engine, "_take_in", locked.step)
    user = world.telegram_user(5_500_003, "ژاله")
    await user.say("سلام")

    assert locked.calls == FAST.attempts
    assert user.texts() == [copy.STEP_GAVE_UP]
    conversation = await Conversation.get()
    assert conversation.status == ConversationStatus.OPEN
    notes = await Message.filter(conversation_id=conversation.id, internal=True).values_list("text", flat=True)
    assert notes == [copy.STEP_GAVE_UP_NOTE.format(attempts="۵")]
    assert await PendingStep.all().count() == 0


async def test_a_failed_step_left_owed_by_a_stopped_process_is_retried_once_it_is_due(
    world: BotWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = Backoff(attempts=5, first=timedelta(hours=1))
    monkeypatch.setattr(engine_for(world.settings), "retry", slow)
    locked = LockedOnce(1)
    monkeypatch.setattr(Engine, "_take_in", locked.step)
    world.auto_settle = False
    user = world.telegram_user(5_500_004, "کامران")
    await user.say("/start")
    await stepper.drain()  # the first attempt ran and failed; its retry is an hour away
    (owed,) = await PendingStep.all()
    assert owed.attempts == 1 and owed.next_attempt_at is not None

    await stepper.stop()  # the process stops: its retry timer is gone, the owed row is not
    await world.restart()
    assert await stepper.recover() == 0  # not due yet
    await PendingStep.filter(id=owed.id).update(next_attempt_at=owed.created_at)
    assert await stepper.recover() == 1
    await world.settle()
    assert locked.calls == 2
    assert len(user.texts()) == 1 and copy.GREETING in user.last()
