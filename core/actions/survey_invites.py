"""Surveys after a resolved case (SUR-3): scheduled once per case, sent after the rule's delay on the case's channel.

On Telegram, Bale and SMS the bot's survey flow asks the questions in the case's conversation; the
dialog engine lives in handlers/, so the scheduler passes its `start_flow` in (`FlowStarter`). On email,
and wherever no bot conversation can take it, the invitation carries the survey's web link.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from core import alarm_text
from core.actions.conversations import hand_to_bot
from core.actions.outbox import queue_notification
from core.actions.recipients import IDENTITY_OF, recipient_for
from core.errors import ValidationError
from core.models import (
    AlarmRule,
    Case,
    CaseStatus,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Response,
    Survey,
    SurveyInvite,
    SurveyStatus,
)
from core.queries.alarm_recipients import Address, customer_address

log = logging.getLogger(__name__)

FlowStarter = Callable[[int, int], Awaitable[None]]  # (conversation id, survey id): the bot asks the first question
BOT_CHANNELS = (Channel.TELEGRAM, Channel.BALE, Channel.SMS)
LOOKBACK = timedelta(days=14)  # cases resolved longer ago get no survey (also on a first start-up)
GIVE_UP = timedelta(days=7)  # an invitation still waiting (its conversation with a person) this long is dropped
SCHEDULED, SENT, SKIPPED = "scheduled", "sent", "skipped"
SUBJECT = "نظرسنجی"  # email subject of the invitation


def survey_link(token: str) -> str:
    """The web link of an invitation, or "" without PEYK_PUBLIC_URL."""
    return alarm_text.public_url(f"/survey/{token}")


async def survey_of(rule: AlarmRule) -> Survey | None:
    """The rule's published survey, or the newest published survey when the rule names none."""
    survey_id = rule.params.get("survey_id")
    query = Survey.filter(status=SurveyStatus.PUBLISHED)
    if survey_id:
        return await query.filter(id=survey_id).first()
    return await query.order_by("-published_at", "-id").first()


async def schedule_invites(rule: AlarmRule, now: datetime) -> int:
    """Create the invitation of every case resolved in the last days that has none; due after the rule's delay."""
    survey = await survey_of(rule)
    if survey is None:
        return 0
    cases = await Case.filter(
        status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED), resolved_at__gte=now - LOOKBACK, resolved_at__lte=now
    ).only("id", "contact_id", "resolved_at")
    invited = set(await SurveyInvite.filter(case_id__in=[c.id for c in cases]).values_list("case_id", flat=True))
    rows = [
        SurveyInvite(
            case_id=case.id,
            survey_id=survey.id,
            contact_id=case.contact_id,
            token=secrets.token_urlsafe(24),
            due_at=case.resolved_at + timedelta(minutes=rule.threshold or 0),
        )
        for case in cases
        if case.id not in invited and case.resolved_at is not None
    ]
    # ignore_conflicts: the unique case makes a concurrent sweep's second insert a no-op.
    await SurveyInvite.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


async def _bot_conversation(case: Case, contact: Contact) -> Conversation | None:
    """The conversation of the case if it is on a bot channel, else the customer's latest open-able one."""
    if case.conversation_id:
        conversation = await Conversation.get_or_none(id=case.conversation_id)
        if conversation is not None and conversation.channel in BOT_CHANNELS:
            return conversation
        if conversation is not None:
            return None  # an email or other case: the link goes by its own channel
    return (
        await Conversation.filter(contact_id=contact.id, channel__in=BOT_CHANNELS)
        .exclude(status=ConversationStatus.CLOSED)
        .order_by("-last_activity_at", "-id")
        .first()
    )


async def _invite_address(case: Case, contact: Contact, rule: AlarmRule) -> Address | None:
    """Where a link invitation goes: the case's own thread (an email address), else the first reachable channel."""
    if case.conversation_id:
        conversation = await Conversation.get_or_none(id=case.conversation_id)
        if conversation is not None and conversation.channel in IDENTITY_OF:
            try:
                address = await recipient_for(conversation, contact)
                return Address(conversation.channel, address, contact_id=contact.id)
            except ValidationError:  # unreachable there now: try the customer's other channels
                pass
    source = [str(case.source_channel)] if case.source_channel in IDENTITY_OF else []
    return await customer_address(contact, [*source, *rule.channels])


async def _finish(
    invite: SurveyInvite, status: str, *, channel: Channel | None, address: str, now: datetime, why: str = ""
) -> int:
    """Move a scheduled invitation to sent or skipped; 0 when another sweep already did (then it does nothing)."""
    return await SurveyInvite.filter(id=invite.id, status=SCHEDULED).update(
        status=status, channel=channel, address=address[:255], sent_at=now if status == SENT else None, reason=why[:200]
    )


async def send_invite(invite: SurveyInvite, rule: AlarmRule, now: datetime, start_flow: FlowStarter | None) -> int:
    """Send one due invitation once: the bot flow in the case's chat, else the link on the customer's channel."""
    case = await Case.get(id=invite.case_id)
    contact = await Contact.get(id=invite.contact_id)
    if await Response.filter(survey_id=invite.survey_id, contact_id=contact.id, completed_at__isnull=False).exists():
        return await _finish(invite, SKIPPED, channel=None, address="", now=now, why="already answered this survey")
    conversation = await _bot_conversation(case, contact)
    if conversation is not None and start_flow is not None:
        if conversation.status in (ConversationStatus.OPEN, ConversationStatus.PENDING):
            if now - invite.due_at > GIVE_UP:
                return await _finish(invite, SKIPPED, channel=None, address="", now=now, why="conversation with staff")
            return 0  # a person is still talking with the customer: try again at the next sweep
        # Claim first: the flow's messages are queued by the engine in its own steps.
        if not await _finish(invite, SENT, channel=conversation.channel, address=conversation.thread_key, now=now):
            return 0
        if conversation.status != ConversationStatus.BOT:
            await hand_to_bot(conversation.id, by=None)
        await start_flow(conversation.id, invite.survey_id)
        return 1
    found = await _invite_address(case, contact, rule)
    if found is None:
        why = "customer has no reachable channel"
        return await _finish(invite, SKIPPED, channel=None, address="", now=now, why=why)
    text = alarm_text.survey_invite(contact.display_name, case.number, survey_link(invite.token))
    if not await _finish(invite, SENT, channel=found.channel, address=found.address, now=now):
        return 0
    await queue_notification(
        found.channel,
        found.address,
        text,
        kind="survey",
        dedupe_key=f"survey-invite:{invite.id}",
        payload={"subject": SUBJECT, "survey_invite_id": invite.id},
    )
    return 1


async def due_invites(now: datetime) -> list[SurveyInvite]:
    """Invitations whose delay has passed and that were not sent or dropped yet."""
    return list(await SurveyInvite.filter(status=SCHEDULED, due_at__lte=now).order_by("due_at", "id").limit(500))


async def invite_for(survey_id: int, contact_id: int) -> SurveyInvite | None:
    """The latest invitation of a customer to a survey (which case a response answers)."""
    return await SurveyInvite.filter(survey_id=survey_id, contact_id=contact_id).order_by("-id").first()
