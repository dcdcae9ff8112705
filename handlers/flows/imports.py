"""My imports (BOT-5, PRC-7): for orders supplied by an import purchase order, its stage, since when, and the ETA."""

from __future__ import annotations

from core.queries.customer import imports_of
from handlers import copy
from handlers.flow import Ctx, Done, Flow, Result
from handlers.show import day, fa

NAME = "imports"
MAX_IMPORTS = 8
MAX_IMPORTS_SMS = 3


async def _start(ctx: Ctx) -> Result:
    rows = (await imports_of(ctx.contact_id))[: MAX_IMPORTS_SMS if ctx.sms else MAX_IMPORTS]
    if not rows:
        return Done(copy.NO_IMPORTS)
    lines = [copy.IMPORTS_HEAD]
    for row in rows:
        eta = day(row.expected_arrival) if row.expected_arrival else copy.ETA_UNKNOWN
        since = day(row.entered_at, ctx.config.timezone)
        lines.append(copy.IMPORT_LINE.format(order=fa(row.order_number), stage=row.stage_name, since=since, eta=eta))
    return Done("\n\n".join(lines))


FLOW = Flow(NAME, {}, first="", start=_start, needs_identity=True)
