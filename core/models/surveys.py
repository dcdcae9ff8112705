"""Surveys (نظرسنجی): questions with options and triggering answers, and one response per recipient (SUR-1/2/4)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from core.models.enums import Channel


class SurveyStatus(StrEnum):
    """The approval route of SUR-2: draft, in review, approved, published, closed."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    CLOSED = "closed"


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    RATING = "rating"
    NPS = "nps"
    TEXT = "text"


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Survey(Model):
    """A survey with its approval status, only a published one takes answers."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    thank_you = fields.TextField(default="")
    status = fields.CharEnumField(SurveyStatus, max_length=10, default=SurveyStatus.DRAFT, db_index=True)
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="created_surveys", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    published_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    questions: fields.ReverseRelation[Question]

    class Meta:
        table = "survey"


class Question(Model):
    """A question in position order, shown only when one of its triggering options was chosen (if it has any)."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="questions", on_delete=fields.CASCADE
    )
    survey_id: int
    position = fields.IntField()
    kind = fields.CharEnumField(QuestionKind, max_length=10)
    text = fields.TextField()
    required = fields.BooleanField(default=True)

    options: fields.ReverseRelation[Option]

    class Meta:
        table = "survey_question"
        ordering = ["position", "id"]


class Option(Model):
    """One answer of a single or multiple choice question."""

    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "models.Question", related_name="options", on_delete=fields.CASCADE
    )
    question_id: int
    position = fields.IntField()
    text = fields.CharField(max_length=300)

    class Meta:
        table = "survey_option"
        ordering = ["position", "id"]


class QuestionTrigger(Model):
    """An option of an earlier question that makes this question appear (any one of them is enough)."""

    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "models.Question", related_name="triggers", on_delete=fields.CASCADE
    )
    question_id: int
    option: fields.ForeignKeyRelation[Option] = fields.ForeignKeyField(
        "models.Option", related_name="triggered", on_delete=fields.CASCADE
    )
    option_id: int

    class Meta:
        table = "survey_trigger"
        unique_together = (("question", "option"),)


class Response(Model):
    """The answers of one recipient to a survey, with the channel, identity and IP they came from (SUR-4)."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="responses", on_delete=fields.RESTRICT
    )
    survey_id: int
    contact: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contact", related_name="survey_responses", on_delete=fields.RESTRICT
    )
    contact_id: int
    channel = fields.CharEnumField(Channel, max_length=10)
    identity = fields.CharField(max_length=255, default="")
    ip = fields.CharField(max_length=45, null=True)
    started_at = fields.DatetimeField(auto_now_add=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "survey_response"
        unique_together = (("survey", "contact"),)


class Answer(Model):
    """The answer to one question: chosen options (AnswerChoice), a number or a text, empty when skipped."""

    id = fields.IntField(primary_key=True)
    response: fields.ForeignKeyRelation[Response] = fields.ForeignKeyField(
        "models.Response", related_name="answers", on_delete=fields.CASCADE
    )
    response_id: int
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "models.Question", related_name="answers", on_delete=fields.RESTRICT
    )
    question_id: int
    number = fields.IntField(null=True)
    text = fields.TextField(default="")
    answered_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "survey_answer"
        unique_together = (("response", "question"),)


class AnswerChoice(Model):
    """An option chosen in an answer (one for single choice, one or more for multiple choice)."""

    id = fields.IntField(primary_key=True)
    answer: fields.ForeignKeyRelation[Answer] = fields.ForeignKeyField(
        "models.Answer", related_name="choices", on_delete=fields.CASCADE
    )
    answer_id: int
    option: fields.ForeignKeyRelation[Option] = fields.ForeignKeyField(
        "models.Option", related_name="choices", on_delete=fields.RESTRICT
    )
    option_id: int

    class Meta:
        table = "survey_answer_choice"
        unique_together = (("answer", "option"),)
