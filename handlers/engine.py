"""The dialog engine: one step per stored inbound message, the same for Telegram, Bale and SMS (BOT-1).

The front doors commit the message with a pending-step mark, ack, and offer the turn to the process's
stepper (handlers.stepper), which calls `Engine.take(turn)`. One conversation's steps run
one at a time and in arrival order: an asyncio lock per conversation in this process, and the
contact's DialogState row locked for the step's transaction (PostgreSQL, several processes). The
bot answers only conversations in `bot` status. Global words (/start, /menu, منو, /cancel, انصراف,
اپراتور) work from anywhere; an expired flow restarts politely.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from core.actions.dialog import (
    claim_step,
    give_up_step,
    mute_sender,
    oldest_pending,
    postpone_step,
    save_state,
    stepping,
)
from core.actions.outbox import queue_bot_reply
from core.config import Settings
from core.errors import ValidationError
from core.jalali import format_time
from core.models import Channel, Conversation, ConversationStatus, DialogState, PendingStep
from core.text import normalize_search, to_persian_digits
from handlers import copy
from handlers.config import BotConfig, config_from
from handlers.flow import Answer, Ctx, Done, Flow, Goto, Handover, Reask, Result, Switch
from handlers.flows import all_flows
from handlers.flows.handover import hand_over
from handlers.flows.identity import NAME as IDENTITY
from handlers.flows.identity import accept_contact, is_identified
from handlers.flows.menu import HOME
from handlers.guards import Flood, clean_input, flood, too_long
from handlers.ordering import conversation_lock
from handlers.prompts import Prompt
from handlers.render import choose, fit_sms, is_menu_request, render_keyboard, render_sms
from handlers.retry import Backoff, Retry
from handlers.state import Session
from handlers.turn import Turn

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset(normalize_search(w) for w in ("/cancel", "انصراف"))
AGENT_WORDS = frozenset(normalize_search(w) for w in ("اپراتور", "/operator", "/agent", copy.MENU_AGENT))
_DEEP_LINK = re.compile(r"^survey[-_](\d{1,9})$")
MAX_SWITCHES = 6
AGAIN = object()  # Engine._take_oldest took an older turn's step: go on to this turn's own


@dataclass(frozen=True)
class Reply:
    """What to send: a prompt, and on SMS optionally a shorter text that keeps the prompt's options."""

    prompt: Prompt
    sms_text: str | None = None


