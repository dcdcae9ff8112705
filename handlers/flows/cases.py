"""My cases (BOT-7): open cases and their state; a resolved one asks "Was it fixed?" — yes closes, no reopens."""

from __future__ import annotations

from core.actions.dialog import confirm_resolution, reject_resolution
from core.models import Case, CaseStatus
from core.queries.customer import cases_of
from handlers import copy
from handlers.flow import Answer, Ctx, Done, Flow, Goto, Reask, Result, Step
from handlers.flows.service_request import device_label
from handlers.prompts import Option, Prompt
from handlers.show import clip, day, fa

NAME = "cases"
MAX_CASES = 8
MAX_CASES_SMS = 5
MIN_REASON = 3


def status_name(status: CaseStatus) -> str:
    """«در حال رسیدگی» for open."""
    return copy.CASE_STATUS[CaseStatus(status).value]


async def _case(ctx: Ctx) -> Case | None:
    case_id = ctx.data.get("case_id")
    if not isinstance(case_id, int):
        return None
    return await Case.filter(id=case_id, contact_id=ctx.contact_id).select_related("device__product").first()


async def _start(ctx: Ctx) -> Result:
    return Goto("pick") if await cases_of(ctx.contact_id) else Done(copy.NO_CASES)


async def _ask_pick(ctx: Ctx) -> Prompt:
    cases = (await cases_of(ctx.contact_id))[: MAX_CASES_SMS if ctx.sms else MAX_CASES]
    labels = (copy.CASE_LABEL.format(number=fa(c.number), status=status_name(c.status)) for c in cases)
    options = tuple(Option(f"c{c.id}", label) for c, label in zip(cases, labels, strict=True))
    return Prompt(copy.PICK_CASE, options=options)


def _detail(case: Case, ctx: Ctx) -> str:
    opened = day(case.created_at, ctx.config.timezone)
    lines = [copy.CASE_DETAIL.format(number=fa(case.number), status=status_name(case.status), date=opened)]
    if case.device is not None:
        lines.append(copy.CASE_DETAIL_DEVICE.format(device=device_label(case.device)))
    return "\n".join(lines)


async def _take_pick(ctx: Ctx, answer: Answer) -> Result:
    if answer.option is None or not answer.option.key[1:].isdigit():
        return Reask(copy.CHOOSE_SMS if ctx.sms else copy.CHOOSE_BUTTONS)
    ctx.data["case_id"] = int(answer.option.key[1:])
    case = await _case(ctx)
    if case is None:
        return Reask(copy.CHOOSE_SMS if ctx.sms else copy.CHOOSE_BUTTONS)
    if case.status == CaseStatus.RESOLVED:
        return Goto("fixed", lead=_detail(case, ctx))
    return Done(_detail(case, ctx))


async def _ask_fixed(ctx: Ctx) -> Prompt:
    return Prompt(copy.ASK_FIXED, options=(Option("yes", copy.FIXED_YES), Option("no", copy.FIXED_NO)))


async def _take_fixed(ctx: Ctx, answer: Answer) -> Result:
    case = await _case(ctx)
    if case is None or case.status != CaseStatus.RESOLVED:
        return Done(_detail(case, ctx)) if case else Done(copy.NO_CASES)
    if answer.option is None:
        return Reask(copy.CHOOSE_SMS if ctx.sms else copy.CHOOSE_BUTTONS)
    if answer.option.key == "yes":
        await confirm_resolution(case.id, ctx.contact_id, note=copy.CLOSE_NOTE)
        return Done(copy.CASE_CLOSED.format(number=fa(case.number)))
    return Goto("reason")


async def _ask_reason(ctx: Ctx) -> Prompt:
    return Prompt(copy.ASK_REASON, free_text=True)


async def _take_reason(ctx: Ctx, answer: Answer) -> Result:
    case = await _case(ctx)
    if case is None or case.status != CaseStatus.RESOLVED:
        return Done(_detail(case, ctx)) if case else Done(copy.NO_CASES)
    if len(answer.text) < MIN_REASON:
        return Reask(copy.REASON_TOO_SHORT)
    note = copy.REOPEN_NOTE.format(number=case.number, reason=clip(answer.text, 500))
    await reject_resolution(case.id, ctx.contact_id, ctx.conversation_id, reason=answer.text, note=note)
    return Done(copy.CASE_REOPENED.format(number=fa(case.number)))


FLOW = Flow(
    NAME,
    {
        "pick": Step(_ask_pick, _take_pick),
        "fixed": Step(_ask_fixed, _take_fixed),
        "reason": Step(_ask_reason, _take_reason),
    },
    first="pick",
    start=_start,
    needs_identity=True,
)
