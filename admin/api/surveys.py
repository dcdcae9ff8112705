"""Surveys over the API: build with questions, options and triggers, approve, record and read responses."""

from __future__ import annotations

from typing import Any

from admin.api import domain_out as out
from admin.api.domain_schemas import ID_IN
from admin.api.errors import ApiError
from admin.api.pagination import PAGING, page, page_schema, paging
from admin.api.schemas import enum, ref
from admin.api.spec import ApiCall, Param, api, path_id
from admin.api.visibility import via_contact
from core.access import get_contact_for
from core.actions.surveys import (
    QuestionSpec,
    add_question,
    build_survey,
    complete_response,
    record_answer,
    set_survey_status,
    start_response,
)
from core.areas import Area
from core.errors import NotFound
from core.models import Channel, QuestionKind, Response, Survey, SurveyStatus
from core.survey_rules import InvalidAnswer

OPTIONS = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 300}, "maxItems": 20}
QUESTION_FIELDS = {
    "kind": enum(QuestionKind),
    "text": {"type": "string", "minLength": 1, "maxLength": 1000},
    "required": {"type": "boolean", "default": True},
    "options": {**OPTIONS, "description": "the options of a single or multiple choice question, in order"},
}
TRIGGER_IN = {
    "type": "object",
    "required": ["question", "option"],
    "properties": {
        "question": {"type": "integer", "minimum": 1, "description": "number of an earlier question in this list"},
        "option": {"type": "integer", "minimum": 1, "description": "number of the option in that question"},
    },
    "additionalProperties": False,
}
NEW_QUESTION = {
    "type": "object",
    "required": ["kind", "text"],
    "properties": {**QUESTION_FIELDS, "triggers": {"type": "array", "items": TRIGGER_IN, "maxItems": 50}},
    "additionalProperties": False,
}
SURVEY_IN = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 4000},
        "thank_you": {"type": "string", "maxLength": 2000},
        "questions": {"type": "array", "items": NEW_QUESTION, "maxItems": 100},
    },
    "additionalProperties": False,
}
QUESTION_IN = {
    "type": "object",
    "required": ["kind", "text"],
    "properties": {**QUESTION_FIELDS, "trigger_option_ids": {"type": "array", "items": ID_IN, "maxItems": 50}},
    "additionalProperties": False,
}
STATUS_IN = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": enum(SurveyStatus)},
    "additionalProperties": False,
}
ANSWER_IN = {
    "type": "object",
    "required": ["question_id"],
    "properties": {
        "question_id": ID_IN,
        "option_ids": {"type": "array", "items": ID_IN, "maxItems": 20},
        "number": {"type": "integer", "minimum": -1000, "maximum": 1000, "description": "rating 1-5 or NPS 0-10"},
        "text": {"type": "string", "maxLength": 2000},
    },
    "additionalProperties": False,
}
RESPONSE_IN = {
    "type": "object",
    "required": ["contact_id", "channel", "answers"],
    "properties": {
        "contact_id": ID_IN,
        "channel": enum(Channel),
        "identity": {"type": "string", "maxLength": 255, "description": "who answered: phone, Telegram id, login"},
        "ip": {"type": "string", "maxLength": 45},
        "answers": {"type": "array", "items": ANSWER_IN, "maxItems": 100},
        "complete": {"type": "boolean", "default": True},
    },
    "additionalProperties": False,
}
SURVEY_PATH = (path_id(what="survey"),)


async def _survey(call: ApiCall) -> Survey:
    row = await Survey.get_or_none(id=call.path["id"])
    if row is None:
        raise NotFound(f"survey {call.path['id']} not found")
    return row


@api.get(
    "/surveys",
    summary="List surveys",
    tag="surveys",
    area=Area.SURVEYS,
    params=(Param("status", enum(SurveyStatus), "only surveys in this status"), *PAGING),
    response=page_schema(ref("Survey")),
)
async def list_surveys(call: ApiCall) -> dict[str, Any]:
    """Surveys, newest first, with their questions."""
    limit, offset = paging(call)
    query = Survey.all()
    if "status" in call.query:
        query = query.filter(status=call.query["status"])
    total = await query.count()
    rows = await query.order_by("-id").offset(offset).limit(limit)
    return page([await out.survey(s) for s in rows], total, limit, offset)


