"""A low survey score (SUR-6): the manager is told and a follow-up case opens, once per response.

Low means a rating of at most `rating_max` (2 of 5) or an NPS of at most `nps_max` (6 of 10), from the
first active `survey_low` rule. The follow-up case and the alarm are written in one transaction under
the alarm's unique key, so a second check (the event and the sweep, or two processes) does nothing.
"""

from __future__ import annotations

from datetime import datetime

from core import alarm_text
from core.actions.alarm_rules import rules_of
from core.actions.alarms import alarm_key, raise_alarm
from core.actions.cases import open_case
from core.actions.survey_invites import invite_for
from core.models import Alarm, Answer, Case, CaseType, Priority, QuestionKind, Response
from core.queries.alarm_subjects import case_subject
from core.tx import atomic

KIND = "survey_low"
FOLLOW_UP_SUBJECT = "پیگیری نظرسنجی: {score}"
FOLLOW_UP_NOTE = "مشتری در نظرسنجی «{survey}» برای پرونده {case} {score} داده است."


class _Raced(Exception):
    """Another check raised this alarm first: undo the follow-up case opened here."""


async def low_answer(response_id: int, rating_max: int, nps_max: int) -> tuple[str, int] | None:
    """The lowest rating or NPS answer at or under its limit, as (kind, number), or None."""
    answers = await Answer.filter(
        response_id=response_id, number__not_isnull=True, question__kind__in=(QuestionKind.RATING, QuestionKind.NPS)
    ).values_list("question__kind", "number")
    low = [
        (str(kind), int(number))
        for kind, number in answers
        if (kind == QuestionKind.RATING and number <= rating_max) or (kind == QuestionKind.NPS and number <= nps_max)
    ]
    return min(low, key=lambda pair: pair[1] / (5 if pair[0] == QuestionKind.RATING else 10)) if low else None


async def check_low_score(response_id: int, now: datetime) -> Case | None:
    """Open the follow-up case and alarm the manager for a completed response with a low score; returns the case."""
    rules = await rules_of(KIND)
    response = await Response.get_or_none(id=response_id, completed_at__isnull=False)
    if not rules or response is None:
        return None
    rule = rules[0]
    key = alarm_key(KIND, "response", response.id, rule.id)
    if await Alarm.exists(key=key):
        return None
    low = await low_answer(response.id, rule.params.get("rating_max", 2), rule.params.get("nps_max", 6))
    if low is None:
        return None
    score = alarm_text.score_text(*low)
    invite = await invite_for(response.survey_id, response.contact_id)
    case = await Case.get_or_none(id=invite.case_id) if invite else None
    survey = await response.survey
    try:
        async with atomic():
            follow_up = await open_case(
                contact_id=response.contact_id,
                by=None,
                conversation_id=case.conversation_id if case else None,
                type=CaseType.COMPLAINT,
                priority=Priority.HIGH,
                subject=FOLLOW_UP_SUBJECT.format(score=score),
                description=FOLLOW_UP_NOTE.format(
                    survey=survey.title, case=alarm_text.fa(case.number) if case else "—", score=score
                ),
                source_channel=response.channel,
            )
            subject = await case_subject(follow_up)
            text = alarm_text.survey_low(subject, case.number if case else "—", score, now)
            if await raise_alarm(key, KIND, text, rule=rule, subject=subject, now=now) is None:
                raise _Raced
    except _Raced:
        return None
    return follow_up
