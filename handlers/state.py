"""A customer's place in the dialog, read from and written back to their DialogState row.

Besides the flow's own data the row keeps what the last prompt offered, so an answer («۲», a
label, a button) is read against exactly what the customer saw, and a prompt counter that makes
buttons of older prompts stop verifying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.models import DialogState
from handlers.prompts import Option, Prompt


@dataclass
class Session:
    """The flow and step a customer is in, its data, and the options of the last prompt."""

    flow: str = ""
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    expires_at: datetime | None = None
    shown: list[tuple[str, str]] = field(default_factory=list)
    numbered: bool = True
    zero_is_answer: bool = False

    @classmethod
    def of(cls, row: DialogState) -> Session:
        """The session stored in a state row (an empty one when the row is new or unreadable)."""
        stored: dict[str, Any] = row.data if isinstance(row.data, dict) else {}
        prompt: dict[str, Any] = stored["prompt"] if isinstance(stored.get("prompt"), dict) else {}
        options = [(str(k), str(v)) for k, v in prompt.get("options", []) if isinstance(k, str)]
        return cls(
            flow=row.flow,
            step=row.step,
            data=dict(stored.get("flow") or {}),
            seq=row.seq,
            expires_at=row.expires_at,
            shown=options,
            numbered=bool(prompt.get("numbered", True)),
            zero_is_answer=bool(prompt.get("zero_is_answer", False)),
        )

    @property
    def active(self) -> bool:
        """True while the customer is somewhere in a flow."""
        return bool(self.flow and self.step)

    def expired(self, now: datetime) -> bool:
        """True when the customer paused longer than the flow allows."""
        return self.expires_at is not None and now >= self.expires_at

    def enter(self, flow: str, data: dict[str, Any] | None = None) -> None:
        """Start `flow` afresh (its step is set by the engine)."""
        self.flow, self.step, self.data = flow, "", dict(data or {})

    def clear(self) -> None:
        """Leave every flow."""
        self.flow, self.step, self.data, self.shown = "", "", {}, []

    def scope(self, conversation_id: int) -> str:
        """What a button of the current prompt is signed for: this conversation and this prompt."""
        return f"{conversation_id}:{self.seq}"

    def shown_prompt(self) -> Prompt:
        """The options the customer was last offered, to read their answer against."""
        options = tuple(Option(k, v) for k, v in self.shown)
        return Prompt("", options=options, numbered=self.numbered, zero_is_answer=self.zero_is_answer)

    def showing(self, prompt: Prompt) -> None:
        """Remember a prompt about to be sent (a new one: older buttons stop verifying)."""
        self.seq += 1
        self.shown = [(o.key, o.label) for o in prompt.options]
        self.numbered, self.zero_is_answer = prompt.numbered, prompt.zero_is_answer

    def fields(self, now: datetime, ttl: timedelta) -> dict[str, Any]:
        """The state row's new values, expiring `ttl` from now."""
        prompt = {"options": self.shown, "numbered": self.numbered, "zero_is_answer": self.zero_is_answer}
        return {
            "flow": self.flow,
            "step": self.step,
            "data": {"flow": self.data, "prompt": prompt},
            "seq": self.seq,
            "expires_at": now + ttl if self.active else None,
        }
