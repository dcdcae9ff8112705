"""A manager links their Telegram with `/link CODE` and receives an SLA-breach alarm at the fake Bot API."""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bots import staff as staff_bot
from channels.dispatcher import Dispatcher
from channels.telegram_sender import telegram_senders
from core.actions.dispatch import RetryPolicy
from core.actions.staff_links import new_link_code
from core.models import Case, StaffLink
from handlers.engine import engine_for
from scheduler.runner import configure, run_job
from tests.support.alarms import at, case_opened_at, staffed_team
from tests.support.bot_service import BotService, eventually, fakes, fixture, peyk

__all__ = ["fakes", "peyk"]
MANAGER_CHAT = 7001002003
LATIN_DIGIT = re.compile(r"[0-9]")


@pytest.fixture
async def dispatcher(peyk: BotService) -> AsyncIterator[Dispatcher]:
    """The bots wired as in production (staff commands before the dialog engine) and the outbox dispatcher."""
    for door in peyk.runtime.doors.values():
        door.engine = staff_bot.StaffCommands(engine_for(peyk.settings))  # as bots.runtime builds it
    senders = telegram_senders(peyk.settings)
    running = Dispatcher(senders, poll_interval=0.1, retry=RetryPolicy(base_s=0.2, cap_s=1.0, max_attempts=6))
    await running.start()
    yield running
    await running.stop()
    for sender in senders.values():
        await sender.close()


def update_from(chat: int, text: str, n: int) -> dict[str, Any]:
    """A private Telegram text message from `chat`."""
    update = copy.deepcopy(fixture("text"))
    update["update_id"] += n
    update["message"]["message_id"] += n
    update["message"]["text"] = text
    update["message"]["from"].update(id=chat, first_name="مریم", last_name="کاظمی", username="maryam_k")
    update["message"]["chat"].update(id=chat, first_name="مریم", last_name="کاظمی", username="maryam_k")
    return update


async def messages_to(peyk: BotService, chat: int, count: int) -> list[str]:
    async def check() -> list[str] | None:
        texts = [c.params["text"] for c in peyk.telegram.sent("sendMessage") if str(c.params["chat_id"]) == str(chat)]
        return texts if len(texts) >= count else None

    return await eventually(check)


async def test_a_linked_manager_gets_the_sla_breach_on_telegram_in_persian_with_the_case_and_jalali_time(
    peyk: BotService, dispatcher: Dispatcher
) -> None:
    configure(peyk.settings)
    staff = await staffed_team()
    code = await new_link_code(staff.manager.id, by=None)
    assert (await peyk.update(update_from(MANAGER_CHAT, f"/link {code}", 1))).status == 200
    [linked] = await messages_to(peyk, MANAGER_CHAT, 1)
    assert linked == staff_bot.LINKED.format(channel="تلگرام", name="مریم کاظمی")
    assert await StaffLink.exists(user_id=staff.manager.id, chat_id=str(MANAGER_CHAT))

    case = await case_opened_at(at("1405/09/15 09:00"), team=staff.team)  # first response due 13:00
    outcome = await run_job("sla", peyk.settings, at("1405/09/15 13:30"))
    assert outcome.ran and outcome.result and outcome.result["alarms"] == 1
    _, alarm = await messages_to(peyk, MANAGER_CHAT, 2)
    number = (await Case.get(id=case.id)).number
    assert f"پرونده {number.translate(str.maketrans('0123456789', '۰۱۲۳۴۵۶۷۸۹'))} گذشت" in alarm
    assert "مشتری: امیر رضایی" in alarm
    assert "مهلت: ۱۵ آذر ۱۴۰۵، ساعت ۱۳:۰۰" in alarm
    assert "زمان هشدار: ۱۵ آذر ۱۴۰۵، ساعت ۱۳:۳۰" in alarm
    link = f"https://peyk.example.ir/admin/cases/{case.id}"
    assert alarm.endswith(link)
    assert not LATIN_DIGIT.search(alarm.replace(link, ""))  # every number shown is in Persian digits


async def test_a_wrong_or_used_link_code_is_refused_politely_and_links_nothing(
    peyk: BotService, dispatcher: Dispatcher
) -> None:
    staff = await staffed_team()
    code = await new_link_code(staff.manager.id, by=None)
    await peyk.update(update_from(MANAGER_CHAT, "/link WRONG123", 1))
    await peyk.update(update_from(MANAGER_CHAT, f"/link {code}", 2))
    await peyk.update(update_from(MANAGER_CHAT + 1, f"/link {code}", 3))  # someone else replays the code
    refused, linked = await messages_to(peyk, MANAGER_CHAT, 2)
    [replayed] = await messages_to(peyk, MANAGER_CHAT + 1, 1)
    assert refused == replayed == staff_bot.REFUSED
    assert linked.startswith("حساب تلگرام شما")
    assert await StaffLink.filter(user_id=staff.manager.id).values_list("chat_id", flat=True) == [str(MANAGER_CHAT)]