class Engine:
    """Runs flows over stored messages; `take` for inbound, `start_flow` to begin one proactively."""

    def __init__(self, config: BotConfig, flows: Mapping[str, Flow] | None = None) -> None:
        self.config = config
        self.flows = dict(flows if flows is not None else all_flows())
        self.retry = Backoff()

    async def take(self, turn: Turn) -> Retry | None:
        """Take the step owed to a stored message, after any older one of its conversation; never raises.

        A pending turn takes its conversation's owed steps oldest first (by stored message id) under the
        contact's row lock, so turns offered to several processes are still answered in arrival order.
        A step that fails stays owed and the returned Retry says when to offer the turn again; after
        `retry.attempts` failures the step is given up: one apology, the chat handed to a person, staff told.
        """
        if not turn.wants_step:
            return None
        if not turn.pending:
            await self._take_unowed(turn)
            return None
        async with conversation_lock(turn.conversation_id):
            while (taken := await self._take_oldest(turn)) is AGAIN:
                pass
            return taken if isinstance(taken, Retry) else None

    async def _take_oldest(self, turn: Turn) -> Retry | object | None:
        """Take the conversation's oldest owed step; AGAIN when it was an older one than `turn`'s."""
        step: Turn | None = turn
        failures, mine = turn.attempts, True
        try:
            async with stepping(turn.contact_id, turn.channel, turn.conversation_id) as row:
                owed = await oldest_pending(turn.conversation_id)
                if owed is None or owed.message_id > turn.message_id:
                    return None  # this turn's step was taken (by another process, or after an older turn's)
                if owed.next_attempt_at is not None and owed.next_attempt_at > datetime.now(UTC):
                    return Retry(turn, owed.next_attempt_at)  # an older step failed and waits: this one after it
                mine = owed.message_id == turn.message_id
                failures = max(owed.attempts, turn.attempts) if mine else owed.attempts
                step = turn if mine else _owed_turn(owed)
                if await claim_step(owed) and step is not None:  # an unreadable row is just dropped
                    await self._take_in(step, row)
        except Exception:
            failed = step or turn
            log.exception("bot step failed on conversation %s (message %s)", turn.conversation_id, failed.message_id)
            at = await self._failed(failed, failures + 1)
            if at is not None:
                return Retry(replace(turn, attempts=failures + 1) if mine else turn, at)
        return None if mine else AGAIN

    async def _failed(self, step: Turn, failures: int) -> datetime | None:
        """Keep a failed step owed until its next attempt (returned), or give it up (None)."""
        try:
            if self.retry.exhausted(failures):
                note = copy.STEP_GAVE_UP_NOTE.format(attempts=to_persian_digits(failures))
                await give_up_step(step.message_id, step.conversation_id, apology=copy.STEP_GAVE_UP, note=note)
                return None
            at = datetime.now(UTC) + self.retry.wait(failures)
            await postpone_step(step.message_id, failures, at)
            return at
        except Exception:  # the database itself is failing: try again later, the row is still owed
            log.exception("could not record the failed step of message %s", step.message_id)
            return datetime.now(UTC) + self.retry.wait(failures)

    async def _take_unowed(self, turn: Turn) -> None:
        """A turn with no PendingStep row (nothing to retry from): on failure the customer is told once."""
        try:
            async with conversation_lock(turn.conversation_id):
                async with stepping(turn.contact_id, turn.channel, turn.conversation_id) as row:
                    await self._take_in(turn, row)
        except Exception:
            log.exception("bot step failed on conversation %s (message %s)", turn.conversation_id, turn.message_id)
            await self._apologize(turn.conversation_id)

    async def start_flow(self, conversation_id: int, flow: str, data: Mapping[str, Any] | None = None) -> None:
        """Begin `flow` in a bot conversation without waiting for the customer (a survey invitation)."""
        conversation = await Conversation.get_or_none(id=conversation_id)
        if conversation is None or conversation.status != ConversationStatus.BOT:
            raise ValidationError(f"conversation {conversation_id} is not with the bot")
        if flow not in self.flows:
            raise ValidationError(f"unknown flow {flow!r}")
        contact_id = conversation.contact_id
        async with conversation_lock(conversation_id):
            async with stepping(contact_id, conversation.channel, conversation_id) as row:
                session = Session.of(row)
                ctx = self._ctx(conversation_id, row.contact_id, conversation.channel, conversation.thread_key, session)
                reply = await self._run(ctx, session, Switch(flow, data=dict(data or {})))
                await self._finish(ctx, session, row, reply)

    def _ctx(self, conversation_id: int, contact_id: int, channel: Channel, sender: str, session: Session) -> Ctx:
        now = datetime.now(UTC)
        return Ctx(conversation_id, contact_id, Channel(channel), sender, session.data, self.config, now)

    async def _take_in(self, turn: Turn, row: DialogState) -> None:
        """One step inside the step's transaction (its pending row, if any, already claimed)."""
        conversation = await Conversation.get(id=turn.conversation_id)
        if conversation.status != ConversationStatus.BOT:
            return  # with a person (or closed): the bot stays quiet
        session = Session.of(row)
        ctx = self._ctx(turn.conversation_id, turn.contact_id, turn.channel, turn.sender, session)
        verdict, count = await flood(turn.channel, turn.conversation_id, row, self.config, ctx.now)
        if verdict == Flood.MUTED:
            return
        if verdict == Flood.WARN:
            await self._mute(ctx, row, count)
            return
        reply = await self._step(turn, ctx, session)
        await self._finish(ctx, session, row, reply)

    async def _finish(self, ctx: Ctx, session: Session, row: Any, reply: Reply | None) -> None:
        if reply is not None:
            session.showing(reply.prompt)
            await self._send(ctx, session, reply)
        ttl = self.flows[session.flow].ttl if session.flow in self.flows else self.flows[HOME].ttl
        await save_state(row, conversation_id=ctx.conversation_id, **session.fields(ctx.now, ttl))

    async def _step(self, turn: Turn, ctx: Ctx, session: Session) -> Reply | None:
        text = clean_input(turn.text)
        if too_long(text, self.config):
            limit = to_persian_digits(f"{self.config.max_input:,}".replace(",", "\u066c"))
            return await self._run(ctx, session, Reask(copy.TOO_LONG.format(limit=limit)))
        command = self._command(text, session)
        if command is not None:
            return await self._run(ctx, session, command)
        answer = Answer(
            text=text,
            photos=(turn.message_id,) if turn.photos else (),
            shared_contact=turn.shared_contact,
            verified_phone=turn.verified_phone,
            message_id=turn.message_id,
        )
        if turn.shared_contact and session.flow != IDENTITY:
            # A contact card shared outside the identity step: link it, then carry on where they were.
            linked = await accept_contact(ctx, answer)
            return await self._run(ctx, session, Reask(copy.LINKED if linked else copy.NOT_OWN_CONTACT))
        if not session.active:
            return await self._fresh(ctx, session, turn, answer)
        if session.expired(ctx.now) and session.flow != HOME:
            return await self._run(ctx, session, Switch(HOME, lead=copy.EXPIRED))
        flow = self.flows.get(session.flow)
        step = flow.steps.get(session.step) if flow is not None else None
        if step is None:  # a flow or step that no longer exists after an upgrade
            return await self._run(ctx, session, Switch(HOME))
        option = choose(
            session.shown_prompt(), text, secret=self.config.secret, scope=session.scope(ctx.conversation_id)
        )
        if turn.is_button and option is None:
            return await self._run(ctx, session, Reask(copy.STALE_BUTTON))
        return await self._run(ctx, session, await step.answer(ctx, replace(answer, option=option)))

    async def _fresh(self, ctx: Ctx, session: Session, turn: Turn, answer: Answer) -> Reply:
        """A message with no flow in progress: a main-menu choice typed straight away, else greet with the menu."""
        home = self.flows[HOME]
        step = home.steps[home.first]
        option = None if turn.is_button else choose(await step.ask(ctx), answer.text)
        if option is None:
            return await self._run(ctx, session, Switch(HOME, lead=copy.GREETING))
        session.enter(HOME)
        session.step, ctx.data = home.first, session.data
        return await self._run(ctx, session, await step.answer(ctx, replace(answer, option=option)))

    def _command(self, text: str, session: Session) -> Result | None:
        """The global words: /start (with a survey deep link), menu, cancel and talk to a person."""
        word = normalize_search(text).split("@", 1)[0] if text.startswith("/") else normalize_search(text)
        if word.startswith("/start"):
            payload = normalize_search(text).partition(" ")[2].strip()
            if match := _DEEP_LINK.match(payload):
                return Switch("survey", data={"survey_id": int(match.group(1))})
            return Switch(HOME, lead=copy.GREETING)
        if is_menu_request(word, zero=not session.zero_is_answer):
            return Switch(HOME)
        if word in CANCEL_WORDS:
            return Switch(HOME, lead=copy.CANCELLED if session.active and session.flow != HOME else "")
        if word in AGENT_WORDS:
            return Handover()
        return None

    async def _run(self, ctx: Ctx, session: Session, result: Result) -> Reply:
        """Apply a step's result: move, re-ask, finish, switch flows or hand over; returns what to say."""
        leads: list[str] = []
        for _ in range(MAX_SWITCHES):
            if isinstance(result, Switch):
                leads.append(result.lead)
                target = self.flows[result.flow]
                if target.needs_identity and not await is_identified(ctx):
                    session.enter(IDENTITY, {"after": target.name, "after_data": dict(result.data)})
                else:
                    session.enter(target.name, dict(result.data))
                ctx.data = session.data
                result = await self.flows[session.flow].begin(ctx)
                continue
            if isinstance(result, Done):
                leads.append(result.text)
                session.enter(HOME, {"again": True})
                ctx.data = session.data
                session.step = self.flows[HOME].first
                menu = await self.flows[HOME].steps[session.step].ask(ctx)
                sms = fit_sms(self._joined(leads), f"\n{copy.BACK_HINT_SMS}")
                return Reply(self._compose(leads, menu), sms_text=sms)
            if isinstance(result, Handover):
                leads.append(await hand_over(ctx))
                session.clear()
                return Reply(Prompt(self._joined(leads), offer_menu=False))
            if isinstance(result, Goto):
                leads.append(result.lead)
                session.step = result.step
            else:
                leads.append(result.hint)
            if not session.active:  # a re-ask with no flow in progress: show the menu
                return await self._run(ctx, session, Switch(HOME, lead=self._joined(leads)))
            prompt = await self.flows[session.flow].steps[session.step].ask(ctx)
            return Reply(self._compose(leads, prompt))
        raise RuntimeError(f"flows switched more than {MAX_SWITCHES} times in one step")

    @staticmethod
    def _joined(leads: list[str]) -> str:
        return "\n\n".join(p for p in leads if p)

    def _compose(self, leads: list[str], prompt: Prompt) -> Prompt:
        return replace(prompt, text=self._joined([*leads, prompt.text]))

    async def _send(self, ctx: Ctx, session: Session, reply: Reply) -> None:
        if ctx.sms:
            await queue_bot_reply(ctx.conversation_id, reply.sms_text or render_sms(reply.prompt))
            return
        keyboard = render_keyboard(reply.prompt, secret=self.config.secret, scope=session.scope(ctx.conversation_id))
        await queue_bot_reply(ctx.conversation_id, reply.prompt.text, keyboard=keyboard)

    async def _mute(self, ctx: Ctx, row: Any, count: int) -> None:
        until = ctx.now + self.config.sms_silence
        minutes = to_persian_digits(int(self.config.sms_flood_window.total_seconds() // 60))
        note = copy.FLOOD_NOTE.format(minutes=minutes, count=to_persian_digits(count), until=format_time(until))
        await mute_sender(row, until, ctx.conversation_id, label=copy.FLOOD_LABEL, note=note)
        await queue_bot_reply(ctx.conversation_id, copy.FLOOD_WARNING)

    async def _apologize(self, conversation_id: int) -> None:
        try:
            conversation = await Conversation.get_or_none(id=conversation_id)
            if conversation is not None and conversation.status == ConversationStatus.BOT:
                await queue_bot_reply(conversation_id, copy.ERROR)
        except Exception:
            log.exception("could not tell conversation %s that the bot failed", conversation_id)


def _owed_turn(owed: PendingStep) -> Turn | None:
    """The turn kept on an owed row; None (and logged) when it cannot be read, so the row is dropped."""
    try:
        return Turn.from_json(owed.turn, owed.attempts)
    except (KeyError, TypeError, ValueError):
        log.error("pending bot step of message %s is unreadable; dropped", owed.message_id)
        return None


@lru_cache(maxsize=16)
def engine_for(settings: Settings) -> Engine:
    """The engine of a configured service (one per settings; its locks are process-wide anyway)."""
    return Engine(config_from(settings))