@api.get(
    "/surveys/{id}", summary="A survey", tag="surveys", area=Area.SURVEYS, params=SURVEY_PATH, response=ref("Survey")
)
async def get_survey(call: ApiCall) -> dict[str, Any]:
    """One survey with its questions in order, options and triggering options."""
    return await out.survey(await _survey(call))


@api.post(
    "/surveys",
    summary="Create a survey",
    tag="surveys",
    area=Area.SURVEYS,
    body=SURVEY_IN,
    response=ref("Survey"),
    status=201,
)
async def post_survey(call: ApiCall) -> dict[str, Any]:
    """Create a draft survey, optionally with questions; a trigger names an earlier question and option by number."""
    specs = [
        QuestionSpec(
            kind=q["kind"],
            text=q["text"],
            required=q.get("required", True),
            options=tuple(q.get("options", ())),
            triggers=tuple((t["question"], t["option"]) for t in q.get("triggers", ())),
        )
        for q in call.body.get("questions", [])
    ]
    body = call.body
    survey = await build_survey(
        body["title"], specs, by=call.user, description=body.get("description", ""), thank_you=body.get("thank_you", "")
    )
    return await out.survey(survey)


@api.post(
    "/surveys/{id}/questions",
    summary="Add a question to a draft survey",
    tag="surveys",
    area=Area.SURVEYS,
    params=SURVEY_PATH,
    body=QUESTION_IN,
    response=ref("Survey"),
    status=201,
)
async def post_question(call: ApiCall) -> dict[str, Any]:
    """Append a question, shown only when any of `trigger_option_ids` (options of earlier questions) was chosen."""
    survey = await _survey(call)
    body = call.body
    await add_question(
        survey.id,
        body["kind"],
        body["text"],
        by=call.user,
        required=body.get("required", True),
        options=body.get("options", []),
        trigger_option_ids=body.get("trigger_option_ids", []),
    )
    return await out.survey(survey)


@api.post(
    "/surveys/{id}/status",
    summary="Move a survey along its approval route",
    tag="surveys",
    area=Area.SURVEYS,
    params=SURVEY_PATH,
    body=STATUS_IN,
    response=ref("Survey"),
)
async def post_survey_status(call: ApiCall) -> dict[str, Any]:
    """draft → in_review → approved → published → closed; in_review may go back to draft."""
    survey = await _survey(call)
    return await out.survey(await set_survey_status(survey.id, call.body["status"], by=call.user))


@api.get(
    "/surveys/{id}/responses",
    summary="Responses to a survey",
    tag="surveys",
    area=Area.SURVEY_ANSWERS,
    params=(*SURVEY_PATH, *PAGING),
    response=page_schema(ref("SurveyResponse")),
)
async def list_responses(call: ApiCall) -> dict[str, Any]:
    """Responses of contacts you may see, newest first, with their answers."""
    survey = await _survey(call)
    limit, offset = paging(call)
    query = Response.filter(via_contact(call.user), survey_id=survey.id)
    total = await query.count()
    rows = await query.order_by("-id").offset(offset).limit(limit)
    return page(await out.responses(list(rows)), total, limit, offset)


@api.post(
    "/surveys/{id}/responses",
    summary="Record a response answered elsewhere",
    tag="surveys",
    area=Area.SURVEY_ANSWERS,
    params=SURVEY_PATH,
    body=RESPONSE_IN,
    response=ref("SurveyResponse"),
    status=201,
    errors=(403, 409),
)
async def post_response(call: ApiCall) -> dict[str, Any]:
    """Record a recipient's answers (web form, call center) with the same checks as the bot; one per recipient.

    An unfinished response is continued; a recipient who already completed the survey gets 409 (conflict).
    """
    survey = await _survey(call)
    body = call.body
    contact = await get_contact_for(call.user, body["contact_id"])
    try:
        response = await start_response(
            survey.id, contact.id, body["channel"], body.get("identity", ""), body.get("ip")
        )
        for n, a in enumerate(body["answers"]):
            try:
                await record_answer(
                    response.id,
                    a["question_id"],
                    option_ids=a.get("option_ids", ()),
                    number=a.get("number"),
                    text=a.get("text"),
                )
            except InvalidAnswer as exc:
                raise InvalidAnswer(exc.code, f"answers[{n}]: {exc}") from None
        if body.get("complete", True):
            response = await complete_response(response.id)
    except InvalidAnswer as exc:
        if exc.code == "completed":
            raise ApiError(409, str(exc)) from None
        raise
    return (await out.responses([response]))[0]
