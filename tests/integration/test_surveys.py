"""Surveys: the approval route, triggering answers that branch, validated answers and one response per recipient."""

from __future__ import annotations

import pytest

from core.actions.surveys import (
    add_option,
    add_question,
    complete_response,
    create_survey,
    next_question,
    publish_survey,
    record_answer,
    set_survey_status,
    set_triggers,
    start_response,
)
from core.errors import ValidationError
from core.models import Answer, AnswerChoice, Channel, Option, Question, QuestionKind, Response, Survey, SurveyStatus
from core.queries.customer import published_survey
from core.survey_rules import InvalidAnswer
from tests.support.domain import customer


async def _branching_survey(publish: bool = True) -> tuple[Survey, dict[str, Question], dict[str, Option]]:
    """Satisfied? (yes/no) → what went wrong (only after no) → rating → NPS."""
    survey = await create_survey("رضایت از نصب", by=None)
    happy = await add_question(
        survey.id, QuestionKind.SINGLE, "آیا از نصب راضی بودید؟", by=None, options=["بله", "خیر"]
    )
    yes, no = await Option.filter(question_id=happy.id).order_by("position")
    why = await add_question(survey.id, "text", "چه مشکلی پیش آمد؟", by=None, trigger_option_ids=[no.id])
    rating = await add_question(survey.id, QuestionKind.RATING, "به نصاب چه امتیازی می‌دهید؟", by=None)
    nps = await add_question(survey.id, QuestionKind.NPS, "چقدر ما را توصیه می‌کنید؟", by=None, required=False)
    if publish:
        for status in (SurveyStatus.IN_REVIEW, SurveyStatus.APPROVED):
            await set_survey_status(survey.id, status, by=None)
        survey = await publish_survey(survey.id, by=None)
    questions = {"happy": happy, "why": why, "rating": rating, "nps": nps}
    return survey, questions, {"yes": yes, "no": no}


async def test_the_status_route_is_enforced_from_draft_to_closed(db: str) -> None:
    survey, _, _ = await _branching_survey(publish=False)
    with pytest.raises(ValidationError, match="it can move to in_review, not published"):
        await publish_survey(survey.id, by=None)
    await set_survey_status(survey.id, SurveyStatus.IN_REVIEW, by=None)
    await set_survey_status(survey.id, SurveyStatus.DRAFT, by=None)  # sent back by the reviewer
    for status in (SurveyStatus.IN_REVIEW, SurveyStatus.APPROVED, SurveyStatus.PUBLISHED, SurveyStatus.CLOSED):
        survey = await set_survey_status(survey.id, status, by=None)
    assert survey.status == SurveyStatus.CLOSED and survey.published_at and survey.closed_at
    with pytest.raises(ValidationError, match="it can move to nothing"):
        await set_survey_status(survey.id, SurveyStatus.DRAFT, by=None)


async def test_a_survey_goes_to_review_only_with_questions_and_choice_questions_with_two_options(db: str) -> None:
    survey = await create_survey("خالی", by=None)
    with pytest.raises(ValidationError, match="at least one question"):
        await set_survey_status(survey.id, SurveyStatus.IN_REVIEW, by=None)
    question = await add_question(survey.id, QuestionKind.SINGLE, "کدام؟", by=None, options=["الف"])
    with pytest.raises(ValidationError, match="at least two options"):
        await set_survey_status(survey.id, SurveyStatus.IN_REVIEW, by=None)
    await add_option(question.id, "ب", by=None)
    await set_survey_status(survey.id, SurveyStatus.IN_REVIEW, by=None)
    with pytest.raises(ValidationError, match="only a draft can be changed"):
        await add_question(survey.id, QuestionKind.TEXT, "دیگر؟", by=None)


async def test_a_trigger_must_be_an_option_of_an_earlier_question(db: str) -> None:
    _, questions, options = await _branching_survey(publish=False)
    with pytest.raises(ValidationError, match="not an option of an earlier question"):
        await set_triggers(questions["happy"].id, [options["no"].id], by=None)
    other = await create_survey("دیگر", by=None)
    foreign = await add_question(other.id, QuestionKind.SINGLE, "؟", by=None, options=["۱", "۲"])
    foreign_option = await Option.filter(question_id=foreign.id).first()
    with pytest.raises(ValidationError, match="not an option of an earlier question"):
        await set_triggers(questions["rating"].id, [foreign_option.id], by=None)  # type: ignore[union-attr]


async def test_the_triggered_question_is_skipped_when_its_trigger_was_not_chosen(db: str) -> None:
    _, q, o = await _branching_survey()
    response = await start_response(q["happy"].survey_id, (await customer()).id, Channel.SMS, "+989121234567")
    first = await next_question(response.id)
    assert first is not None and first.id == q["happy"].id
    assert [option.text for option in first.options] == ["بله", "خیر"]
    await record_answer(response.id, q["happy"].id, option_ids=[o["yes"].id])
    assert (await next_question(response.id)).id == q["rating"].id  # type: ignore[union-attr]
    with pytest.raises(InvalidAnswer) as refused:
        await record_answer(response.id, q["why"].id, text="نصاب دیر آمد")
    assert refused.value.code == "not_shown"


async def test_the_triggered_question_is_shown_when_its_trigger_was_chosen(db: str) -> None:
    _, q, o = await _branching_survey()
    response = await start_response(q["happy"].survey_id, (await customer()).id, Channel.TELEGRAM, "telegram:42")
    await record_answer(response.id, q["happy"].id, option_ids=[o["no"].id])
    assert (await next_question(response.id)).id == q["why"].id  # type: ignore[union-attr]
    await record_answer(response.id, q["why"].id, text="  نصاب دیر آمد  ")
    await record_answer(response.id, q["rating"].id, number="۲")
    assert (await next_question(response.id)).id == q["nps"].id  # type: ignore[union-attr]
    await record_answer(response.id, q["nps"].id)  # optional: skipped
    assert await next_question(response.id) is None
    done = await complete_response(response.id)
    assert done.completed_at is not None
    answers = {a.question_id: a for a in await Answer.filter(response_id=response.id)}
    assert answers[q["why"].id].text == "نصاب دیر آمد"
    assert answers[q["rating"].id].number == 2
    assert answers[q["nps"].id].number is None


