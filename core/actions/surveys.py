"""Survey design actions: create, questions, options, triggering answers, and the approval route (SUR-1, SUR-2).

Answering lives in core/actions/survey_responses.py and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from core.actions.audit import record
from core.actions.survey_responses import complete_response, next_question, record_answer, start_response
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.models import Option, Question, QuestionKind, QuestionTrigger, Survey, SurveyStatus, User
from core.models.surveys import CHOICE_KINDS
from core.tx import atomic

__all__ = [
    "QuestionSpec",
    "add_option",
    "add_question",
    "build_survey",
    "complete_response",
    "create_survey",
    "next_question",
    "publish_survey",
    "record_answer",
    "set_survey_status",
    "set_triggers",
    "start_response",
]

# SUR-2: a reviewer may send a survey back to draft; otherwise it only moves forward.
ROUTE: dict[SurveyStatus, tuple[SurveyStatus, ...]] = {
    SurveyStatus.DRAFT: (SurveyStatus.IN_REVIEW,),
    SurveyStatus.IN_REVIEW: (SurveyStatus.DRAFT, SurveyStatus.APPROVED),
    SurveyStatus.APPROVED: (SurveyStatus.PUBLISHED,),
    SurveyStatus.PUBLISHED: (SurveyStatus.CLOSED,),
    SurveyStatus.CLOSED: (),
}
MAX_OPTIONS = 20


def _text(value: str, field: str, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(f"{field} is required")
    if len(text) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters")
    return text


async def _draft(survey_id: int) -> Survey:
    survey = await Survey.filter(id=survey_id).select_for_update().first()
    if survey is None:
        raise NotFound(f"survey {survey_id} not found")
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(f"survey {survey_id} is {survey.status.value}; only a draft can be changed")
    return survey


async def create_survey(title: str, *, by: User | None, description: str = "", thank_you: str = "") -> Survey:
    """Create a draft survey."""
    require_write(by, Area.SURVEYS)
    async with atomic() as out:
        survey = await Survey.create(
            title=_text(title, "title", 200),
            description=(description or "").strip(),
            thank_you=(thank_you or "").strip(),
            created_by=by,
        )
        await record(by, "survey.create", survey, title=survey.title)
        out.emit("survey.created", survey_id=survey.id)
    return survey


async def _check_triggers(question: Question, option_ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(option_ids))
    options = await Option.filter(id__in=wanted).select_related("question")
    found = {o.id: o for o in options}
    for option_id in wanted:
        option = found.get(option_id)
        if option is None:
            raise ValidationError(f"trigger option {option_id} not found")
        earlier = option.question
        if earlier.survey_id != question.survey_id or earlier.position >= question.position:
            raise ValidationError(f"trigger option {option_id} is not an option of an earlier question")
    return wanted


@dataclass(frozen=True)
class QuestionSpec:
    """A question of a survey built in one go; triggers are (question number, option number), both 1-based."""

    kind: QuestionKind | str
    text: str
    required: bool = True
    options: tuple[str, ...] = ()
    triggers: tuple[tuple[int, int], ...] = ()


async def _create_question(
    survey: Survey, kind: QuestionKind | str, text: str, required: bool, options: Sequence[str]
) -> tuple[Question, list[Option]]:
    kind = QuestionKind(kind)
    if kind in CHOICE_KINDS and len(options) > MAX_OPTIONS:
        raise ValidationError(f"a question has at most {MAX_OPTIONS} options")
    if kind not in CHOICE_KINDS and options:
        raise ValidationError(f"a {kind.value} question has no options")
    last = await Question.filter(survey_id=survey.id).order_by("-position").first()
    question = await Question.create(
        survey=survey,
        position=(last.position + 1) if last else 1,
        kind=kind,
        text=_text(text, "question text", 1000),
        required=bool(required),
    )
    made = [
        await Option.create(question=question, position=i, text=_text(option, f"option {i}", 300))
        for i, option in enumerate(options, start=1)
    ]
    return question, made


async def add_question(
    survey_id: int,
    kind: QuestionKind | str,
    text: str,
    *,
    by: User | None,
    required: bool = True,
    options: Sequence[str] = (),
    trigger_option_ids: Iterable[int] = (),
) -> Question:
    """Append a question to a draft survey, with its options (choice kinds) and triggering options."""
    require_write(by, Area.SURVEYS)
    async with atomic():
        survey = await _draft(survey_id)
        question, _ = await _create_question(survey, kind, text, required, options)
        for option_id in await _check_triggers(question, trigger_option_ids):
            await QuestionTrigger.create(question=question, option_id=option_id)
        await record(by, "survey.question", survey, question_id=question.id, kind=question.kind.value)
    return question


async def build_survey(
    title: str, questions: Sequence[QuestionSpec], *, by: User | None, description: str = "", thank_you: str = ""
) -> Survey:
    """Create a draft survey with all its questions, options and triggers in one transaction."""
    require_write(by, Area.SURVEYS)
    async with atomic() as out:
        survey = await Survey.create(
            title=_text(title, "title", 200),
            description=(description or "").strip(),
            thank_you=(thank_you or "").strip(),
            created_by=by,
        )
        made: list[list[Option]] = []
        for n, spec in enumerate(questions, start=1):
            question, options = await _create_question(survey, spec.kind, spec.text, spec.required, spec.options)
            made.append(options)
            for q_no, o_no in spec.triggers:
                if not 1 <= q_no < n or not 1 <= o_no <= len(made[q_no - 1]):
                    raise ValidationError(
                        f"question {n}: trigger ({q_no}, {o_no}) is not an option of an earlier question"
                    )
                await QuestionTrigger.create(question=question, option=made[q_no - 1][o_no - 1])
        await record(by, "survey.create", survey, title=survey.title, questions=len(questions))
        out.emit("survey.created", survey_id=survey.id)
    return survey


async def add_option(question_id: int, text: str, *, by: User | None) -> Option:
    """Add an option to a choice question of a draft survey."""
    require_write(by, Area.SURVEYS)
    async with atomic():
        question = await Question.get_or_none(id=question_id)
        if question is None:
            raise NotFound(f"question {question_id} not found")
        if question.kind not in CHOICE_KINDS:
            raise ValidationError(f"a {question.kind.value} question has no options")
        survey = await _draft(question.survey_id)
        count = await Option.filter(question_id=question.id).count()
        if count >= MAX_OPTIONS:
            raise ValidationError(f"a question has at most {MAX_OPTIONS} options")
        option = await Option.create(question=question, position=count + 1, text=_text(text, "option", 300))
        await record(by, "survey.option", survey, question_id=question.id, option_id=option.id)
    return option


async def set_triggers(question_id: int, option_ids: Iterable[int], *, by: User | None) -> Question:
    """Replace a question's triggering options: it is shown only when any of them was chosen (none: always)."""
    require_write(by, Area.SURVEYS)
    async with atomic():
        question = await Question.get_or_none(id=question_id)
        if question is None:
            raise NotFound(f"question {question_id} not found")
        survey = await _draft(question.survey_id)
        wanted = await _check_triggers(question, option_ids)
        await QuestionTrigger.filter(question_id=question.id).delete()
        for option_id in wanted:
            await QuestionTrigger.create(question=question, option_id=option_id)
        await record(by, "survey.triggers", survey, question_id=question.id, option_ids=wanted)
    return question


