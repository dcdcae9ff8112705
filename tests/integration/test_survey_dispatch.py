"""The survey after a resolved case (SUR-3) and a low score (SUR-6), through the running bots and the fakes."""

from __future__ import annotations

import aiohttp

from core.actions.alarm_rules import ensure_default_rules
from core.actions.cases import open_case, open_case_from_conversation, set_case_status
from core.actions.staff_links import new_link_code
from core.actions.surveys import QuestionSpec, build_survey, set_survey_status
from core.models import (
    Alarm,
    Case,
    CaseStatus,
    CaseType,
    Channel,
    Conversation,
    ConversationStatus,
    OutboundMessage,
    Priority,
    Question,
    Response,
    Survey,
    SurveyInvite,
    SurveyStatus,
)
from scheduler.runner import configure, run_job
from tests.support.alarms import at, staffed_team
from tests.support.bot_world import BotWorld, world
from tests.support.seed import seed_contact

__all__ = ["world"]
RATING = "از ۱ تا ۵ به رسیدگی به درخواست خود چه امتیازی می‌دهید؟"
RESOLVED = at("1405/09/15 09:00")  # a Sunday morning


async def published_survey() -> Survey:
    survey = await build_survey("رضایت از خدمات", [QuestionSpec("rating", RATING)], by=None, thank_you="سپاسگزاریم.")
    for status in (SurveyStatus.IN_REVIEW, SurveyStatus.APPROVED, SurveyStatus.PUBLISHED):
        await set_survey_status(survey.id, status, by=None)
    return survey


async def resolved_case(conversation_id: int) -> Case:
    case = await open_case_from_conversation(conversation_id, by=None)
    await set_case_status(case.id, CaseStatus.RESOLVED, by=None)
    await Case.filter(id=case.id).update(resolved_at=RESOLVED)
    return case


async def test_resolving_a_case_sends_its_survey_once_after_the_delay_and_a_score_of_1_opens_a_follow_up(
    world: BotWorld,
) -> None:
    configure(world.settings)
    staff = await staffed_team(emails=False)  # no mail server here: the manager is told on Telegram
    await ensure_default_rules()  # the survey goes 60 minutes after the case is resolved
    await published_survey()
    manager = world.telegram_user(7001002003, "مریم")
    await manager.say(f"/link {await new_link_code(staff.manager.id, by=None)}")
    amir = world.telegram_user(5550001, "امیر")
    await amir.say("سلام، کولر من خراب است.")
    conversation = await Conversation.get(channel=Channel.TELEGRAM, thread_key="5550001")
    case = await resolved_case(conversation.id)
    before = len(amir.texts())

    early = await run_job("surveys", world.settings, at("1405/09/15 09:30"))
    assert early.result == {"scheduled": 1, "sent": 0, "low_scores": 0}
    due = await run_job("surveys", world.settings, at("1405/09/15 10:01"))
    again = await run_job("surveys", world.settings, at("1405/09/15 10:05"))
    assert (due.result or {})["sent"] == 1 and (again.result or {})["sent"] == 0
    await world.settle()
    asked = amir.texts()[before:]
    assert len(asked) == 1 and RATING in asked[0]
    invite = await SurveyInvite.get(case_id=case.id)
    assert (invite.status, invite.channel) == ("sent", Channel.TELEGRAM)

    await amir.say("۱")
    assert "سپاسگزاریم." in amir.last()
    assert await Response.filter(completed_at__isnull=False).count() == 1
    low = await run_job("surveys", world.settings, at("1405/09/15 10:10"))
    await run_job("surveys", world.settings, at("1405/09/15 10:20"))
    assert (low.result or {})["low_scores"] == 1
    [follow_up] = await Case.exclude(id=case.id)
    assert (follow_up.type, follow_up.priority) == (CaseType.COMPLAINT, Priority.HIGH)
    assert follow_up.contact_id == case.contact_id and follow_up.subject == "پیگیری نظرسنجی: امتیاز ۱ از ۵"
    [alarm] = await Alarm.filter(kind="survey_low")
    await world.settle()
    told = manager.last()
    assert told == alarm.text and "امتیاز ۱ از ۵" in told
    assert f"https://peyk.example.ir/admin/cases/{follow_up.id}" in told
    assert len(amir.texts()) == before + 2  # the question and the thanks: nothing sent twice


