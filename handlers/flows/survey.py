"""Answering a published survey (BOT-6, SUR-4): choice, rating, NPS and text, with triggered questions.

Which question comes next, whether an answer is acceptable and one response per recipient are the
core's rules (core/actions/survey_responses.py); this flow only asks and shows the hints. The
response records the channel and the sender's identity (chat id or phone number).
"""

from __future__ import annotations

import re
from datetime import timedelta

from core.actions.survey_responses import complete_response, next_question, record_answer, start_response
from core.models import Question, QuestionKind
from core.queries.customer import published_survey
from core.survey_rules import InvalidAnswer
from core.text import normalize_search, to_ascii_digits
from handlers import copy
from handlers.flow import Answer, Ctx, Done, Flow, Goto, Reask, Result, Step
from handlers.prompts import Option, Prompt
from handlers.show import fa

NAME = "survey"
SKIP_WORDS = frozenset({normalize_search(w) for w in ("رد", "رد شدن", copy.SKIP_OPTION)})
_NUMBERS = re.compile(r"\d{1,3}")


async def _start(ctx: Ctx) -> Result:
    survey_id = ctx.data.get("survey_id")
    survey = await published_survey(survey_id) if isinstance(survey_id, int) else None
    if survey is None:
        return Done(copy.SURVEY_NOT_OPEN)
    try:
        response = await start_response(survey.id, ctx.contact_id, ctx.channel, identity=ctx.sender)
    except InvalidAnswer as exc:
        return Done(copy.SURVEY_ANSWERED if exc.code == "completed" else copy.SURVEY_NOT_OPEN)
    ctx.data["response_id"] = response.id
    intro = "\n".join(p for p in (fa(survey.title), fa(survey.description)) if p)
    return await _next(ctx, intro)


async def _next(ctx: Ctx, lead: str = "") -> Result:
    """Ask the next shown question, or finish the response with the survey's thanks."""
    response_id = int(ctx.data["response_id"])
    question = await next_question(response_id)
    if question is None:
        await complete_response(response_id)
        survey = await published_survey(int(ctx.data["survey_id"]))
        thanks = survey.thank_you if survey is not None and survey.thank_you else copy.SURVEY_THANKS
        return Done(fa(thanks))
    ctx.data["question_id"] = question.id
    return Goto("question", lead=lead)


async def _question(ctx: Ctx) -> Question:
    question = await Question.get(id=int(ctx.data["question_id"]))
    await question.fetch_related("options")
    return question


async def _ask(ctx: Ctx) -> Prompt:
    question = await _question(ctx)
    text, kind = fa(question.text), question.kind
    skip = () if question.required else (Option("skip", copy.SKIP_OPTION),)
    choices = tuple(Option(f"o{o.id}", fa(o.text)) for o in question.options)
    if kind == QuestionKind.SINGLE:
        return Prompt(text, options=choices + skip)
    if kind == QuestionKind.MULTIPLE:
        listed = "\n".join(f"{fa(i)}ـ {o.label}" for i, o in enumerate(choices, start=1))
        return _typed(ctx, f"{text}\n\n{listed}\n\n{copy.MULTIPLE_ASK}", skip, numbered=False)
    if kind == QuestionKind.RATING:
        scale = tuple(Option(str(n), fa(n)) for n in range(1, 6))
        sms_text = f"{text}\n{copy.RATING_SMS}" if ctx.sms else text
        return _typed(ctx, sms_text, skip, numbered=False, options=scale, columns=5)
    if kind == QuestionKind.NPS:
        scale = tuple(Option(str(n), fa(n)) for n in range(11))
        sms_text = f"{text}\n{copy.NPS_SMS}" if ctx.sms else text
        return _typed(ctx, sms_text, skip, numbered=False, options=scale, columns=6, zero=True)
    return Prompt(text, options=skip, free_text=True)


def _typed(
    ctx: Ctx,
    text: str,
    skip: tuple[Option, ...],
    *,
    numbered: bool,
    options: tuple[Option, ...] = (),
    columns: int = 1,
    zero: bool = False,
) -> Prompt:
    """A question answered by typing a value (SMS shows no numbered list); buttons on Telegram/Bale."""
    if skip and ctx.sms:
        text = f"{text}\n{copy.SKIP_SMS}"
    return Prompt(
        text,
        options=skip if ctx.sms else options + skip,
        free_text=True,
        numbered=numbered,
        zero_is_answer=zero,
        columns=columns,
    )


def _picked_positions(text: str) -> list[int]:
    return [int(n) for n in _NUMBERS.findall(to_ascii_digits(text))]


async def _take(ctx: Ctx, answer: Answer) -> Result:
    question = await _question(ctx)
    response_id = int(ctx.data["response_id"])
    key = answer.option.key if answer.option is not None else ""
    skipping = key == "skip" or normalize_search(answer.text) in SKIP_WORDS
    try:
        if skipping and not question.required:
            await record_answer(response_id, question.id)
        elif question.kind == QuestionKind.SINGLE:
            chosen = [int(key[1:])] if key.startswith("o") and key[1:].isdigit() else []
            await record_answer(response_id, question.id, option_ids=chosen)
        elif question.kind == QuestionKind.MULTIPLE:
            options = list(question.options)
            positions = _picked_positions(answer.text)
            if any(not 1 <= p <= len(options) for p in positions):
                raise InvalidAnswer("unknown_option", "a number outside the list")
            await record_answer(response_id, question.id, option_ids=[options[p - 1].id for p in positions])
        elif question.kind in (QuestionKind.RATING, QuestionKind.NPS):
            await record_answer(response_id, question.id, number=key if key.isdigit() else answer.text.strip())
        else:
            await record_answer(response_id, question.id, text=answer.text)
    except InvalidAnswer as exc:
        return Reask(copy.SURVEY_HINTS.get(exc.code, copy.SURVEY_HINT_DEFAULT))
    return await _next(ctx)


FLOW = Flow(NAME, {"question": Step(_ask, _take)}, first="question", start=_start, ttl=timedelta(days=7))
