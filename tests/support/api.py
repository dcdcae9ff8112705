"""The web app served in-process on a loopback port, and API clients that call it as a staff user.

Import the `api` fixture into a test module (`from tests.support.api import api`) to get an
`ApiServer` on an emptied, migrated database; `await api.client_for("maryam")` makes a user
with a token and returns a client that sends `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from jsonschema import Draft202012Validator

from admin.app import create_app
from core.actions.staff import create_user, issue_token
from core.config import Settings
from core.inbound import InboundAttachment, InboundMessage
from core.models import Channel, Conversation, IdentityKind, Role, Team, User
from core.models.enums import AccessScope

NO_TOKEN = ""


@dataclass
class ApiResponse:
    """Status, parsed JSON body (None when not JSON) and headers of one answer."""

    status: int
    body: Any
    headers: Mapping[str, str]
    text: str

    def __repr__(self) -> str:
        return f"<{self.status} {self.text[:300]}>"


class OpenApiContract:
    """Checks every /api/v1 answer against the served OpenAPI document, with jsonschema (not the app's own checker)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.templates = [
            (re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$"), path)
            for path in document["paths"]
        ]

    def _schema(self, response: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in response:
            response = self.document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
        return response["content"]["application/json"]["schema"]

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        """AssertionError unless `body` is what the document promises for this route and status."""
        if not path.startswith("/api/"):
            return
        assert body is not None, f"{method} {path} -> {status} answered no JSON"
        operation = next(
            (self.document["paths"][t].get(method.lower()) for rx, t in self.templates if rx.match(path)), None
        )
        responses = (operation or {}).get("responses", {})
        if str(status) in responses:
            schema = self._schema(responses[str(status)])
        else:
            assert status >= 400, f"{method} {path} -> {status} is not documented"
            schema = {"$ref": "#/components/schemas/Error"}
        validator = Draft202012Validator(
            {**schema, "components": self.document["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        errors = sorted(validator.iter_errors(body), key=str)
        assert not errors, f"{method} {path} -> {status} breaks its documented schema: {errors[0].message}"


class ApiClient:
    """Calls the API with one bearer token (or none, or a raw Authorization header)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        token: str = NO_TOKEN,
        contract: OpenApiContract | None = None,
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.token = token
        self.contract = contract

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        """One request; `path` is relative to the server root (e.g. /api/v1/contacts)."""
        sent = dict(headers or {})
        if self.token and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {self.token}"
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode()
            sent.setdefault("Content-Type", "application/json")
        async with self.session.request(method, self.base_url + path, data=data, params=params, headers=sent) as r:
            text = await r.text()
            try:
                body = json.loads(text) if text else None
            except ValueError:
                body = None
        if self.contract is not None:
            self.contract.check(method, path.split("?")[0], r.status, body)
        return ApiResponse(r.status, body, dict(r.headers), text)

    async def get(self, path: str, **params: str) -> ApiResponse:
        return await self.request("GET", path, params=params or None)

    async def post(self, path: str, body: Any = None, **kw: Any) -> ApiResponse:
        return await self.request("POST", path, json_body=body, **kw)


class ApiServer:
    """The whole web app (create_app) on 127.0.0.1 with a free port."""

    def __init__(self, server: TestServer, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session
        self.app = server.app
        self.contract: OpenApiContract | None = None

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def client(self, token: str = NO_TOKEN) -> ApiClient:
        return ApiClient(self.session, self.url, token, self.contract)

    async def client_for(
        self,
        username: str,
        *,
        role: Role = Role.AGENT,
        team: Team | None = None,
        scope: AccessScope = AccessScope.TEAM,
    ) -> ApiClient:
        """A new staff user with a fresh token, and a client using it."""
        _, token = await staff(username, role=role, team=team, scope=scope)
        return self.client(token)


async def staff(
    username: str, *, role: Role = Role.AGENT, team: Team | None = None, scope: AccessScope = AccessScope.TEAM
) -> tuple[User, str]:
    """A staff user with scope `scope` and a new API token for them."""
    user = await create_user(username, "a-long-password", role=role, full_name=username, team=team)
    if user.scope != scope:
        await User.filter(id=user.id).update(scope=scope)
        user = await User.get(id=user.id)
    return user, await issue_token(user, name="test")


async def start_api_server(database_url: str, data_dir: Path) -> tuple[ApiServer, TestServer]:
    """Serve create_app() on a loopback port; the ORM must already be initialised."""
    app = create_app(Settings(database_url=database_url, data_dir=data_dir, secret_key="t" * 32))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    session = aiohttp.ClientSession()
    served = ApiServer(server, session)
    document = (await served.client().get("/api/v1/openapi.json")).body
    served.contract = OpenApiContract(document)
    return served, server


@pytest.fixture
async def api(db: str, tmp_path: Path) -> AsyncIterator[ApiServer]:
    """The web app on a loopback port over an emptied database."""
    served, server = await start_api_server(db, tmp_path / "data")
    try:
        yield served
    finally:
        await served.session.close()
        await server.close()


async def telegram_message(
    user_id: int,
    text: str,
    *,
    name: str = "",
    message_id: int = 1,
    channel: Channel = Channel.TELEGRAM,
    files: tuple[InboundAttachment, ...] = (),
    data_dir: Path | None = None,
) -> Conversation:
    """Ingest an inbound Telegram (or Bale) message from `user_id`; returns its conversation."""
    from core.actions.inbox import ingest_message

    kind = IdentityKind.TELEGRAM if channel == Channel.TELEGRAM else IdentityKind.BALE
    result = await ingest_message(
        InboundMessage(
            channel=channel,
            external_id=f"{user_id}:{message_id}",
            identity_kind=kind,
            identity_value=str(user_id),
            sender_name=name,
            text=text,
            thread_key=str(user_id),
            attachments=files,
        ),
        data_dir=data_dir,
    )
    return result.conversation
