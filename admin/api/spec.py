"""The route table: each endpoint declares its parameters, body and response schemas once.

The same declarations validate every request (`Endpoint.handle`) and generate the OpenAPI document
(admin/api/openapi.py), so the document cannot drift from what the routes accept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from admin.api.auth import USER_KEY
from admin.api.errors import ApiError, json_response
from admin.api.schema import Schema, check
from core.areas import Area, require
from core.errors import Forbidden, ValidationError
from core.models import User
from core.text import to_ascii_digits

PREFIX = "/api/v1"
JSON = "application/json"
MAX_BODY = 256 * 1024
MAX_DB_INT = 2**31 - 1
# ASCII digits only after to_ascii_digits (str.isdigit also accepts ² and other scripts int() refuses).
INTEGER = re.compile(r"-?[0-9]{1,18}")


@dataclass(frozen=True)
class Param:
    """A query or path parameter; integers accept any digit set (۱۲ = 12)."""

    name: str
    schema: Schema
    description: str = ""
    where: str = "query"
    required: bool = False


def path_id(name: str = "id", what: str = "record") -> Param:
    """The `{id}` path parameter of a record."""
    return Param(name, {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT}, f"{what} id", "path", True)


@dataclass
class ApiCall:
    """What a handler gets: the caller and its validated input."""

    request: web.Request
    user: User
    path: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any]


Handler = Callable[[ApiCall], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    """One API route and everything it accepts and returns."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    response: Schema
    status: int = 200
    params: tuple[Param, ...] = ()
    body: Schema | None = None
    body_required: bool = True
    # Another media type (multipart/form-data) is documented with `body` but read by the handler itself.
    body_media: str = JSON
    public: bool = False
    errors: tuple[int, ...] = ()
    # Further success statuses with the same response schema (e.g. 200 for a repeated upload).
    also: tuple[int, ...] = ()
    # The business area (core/areas.py) the route reads or writes; every non-public route names one.
    area: Area | None = None
    # Whether the route changes records of its area; by default every method but GET does.
    writes: bool | None = None

    @property
    def full_path(self) -> str:
        return PREFIX + self.path

    @property
    def is_write(self) -> bool:
        return self.writes if self.writes is not None else self.method.upper() != "GET"

    def check_area(self, user: User | None) -> None:
        """Forbidden unless the caller's role may read (or write) the route's area; before any input is read."""
        if self.public:
            return
        if self.area is None:
            raise Forbidden(f"{self.method} {self.full_path} declares no access area (core/areas.py)")
        require(user, self.area, write=self.is_write)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Check the caller's area access, validate the request against the declarations, run the handler."""
        self.check_area(request.get(USER_KEY))
        call = ApiCall(
            request=request,
            user=request.get(USER_KEY),  # type: ignore[arg-type]
            path=_params(self.params, "path", request.match_info),
            query=_query(self.params, request),
            body=await _body(self, request) if self.body is not None and self.body_media == JSON else {},
        )
        result = await self.handler(call)
        if isinstance(result, web.StreamResponse):
            return result
        return json_response(result, status=self.status)


def _coerce(param: Param, raw: str) -> Any:
    kind = param.schema.get("type")
    if kind == "integer":
        text = to_ascii_digits(raw.strip())
        if not INTEGER.fullmatch(text):
            raise ValidationError(f"{param.where} parameter {param.name}: expected an integer, got {raw[:40]!r}")
        return int(text)
    if kind == "boolean":
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise ValidationError(f"query parameter {param.name}: expected true or false")
    return raw


def _params(params: tuple[Param, ...], where: str, source: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in params:
        if p.where != where:
            continue
        if p.name not in source or source[p.name] == "":
            if p.required:
                raise ValidationError(f"{where} parameter {p.name}: is required")
            if "default" in p.schema:
                out[p.name] = p.schema["default"]
            continue
        value = _coerce(p, source[p.name])
        check(value, p.schema, f"{where} parameter {p.name}")
        out[p.name] = value
    return out


def _query(params: tuple[Param, ...], request: web.Request) -> dict[str, Any]:
    allowed = {p.name for p in params if p.where == "query"}
    for name in request.query:
        if name not in allowed:
            raise ValidationError(f"unknown query parameter {name!r} (allowed: {', '.join(sorted(allowed)) or 'none'})")
        if len(request.query.getall(name)) > 1:
            raise ValidationError(f"query parameter {name}: given more than once")
    return _params(params, "query", request.query)


async def _read_limited(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, f"request body is larger than {MAX_BODY // 1024} KiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiError(413, f"request body is larger than {MAX_BODY // 1024} KiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


async def _body(endpoint: Endpoint, request: web.Request) -> dict[str, Any]:
    raw = await _read_limited(request)
    if not raw.strip():
        if endpoint.body_required:
            raise ValidationError("request body is required: a JSON object")
        return {}
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise ValidationError("request body is not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise ValidationError(f"request body is not valid JSON: {str(exc)[:120]}") from None
    assert endpoint.body is not None
    check(data, endpoint.body, "body")
    return data


@dataclass
class EndpointTable:
    """Endpoints collected by the `@api.get(...)`/`@api.post(...)` decorators of the resource modules."""

    endpoints: list[Endpoint] = field(default_factory=list)

    def route(self, method: str, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        """Declare `fn` as the handler of METHOD /api/v1`path`; `spec` fills the other Endpoint fields."""

        def add(fn: Handler) -> Handler:
            self.endpoints.append(Endpoint(method=method, path=path, handler=fn, **spec))
            return fn

        return add

    def get(self, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        """Declare a GET endpoint."""
        return self.route("GET", path, **spec)

    def post(self, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        """Declare a POST endpoint."""
        return self.route("POST", path, **spec)


api = EndpointTable()
