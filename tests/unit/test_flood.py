"""Telegram flood control: per-chat and per-bot pacing, and the pause after a 429."""

from __future__ import annotations

from channels.flood import PER_CHAT_BURST, FloodGate, TokenBucket


def test_a_bucket_lets_a_burst_through_then_spaces_sends_at_its_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3)
    waits = [bucket.delay() for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0.4 < waits[3] <= 0.5 and 0.9 < waits[4] <= 1.0


async def test_one_chat_is_paced_after_its_burst_while_other_chats_are_not() -> None:
    gate = FloodGate(max_rate=0)
    for _ in range(PER_CHAT_BURST):
        await gate.wait_turn("100")
    assert gate._chat("100").delay() > 0.5  # a fourth message in the same second must wait
    assert gate._chat("200").delay() == 0.0


def test_a_429_pauses_the_whole_bot_for_retry_after() -> None:
    gate = FloodGate()
    assert gate.paused_for() == 0.0
    gate.cool_down(2.0)
    assert 1.5 < gate.paused_for() <= 2.0
    gate.cool_down(0.5)  # a shorter answer never shortens a longer pause
    assert gate.paused_for() > 1.5


def test_the_bot_wide_rate_caps_sends_across_chats() -> None:
    gate = FloodGate(max_rate=30)
    assert gate.bot is not None
    waits = [gate.bot.delay() for _ in range(31)]
    assert waits[29] == 0.0 and waits[30] > 0.0
    assert FloodGate(max_rate=0).bot is None  # 0 turns bot-wide pacing off (a loopback fake, a benchmark)