async def test_an_email_case_gets_the_survey_as_a_web_link_once_even_if_resolved_twice(world: BotWorld) -> None:
    configure(world.settings)
    await ensure_default_rules()
    await published_survey()
    contact = await seed_contact("نرگس نادری", "09351112233")
    conversation = await Conversation.create(
        channel=Channel.EMAIL, contact=contact, status=ConversationStatus.OPEN, thread_key="narges@example.ir"
    )
    case = await resolved_case(conversation.id)
    await set_case_status(case.id, CaseStatus.OPEN, by=None)  # the customer said it is not fixed
    await set_case_status(case.id, CaseStatus.RESOLVED, by=None)
    await Case.filter(id=case.id).update(resolved_at=RESOLVED)
    for minute in ("10:01", "10:02", "11:00"):
        await run_job("surveys", world.settings, at(f"1405/09/15 {minute}"))
    [row] = await OutboundMessage.filter(kind="survey")
    invite = await SurveyInvite.get(case_id=case.id)
    assert (str(row.channel), row.recipient) == ("email", "narges@example.ir")
    assert row.payload["text"].endswith(f"https://peyk.example.ir/survey/{invite.token}")
    assert "نرگس نادری گرامی" in row.payload["text"]


async def test_no_survey_is_sent_outside_business_hours_or_for_a_case_resolved_long_ago(world: BotWorld) -> None:
    await ensure_default_rules()
    await published_survey()
    contact = await seed_contact("علی احمدی", "09121112222")
    old = await open_case(contact_id=contact.id, by=None, source_channel=Channel.SMS)
    await set_case_status(old.id, CaseStatus.RESOLVED, by=None)
    await Case.filter(id=old.id).update(resolved_at=at("1405/08/01 09:00"))
    fresh = await open_case(contact_id=contact.id, by=None, source_channel=Channel.SMS)
    await set_case_status(fresh.id, CaseStatus.RESOLVED, by=None)
    await Case.filter(id=fresh.id).update(resolved_at=RESOLVED)
    friday = await run_job("surveys", world.settings, at("1405/09/20 10:00"))  # 1405/09/20 is a Friday
    assert friday.result == {"scheduled": 1, "sent": 0, "low_scores": 0}
    assert await SurveyInvite.filter(case_id=old.id).count() == 0
    await run_job("surveys", world.settings, at("1405/09/22 09:00"))
    await world.settle()
    assert len(world.kavenegar.sms) == 1  # on the case's channel (SMS), to the customer's phone
    assert world.kavenegar.sms[0]["receptor"] == "09121112222"


async def test_the_email_link_opens_the_survey_on_the_web_and_a_score_of_1_there_opens_a_follow_up(
    world: BotWorld,
) -> None:
    configure(world.settings)
    await ensure_default_rules()
    await published_survey()
    contact = await seed_contact("نرگس نادری", "09351112233")
    conversation = await Conversation.create(
        channel=Channel.EMAIL, contact=contact, status=ConversationStatus.OPEN, thread_key="narges@example.ir"
    )
    case = await resolved_case(conversation.id)
    await run_job("surveys", world.settings, at("1405/09/15 10:01"))
    invite = await SurveyInvite.get(case_id=case.id)
    link = f"{world.url}/survey/{invite.token}"
    async with aiohttp.ClientSession() as session:
        async with session.get(link) as page:
            assert page.status == 200 and RATING in await page.text()
        async with session.post(link, data={"question_id": "999", "number": "1"}) as refused:
            assert refused.status == 400 and "این پاسخ پذیرفته نشد" in await refused.text()
        question = await Question.get(text=RATING)
        async with session.post(link, data={"question_id": str(question.id), "number": "1"}) as done:
            assert done.status == 200 and "سپاسگزاریم." in await done.text()  # after the redirect
        async with session.get(f"{world.url}/survey/not-a-token") as unknown:
            assert unknown.status == 404 and "این پیوند معتبر نیست" in await unknown.text()
    response = await Response.get(contact_id=contact.id)
    assert (response.channel, response.ip, response.completed_at is not None) == (Channel.WEB, "127.0.0.1", True)
    low = await run_job("surveys", world.settings, at("1405/09/15 10:10"))
    assert (low.result or {})["low_scores"] == 1
    assert await Case.filter(type=CaseType.COMPLAINT, contact_id=contact.id).count() == 1