async def test_changing_the_triggering_answer_drops_the_answer_of_the_branch_it_closes(db: str) -> None:
    _, q, o = await _branching_survey()
    response = await start_response(q["happy"].survey_id, (await customer()).id, Channel.SMS, "+989121234567")
    await record_answer(response.id, q["happy"].id, option_ids=[o["no"].id])
    await record_answer(response.id, q["why"].id, text="صدا")
    await record_answer(response.id, q["happy"].id, option_ids=[o["yes"].id])
    assert set(await Answer.filter(response_id=response.id).values_list("question_id", flat=True)) == {q["happy"].id}
    chosen = await AnswerChoice.filter(answer__response_id=response.id).values_list("option_id", flat=True)
    assert chosen == [o["yes"].id]


async def test_any_one_of_several_triggering_options_shows_the_question(db: str) -> None:
    survey = await create_survey("کیفیت", by=None)
    parts = await add_question(
        survey.id, QuestionKind.MULTIPLE, "کدام بخش‌ها ایراد داشت؟", by=None, options=["نصب", "قطعات", "هیچ‌کدام"]
    )
    install, spare, none_ = await Option.filter(question_id=parts.id).order_by("position")
    detail = await add_question(
        survey.id, QuestionKind.TEXT, "توضیح دهید", by=None, trigger_option_ids=[install.id, spare.id]
    )
    for status in (SurveyStatus.IN_REVIEW, SurveyStatus.APPROVED, SurveyStatus.PUBLISHED):
        await set_survey_status(survey.id, status, by=None)
    amir, leila = await customer(), await customer("لیلا احمدی", "09129876543")
    first = await start_response(survey.id, amir.id, Channel.SMS, "a")
    await record_answer(first.id, parts.id, option_ids=[spare.id, none_.id])
    assert (await next_question(first.id)).id == detail.id  # type: ignore[union-attr]
    second = await start_response(survey.id, leila.id, Channel.SMS, "b")
    await record_answer(second.id, parts.id, option_ids=[none_.id])
    assert await next_question(second.id) is None


async def test_rating_nps_options_and_required_answers_are_validated_with_a_code_for_the_hint(db: str) -> None:
    _, q, o = await _branching_survey()
    response = await start_response(q["happy"].survey_id, (await customer()).id, Channel.SMS, "x")
    cases = [
        (q["happy"].id, {"option_ids": [o["yes"].id, o["no"].id]}, "choose_one"),
        (q["happy"].id, {"option_ids": [999_999]}, "unknown_option"),
        (q["happy"].id, {}, "required"),
    ]
    for question_id, kwargs, code in cases:
        with pytest.raises(InvalidAnswer) as refused:
            await record_answer(response.id, question_id, **kwargs)  # type: ignore[arg-type]
        assert refused.value.code == code
    await record_answer(response.id, q["happy"].id, option_ids=[o["yes"].id])
    for number, code in ((0, "rating_range"), (6, "rating_range"), ("خوب", "not_a_number")):
        with pytest.raises(InvalidAnswer) as refused:
            await record_answer(response.id, q["rating"].id, number=number)
        assert refused.value.code == code
    await record_answer(response.id, q["rating"].id, number=5)
    with pytest.raises(InvalidAnswer) as refused:
        await record_answer(response.id, q["nps"].id, number=11)
    assert refused.value.code == "nps_range"
    await record_answer(response.id, q["nps"].id, number=0)
    assert [a.number for a in await Answer.filter(response_id=response.id).order_by("id")] == [None, 5, 0]


async def test_one_response_per_recipient_a_second_start_resumes_and_after_completion_is_refused(db: str) -> None:
    _, q, o = await _branching_survey()
    survey_id, amir = q["happy"].survey_id, await customer()
    first = await start_response(survey_id, amir.id, Channel.TELEGRAM, "telegram:42", ip="127.0.0.1")
    again = await start_response(survey_id, amir.id, Channel.SMS, "+989121234567")
    assert again.id == first.id and again.channel == Channel.TELEGRAM and again.ip == "127.0.0.1"
    with pytest.raises(InvalidAnswer) as early:
        await complete_response(first.id)
    assert early.value.code == "incomplete"
    await record_answer(first.id, q["happy"].id, option_ids=[o["yes"].id])
    await record_answer(first.id, q["rating"].id, number=4)
    await complete_response(first.id)
    with pytest.raises(InvalidAnswer) as refused:
        await start_response(survey_id, amir.id, Channel.SMS, "+989121234567")
    assert refused.value.code == "completed"
    with pytest.raises(InvalidAnswer):
        await record_answer(first.id, q["rating"].id, number=1)
    assert await Response.filter(survey_id=survey_id).count() == 1


async def test_only_a_published_survey_is_offered_and_takes_responses(db: str) -> None:
    draft, _, _ = await _branching_survey(publish=False)
    assert await published_survey(draft.id) is None
    with pytest.raises(InvalidAnswer) as refused:
        await start_response(draft.id, (await customer()).id, Channel.SMS, "x")
    assert refused.value.code == "not_open"
    live, q, _ = await _branching_survey()
    offered = await published_survey(live.id)
    assert offered is not None
    assert [question.id for question in offered.questions] == [q[k].id for k in ("happy", "why", "rating", "nps")]
