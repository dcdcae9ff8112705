"""Answering a survey through the bot (BOT-6, SUR-4): SMS by numbers, Telegram by buttons, with a branch."""

from __future__ import annotations

from core.actions.surveys import QuestionSpec, build_survey, set_survey_status
from core.models import Answer, AnswerChoice, Conversation, Question, Response, Survey, SurveyStatus
from handlers.engine import engine_for
from tests.support.bot_scan import assert_persian
from tests.support.bot_world import BotWorld, world
from tests.support.domain import customer

__all__ = ["world"]
FIXED = "آیا مشکل دستگاه شما برطرف شد؟"
WHAT_LEFT = "لطفاً بفرمایید چه مشکلی هنوز باقی مانده است."
RATING = "به رفتار و مهارت تکنسین از ۱ تا ۵ چه امتیازی می‌دهید؟"
NPS = "چقدر احتمال دارد ما را به دوستان خود توصیه کنید؟"


async def after_service_survey() -> Survey:
    """Fixed? (no / yes) → what is left (only after «خیر») → technician rating → NPS (optional)."""
    survey = await build_survey(
        "نظرسنجی خدمات پس از فروش",
        [
            QuestionSpec("single", FIXED, options=("خیر", "بله")),
            QuestionSpec("text", WHAT_LEFT, triggers=((1, 1),)),
            QuestionSpec("rating", RATING),
            QuestionSpec("nps", NPS, required=False),
        ],
        by=None,
        thank_you="از وقتی که گذاشتید سپاسگزاریم.",
    )
    for status in (SurveyStatus.IN_REVIEW, SurveyStatus.APPROVED, SurveyStatus.PUBLISHED):
        await set_survey_status(survey.id, status, by=None)
    return survey


async def answers_of(response: Response) -> dict[str, object]:
    """Question text → the stored answer (option text, number or text)."""
    shown: dict[str, object] = {}
    for answer in await Answer.filter(response_id=response.id).prefetch_related("question"):
        choices = await AnswerChoice.filter(answer_id=answer.id).prefetch_related("option")
        shown[answer.question.text] = (
            choices[0].option.text if choices else (answer.number if answer.text == "" else answer.text)
        )
    return shown


async def test_a_survey_answered_by_sms_with_persian_digits_skips_the_untriggered_question(world: BotWorld) -> None:
    survey = await after_service_survey()
    contact = await customer("امیر رضایی", "09121234567")
    sms = world.sms_user("09121234567")
    await sms.say("سلام")
    conversation = await Conversation.get(channel="sms")
    await engine_for(world.settings).start_flow(conversation.id, "survey", {"survey_id": survey.id})
    await world.settle()
    assert "۱ـ خیر\n۲ـ بله" in sms.last()
    await sms.say("۲")  # «بله»: the follow-up about what is left is not asked
    assert RATING in sms.last() and "لطفاً عددی از ۱ تا ۵ بفرستید." in sms.last()
    await sms.say("۷")
    assert sms.last().startswith("امتیاز باید عددی از ۱ تا ۵ باشد.")
    await sms.say("٤")  # Arabic-Indic four
    assert NPS in sms.last() and "«منو» = منوی اصلی" in sms.last() and "برای رد شدن" in sms.last()
    await sms.say("۰")  # zero is an answer here, not the main menu
    assert sms.last().startswith("از وقتی که گذاشتید سپاسگزاریم.")

    response = await Response.get(survey_id=survey.id, contact_id=contact.id)
    assert response.completed_at is not None
    assert (response.channel, response.identity) == ("sms", "+989121234567")
    assert await answers_of(response) == {FIXED: "بله", RATING: 4, NPS: 0}
    assert not await Answer.filter(response_id=response.id, question__text=WHAT_LEFT).exists()
    # One response per recipient: a second invitation is answered politely and stores nothing.
    await engine_for(world.settings).start_flow(conversation.id, "survey", {"survey_id": survey.id})
    await world.settle()
    assert sms.last().startswith("شما پیش‌تر به این نظرسنجی پاسخ داده‌اید. سپاسگزاریم.")
    assert await Response.filter(survey_id=survey.id).count() == 1
    assert_persian(world.kavenegar)


async def test_a_survey_answered_with_telegram_buttons_follows_the_branch(world: BotWorld) -> None:
    survey = await after_service_survey()
    user = world.telegram_user(6500000005, "نرگس")
    await user.say(f"/start survey-{survey.id}")  # the survey's deep link t.me/<bot>?start=survey-<id>
    assert user.last().startswith("نظرسنجی خدمات پس از فروش\n\n" + FIXED)
    assert user.buttons() == ["خیر", "بله"]
    await user.press("خیر")
    assert user.last().startswith(WHAT_LEFT)
    await user.say("هنوز از یونیت بیرونی صدا می‌آید.")
    assert user.buttons() == ["۱", "۲", "۳", "۴", "۵"]
    await user.press("۳")
    assert user.buttons() == [*"۰۱۲۳۴۵۶۷۸۹", "۱۰", "رد شدن"]
    await user.press("رد شدن")
    assert user.last().startswith("از وقتی که گذاشتید سپاسگزاریم.")

    response = await Response.get(survey_id=survey.id)
    assert (response.channel, response.identity) == ("telegram", "6500000005")
    assert await answers_of(response) == {
        FIXED: "خیر",
        WHAT_LEFT: "هنوز از یونیت بیرونی صدا می‌آید.",
        RATING: 3,
        NPS: None,
    }
    assert await Question.filter(survey_id=survey.id).count() == 4
    assert_persian(world.telegram)


async def test_a_survey_that_is_not_published_is_not_answered(world: BotWorld) -> None:
    draft = await build_survey("پیش‌نویس", [QuestionSpec("rating", RATING)], by=None)
    user = world.telegram_user(6500000006, "نرگس")
    await user.say(f"/start survey-{draft.id}")
    assert user.last().startswith("این نظرسنجی در حال حاضر فعال نیست.")
    assert not await Response.exists()
    assert_persian(world.telegram)


async def test_a_multiple_choice_question_takes_several_numbers_and_refuses_one_off_the_list(world: BotWorld) -> None:
    survey = await build_survey(
        "نظرسنجی خرید",
        [QuestionSpec("multiple", "از کدام محصولات ما استفاده می‌کنید؟", options=("کولر گازی", "چیلر", "آسانسور"))],
        by=None,
    )
    for status in (SurveyStatus.IN_REVIEW, SurveyStatus.APPROVED, SurveyStatus.PUBLISHED):
        await set_survey_status(survey.id, status, by=None)
    sms = world.sms_user("09121239999")
    await sms.say("سلام")
    conversation = await Conversation.get(channel="sms")
    await engine_for(world.settings).start_flow(conversation.id, "survey", {"survey_id": survey.id})
    await world.settle()
    assert "۱ـ کولر گازی\n۲ـ چیلر\n۳ـ آسانسور" in sms.last()
    await sms.say("۱ و ۴")
    assert sms.last().startswith("این گزینه در فهرست نیست.")
    await sms.say("۳، ۱")
    assert sms.last().startswith("از شرکت شما در نظرسنجی سپاسگزاریم.")
    answer = await Answer.get(response__survey_id=survey.id)
    chosen = await AnswerChoice.filter(answer_id=answer.id).prefetch_related("option")
    assert sorted(c.option.text for c in chosen) == ["آسانسور", "کولر گازی"]
    assert_persian(world.kavenegar)
