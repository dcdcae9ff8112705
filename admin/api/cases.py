"""Cases (service requests, complaints, installations): read and list."""

from __future__ import annotations

from typing import Any

from admin.api import serializers as out
from admin.api.pagination import PAGING, page, page_schema, paging
from admin.api.schemas import enum, ref
from admin.api.spec import MAX_DB_INT, ApiCall, Param, api, path_id
from core.access import case_q, get_case_for
from core.areas import Area
from core.models import Case
from core.models.enums import CaseStatus, CaseType

FILTERS = (
    Param("status", enum(CaseStatus), "only cases in this status"),
    Param("type", enum(CaseType), "only cases of this type"),
    Param("contact", {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT}, "only cases of this contact"),
)


@api.get(
    "/cases",
    summary="List cases",
    tag="cases",
    area=Area.CASES,
    params=(*FILTERS, *PAGING),
    response=page_schema(ref("Case")),
)
async def list_cases(call: ApiCall) -> dict[str, Any]:
    """Cases you may see, newest first."""
    limit, offset = paging(call)
    query = Case.filter(case_q(call.user))
    if "status" in call.query:
        query = query.filter(status=call.query["status"])
    if "type" in call.query:
        query = query.filter(type=call.query["type"])
    if "contact" in call.query:
        query = query.filter(contact_id=call.query["contact"])
    total = await query.count()
    rows = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    return page([out.case(c) for c in rows], total, limit, offset)


@api.get(
    "/cases/{id}",
    summary="A case",
    tag="cases",
    area=Area.CASES,
    params=(path_id(what="case"),),
    response=ref("Case"),
    errors=(403,),
)
async def get_case(call: ApiCall) -> dict[str, Any]:
    """One case with its due times (403 when it belongs to a team you cannot see)."""
    return out.case(await get_case_for(call.user, call.path["id"]))
