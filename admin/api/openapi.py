"""The OpenAPI 3.1 document, generated from the route table (admin/api/spec.py) the handlers validate with."""

from __future__ import annotations

from typing import Any

from admin.api.schemas import COMPONENTS, ref
from admin.api.spec import JSON, Endpoint
from core.areas import readers, writers

ERRORS = {
    400: "Malformed JSON, a wrong type or an out-of-range value; `reason` names the field",
    401: "Missing, unknown or revoked bearer token",
    403: "Your role may not use this area, or the record belongs to a team you cannot see",
    404: "No such record",
    409: "Conflicts with the record's current state (e.g. a survey the recipient already completed)",
    413: "Request body too large",
    500: "Internal error (logged on the server; no details here)",
}
DESCRIPTION = (
    "Peyk's integration API (PLT-9). Every route except this document needs "
    "`Authorization: Bearer <token>`; get a token with `python run.py token USERNAME`. "
    "Lists take `limit` (1-200, default 50) and `offset` and answer "
    '`{"items", "total", "limit", "offset"}`. Errors are always `{"error": code, "reason": text}`. '
    "Times are ISO 8601 in UTC; text may not contain NUL characters. Search (`q`) ignores "
    "Arabic/Persian letter variants, ZWNJ, diacritics and digit sets, and matches phone numbers "
    "in any common Iranian form."
)


def _param(p: Any) -> dict[str, Any]:
    out = {"name": p.name, "in": p.where, "required": p.required, "schema": dict(p.schema)}
    if p.description:
        out["description"] = p.description
    return out


def _names_records(schema: Any) -> bool:
    """True when a body schema has a field naming other records (`owner_id`, `order_ids`), which may not exist."""
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema:
        schema = COMPONENTS.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
    fields = schema.get("properties") or {}
    return any(name.endswith(("_id", "_ids")) for name in fields) or any(map(_names_records, fields.values()))


def _error_codes(ep: Endpoint) -> list[int]:
    codes = set(ep.errors) | {500}
    # A POST reads a body even where the route documents none (multipart uploads): it can be malformed.
    if ep.params or ep.body is not None or ep.method.upper() != "GET":
        codes.add(400)
    if _names_records(ep.body):
        codes.add(404)
    if not ep.public:
        codes |= {401, 403}
    if any(p.where == "path" for p in ep.params):
        codes.add(404)
    if ep.body is not None:
        codes.add(413)
    return sorted(codes)


def operation(ep: Endpoint) -> dict[str, Any]:
    """The OpenAPI operation object of one endpoint."""
    op: dict[str, Any] = {
        "operationId": ep.handler.__name__.strip("_"),
        "summary": ep.summary,
        "tags": [ep.tag],
        "parameters": [_param(p) for p in ep.params],
        "responses": {
            **{
                str(code): {"description": "Success", "content": {JSON: {"schema": dict(ep.response)}}}
                for code in sorted({ep.status, *ep.also})
            },
            **{str(code): {"$ref": f"#/components/responses/E{code}"} for code in _error_codes(ep)},
        },
    }
    if ep.handler.__doc__:
        op["description"] = ep.handler.__doc__.strip()
    if ep.body is not None:
        op["requestBody"] = {
            "required": ep.body_required,
            "content": {ep.body_media: {"schema": dict(ep.body)}},
        }
    if ep.public:
        op["security"] = []
    if ep.area is not None:
        roles = sorted(writers(ep.area) if ep.is_write else readers(ep.area))
        op["x-peyk-area"] = {"area": ep.area.value, "access": "write" if ep.is_write else "read", "roles": roles}
    return op


def document(endpoints: list[Endpoint]) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.full_path, {})[ep.method.lower()] = operation(ep)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Peyk API", "version": "1.0.0", "description": DESCRIPTION},
        "security": [{"bearerAuth": []}],
        "tags": sorted(({"name": t} for t in {ep.tag for ep in endpoints}), key=lambda t: t["name"]),
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "`python run.py token USER`"}
            },
            "schemas": COMPONENTS,
            "responses": {
                f"E{code}": {"description": text, "content": {JSON: {"schema": ref("Error")}}}
                for code, text in ERRORS.items()
            },
        },
    }
