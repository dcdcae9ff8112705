"""A PBX call event as the core sees it (the CTI webhook's fields, already validated)."""

from __future__ import annotations

from dataclasses import dataclass

from core.models.enums import CallDirection

NEW_CALL, ANSWER, HANGUP = "newCall", "answer", "hangup"
EVENTS = (NEW_CALL, ANSWER, HANGUP)
CAUSES = ("normalClearing", "busy", "cancel", "noAnswer", "congestion", "notFound", "forwarded")
# A call that ends with one of these never reached a person: it needs a call-back.
MISSED_CAUSES = frozenset({"busy", "cancel", "noAnswer"})


@dataclass(frozen=True)
class CtiEvent:
    """One PBX call event; `number` is the customer's side (from for inbound, to for outbound)."""

    event: str
    call_id: str
    direction: CallDirection
    from_number: str = ""
    to_number: str = ""
    users: tuple[str, ...] = ()
    answering_number: str = ""
    cause: str = ""
    queue: str = ""

    @property
    def number(self) -> str:
        """The customer's number: the caller of an inbound call, the callee of an outbound one."""
        return self.from_number if self.direction == CallDirection.IN else self.to_number

    @property
    def missed_cause(self) -> bool:
        """True when the hangup cause says nobody picked up (busy, cancel, noAnswer)."""
        return self.cause in MISSED_CAUSES