async def _check_complete(survey: Survey) -> None:
    questions = await Question.filter(survey_id=survey.id).prefetch_related("options")
    if not questions:
        raise ValidationError("a survey needs at least one question before review")
    for q in questions:
        if q.kind in CHOICE_KINDS and len(q.options) < 2:
            raise ValidationError(f"question {q.position} needs at least two options")


async def set_survey_status(survey_id: int, status: SurveyStatus | str, *, by: User | None) -> Survey:
    """Move a survey along draft → in_review → approved → published → closed (in review may go back to draft)."""
    require_write(by, Area.SURVEYS)
    status = SurveyStatus(status)
    async with atomic() as out:
        survey = await Survey.filter(id=survey_id).select_for_update().first()
        if survey is None:
            raise NotFound(f"survey {survey_id} not found")
        old = survey.status
        if status not in ROUTE[old]:
            allowed = ", ".join(s.value for s in ROUTE[old]) or "nothing"
            raise ValidationError(f"survey {survey_id} is {old.value}; it can move to {allowed}, not {status.value}")
        if status == SurveyStatus.IN_REVIEW:
            await _check_complete(survey)
        now = datetime.now(UTC)
        if status == SurveyStatus.PUBLISHED:
            survey.published_at = now
        elif status == SurveyStatus.CLOSED:
            survey.closed_at = now
        survey.status = status
        await survey.save()
        await record(by, "survey.status", survey, status=[old.value, status.value])
        out.emit("survey.status_changed", survey_id=survey.id, old=old.value, new=status.value)
    return survey


async def publish_survey(survey_id: int, *, by: User | None) -> Survey:
    """Publish an approved survey (it then takes answers)."""
    require_write(by, Area.SURVEYS)
    return await set_survey_status(survey_id, SurveyStatus.PUBLISHED, by=by)
