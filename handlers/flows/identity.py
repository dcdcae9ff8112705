"""Who the customer is (BOT-2): on Telegram and Bale a shared contact of their own; on SMS the sender's number.

A record flow (service request, orders, imports, cases) starts here when the messenger account has
not proved a phone yet; once it has, the flow it was waiting for continues. A contact shared at any
other moment is taken the same way by the engine (`accept_contact`).
"""

from __future__ import annotations

from core.actions.dialog import link_verified_phone
from core.models import ContactIdentity
from handlers import copy
from handlers.flow import Answer, Ctx, Flow, Reask, Result, Step, Switch
from handlers.flows.menu import HOME
from handlers.prompts import Prompt
from handlers.turn import BOT_IDENTITY

NAME = "identity"


async def is_identified(ctx: Ctx) -> bool:
    """True when the sender may see the contact's records: an SMS number, or a messenger id that proved a phone."""
    if ctx.sms:
        return True
    kind = BOT_IDENTITY[ctx.channel]
    return await ContactIdentity.exists(contact_id=ctx.contact_id, kind=kind, value=ctx.sender, verified=True)


async def accept_contact(ctx: Ctx, answer: Answer) -> bool:
    """Link the sender to the contact of a shared phone; False when the card is not the sender's own."""
    if not answer.verified_phone:
        # Someone else's contact card proves nothing about the sender (BOT-2).
        return False
    kind = BOT_IDENTITY[ctx.channel]
    contact = await link_verified_phone(
        ctx.contact_id,
        kind,
        ctx.sender,
        answer.verified_phone,
        channel=ctx.channel,
        conversation_id=ctx.conversation_id,
    )
    ctx.contact_id = contact.id
    return True


async def _ask(ctx: Ctx) -> Prompt:
    return Prompt(copy.ASK_CONTACT, ask_contact=True)


async def _answer(ctx: Ctx, answer: Answer) -> Result:
    if not answer.shared_contact:
        return Reask(copy.USE_CONTACT_BUTTON)
    if not await accept_contact(ctx, answer):
        return Reask(copy.NOT_OWN_CONTACT)
    after = str(ctx.data.get("after") or HOME)
    data = ctx.data.get("after_data")
    return Switch(after, lead=copy.LINKED, data=data if isinstance(data, dict) else {})


FLOW = Flow(NAME, {"share": Step(_ask, _answer)}, first="share")
