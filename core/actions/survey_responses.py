"""Answering a survey: one response per recipient, validated answers, the next question by the triggering rule (SUR-4).

Customers answer through the bot, so these take no staff user and write no audit rows.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from core.errors import NotFound, ValidationError
from core.models import Answer, AnswerChoice, Channel, Contact, Option, Question, QuestionTrigger, Response, Survey
from core.models.surveys import SurveyStatus
from core.survey_rules import InvalidAnswer, check_answer, visible_questions
from core.tx import atomic


@dataclass
class _State:
    """A response's questions in order, their triggers, and what was answered so far."""

    questions: list[Question]
    triggers: dict[int, set[int]]
    answers: dict[int, Answer]
    chosen: dict[int, set[int]]

    def shown(self) -> list[int]:
        return visible_questions([(q.id, self.triggers.get(q.id, set())) for q in self.questions], self.chosen)


async def _state(response: Response) -> _State:
    questions = list(await Question.filter(survey_id=response.survey_id).order_by("position", "id"))
    triggers: dict[int, set[int]] = {}
    rows = await QuestionTrigger.filter(question_id__in=[q.id for q in questions]).values_list(
        "question_id", "option_id"
    )
    for question_id, option_id in rows:
        triggers.setdefault(question_id, set()).add(option_id)
    answers = {a.question_id: a for a in await Answer.filter(response_id=response.id)}
    chosen: dict[int, set[int]] = {}
    picks = await AnswerChoice.filter(answer__response_id=response.id).values_list("answer__question_id", "option_id")
    for question_id, option_id in picks:
        chosen.setdefault(question_id, set()).add(option_id)
    return _State(questions, triggers, answers, chosen)


def _identity(identity: str, ip: str | None) -> tuple[str, str | None]:
    identity = (identity or "").strip()
    if len(identity) > 255:
        raise ValidationError("identity is longer than 255 characters")
    if ip is None or not ip.strip():
        return identity, None
    try:
        return identity, str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        raise ValidationError(f"ip is not an IP address: {ip[:50]!r}") from None


async def start_response(
    survey_id: int, contact_id: int, channel: Channel | str, identity: str, ip: str | None = None
) -> Response:
    """The recipient's response to a published survey: a new one, or the unfinished one they already started.

    A recipient who already completed the survey gets InvalidAnswer with code `completed`.
    """
    channel = Channel(channel)
    identity, ip = _identity(identity, ip)
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None:
        raise NotFound(f"survey {survey_id} not found")
    if survey.status != SurveyStatus.PUBLISHED:
        raise InvalidAnswer("not_open", f"survey {survey_id} is {survey.status.value}, not published")
    if not await Contact.exists(id=contact_id):
        raise NotFound(f"contact {contact_id} not found")
    existing = await Response.get_or_none(survey_id=survey_id, contact_id=contact_id)
    if existing is None:
        try:
            async with atomic() as out:
                existing = await Response.create(
                    survey_id=survey_id, contact_id=contact_id, channel=channel, identity=identity, ip=ip
                )
                out.emit("survey.response_started", response_id=existing.id, survey_id=survey_id, contact_id=contact_id)
        except IntegrityError:  # started at the same moment on another channel: one response per recipient
            existing = await Response.get(survey_id=survey_id, contact_id=contact_id)
    if existing.completed_at is not None:
        raise InvalidAnswer("completed", f"contact {contact_id} has already answered survey {survey_id}")
    return existing


async def _open_response(response_id: int) -> Response:
    response = await Response.filter(id=response_id).select_for_update().first()
    if response is None:
        raise NotFound(f"response {response_id} not found")
    if response.completed_at is not None:
        raise InvalidAnswer("completed", f"response {response_id} is already complete")
    survey = await Survey.get(id=response.survey_id)
    if survey.status != SurveyStatus.PUBLISHED:
        raise InvalidAnswer("not_open", f"survey {survey.id} is {survey.status.value}; it takes no answers")
    return response


async def record_answer(
    response_id: int,
    question_id: int,
    *,
    option_ids: Iterable[int] = (),
    number: int | str | None = None,
    text: str | None = None,
) -> Answer:
    """Store (or replace) the answer to a shown question after validating it; answers of branches it closes go."""
    async with atomic() as out:
        response = await _open_response(response_id)
        state = await _state(response)
        question = next((q for q in state.questions if q.id == question_id), None)
        if question is None:
            raise InvalidAnswer("wrong_survey", f"question {question_id} is not in this survey")
        if question.id not in state.shown():
            raise InvalidAnswer("not_shown", f"question {question_id} is not shown for the answers given so far")
        allowed = {o.id for o in await Option.filter(question_id=question.id).only("id")}
        clean = check_answer(
            question.kind,
            required=question.required,
            allowed_option_ids=allowed,
            option_ids=option_ids,
            number=number,
            text=text,
        )
        answer = state.answers.get(question.id)
        if answer is None:
            answer = await Answer.create(response=response, question=question, number=clean.number, text=clean.text)
        else:
            answer.number, answer.text = clean.number, clean.text
            await answer.save()
            await AnswerChoice.filter(answer_id=answer.id).delete()
        for option_id in clean.option_ids:
            await AnswerChoice.create(answer=answer, option_id=option_id)
        state.answers[question.id], state.chosen[question.id] = answer, set(clean.option_ids)
        # A changed choice can hide questions answered earlier on the other branch: drop those answers.
        hidden = [qid for qid in state.answers if qid not in set(state.shown())]
        if hidden:
            await Answer.filter(response_id=response.id, question_id__in=hidden).delete()
        out.emit("survey.answered", response_id=response.id, question_id=question.id)
    return answer


async def next_question(response_id: int) -> Question | None:
    """The first shown question without an answer (options prefetched in order), or None when all are answered."""
    response = await Response.get_or_none(id=response_id)
    if response is None:
        raise NotFound(f"response {response_id} not found")
    if response.completed_at is not None:
        return None
    state = await _state(response)
    for question_id in state.shown():
        if question_id not in state.answers:
            question = next(q for q in state.questions if q.id == question_id)
            await question.fetch_related("options")
            return question
    return None


async def complete_response(response_id: int) -> Response:
    """Mark the response complete once every shown required question is answered (InvalidAnswer `incomplete` if not)."""
    async with atomic() as out:
        response = await Response.filter(id=response_id).select_for_update().first()
        if response is None:
            raise NotFound(f"response {response_id} not found")
        if response.completed_at is not None:
            return response
        state = await _state(response)
        required = {q.id for q in state.questions if q.required}
        missing = [qid for qid in state.shown() if qid in required and qid not in state.answers]
        if missing:
            raise InvalidAnswer("incomplete", f"question {missing[0]} still needs an answer")
        response.completed_at = datetime.now(UTC)
        await response.save(update_fields=["completed_at"])
        out.emit(
            "survey.response_completed",
            response_id=response.id,
            survey_id=response.survey_id,
            contact_id=response.contact_id,
            channel=response.channel.value,
        )
    return response
