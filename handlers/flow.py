"""How a flow is written: steps that ask (a Prompt) and take an answer (a Result), channel-agnostic.

A flow is a set of named steps. `ask(ctx)` builds the step's prompt; `answer(ctx, answer)` checks
the customer's answer and says what happens next: go to a step, ask again with a hint, finish with
a message, switch to another flow, or hand the conversation to a person. Anything a flow needs to
remember goes into `ctx.data` (JSON), which the engine keeps in the database between messages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from core.jalali import local_date
from core.models import Channel
from handlers.config import BotConfig
from handlers.prompts import Option, Prompt

DEFAULT_TTL = timedelta(minutes=30)


@dataclass
class Ctx:
    """What a step sees: who is talking on which channel, the flow's data, and the time."""

    conversation_id: int
    contact_id: int
    channel: Channel
    sender: str
    data: dict[str, Any]
    config: BotConfig
    now: datetime

    @property
    def today(self) -> date:
        """The business day (Tehran) the customer is in."""
        return local_date(self.now, self.config.timezone)

    @property
    def sms(self) -> bool:
        """True on SMS: numbered menus, no buttons, no photos."""
        return self.channel == Channel.SMS


@dataclass(frozen=True)
class Answer:
    """The customer's message as a step sees it."""

    text: str
    option: Option | None = None
    photos: tuple[int, ...] = ()
    shared_contact: bool = False
    verified_phone: str | None = None
    message_id: int = 0


@dataclass(frozen=True)
class Goto:
    """Move to `step` and ask it; `lead` is said first, in the same message."""

    step: str
    lead: str = ""


@dataclass(frozen=True)
class Reask:
    """Stay on this step: say `hint`, then ask it again."""

    hint: str


@dataclass(frozen=True)
class Done:
    """The flow is finished: say `text`, then offer the main menu."""

    text: str


@dataclass(frozen=True)
class Switch:
    """Start flow `flow` with `data` (identity is asked first when it needs it)."""

    flow: str
    lead: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Handover:
    """Hand the conversation to a person; the bot stays quiet until it is handed back."""


Result = Goto | Reask | Done | Switch | Handover
Ask = Callable[[Ctx], Awaitable[Prompt]]
Take = Callable[[Ctx, Answer], Awaitable[Result]]
Start = Callable[[Ctx], Awaitable[Result]]


@dataclass(frozen=True)
class Step:
    """One question of a flow."""

    ask: Ask
    answer: Take


@dataclass(frozen=True)
class Flow:
    """A named set of steps; `start` (optional) decides where it begins, else at `first`."""

    name: str
    steps: Mapping[str, Step]
    first: str
    start: Start | None = None
    needs_identity: bool = False
    ttl: timedelta = DEFAULT_TTL

    async def begin(self, ctx: Ctx) -> Result:
        """The first result of the flow: its `start`, or its first step."""
        return await self.start(ctx) if self.start is not None else Goto(self.first)
