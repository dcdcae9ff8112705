"""Bad input to the API always answers JSON `{"error", "reason"}` with the right status, never a 500."""

from __future__ import annotations

import logging

import pytest

from core.actions.contacts import create_contact
from tests.support.api import ApiClient, ApiServer, api

__all__ = ["api"]


@pytest.fixture
async def agent(api: ApiServer) -> ApiClient:
    return await api.client_for("maryam")


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"direction": "in", "number": "0912"',
        b"[1, 2, 3]",
        b'"just a string"',
        b'{"direction": "in", "number": NaN}',
        b'{"direction": "in", "number": "09121234567", "duration_seconds": Infinity}',
        b"\xff\xfe\x00garbage",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["truncated", "unclosed", "array", "string", "nan", "infinity", "not-utf8", "deeply-nested"],
)
async def test_a_malformed_json_body_is_refused_with_400_and_a_reason(agent: ApiClient, raw: bytes) -> None:
    response = await agent.request("POST", "/api/v1/calls", data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400, response
    assert response.body["error"] == "bad_request"
    assert response.body["reason"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"number": "09121234567"}, "body.direction: is required"),
        ({"direction": "sideways", "number": "09121234567"}, "body.direction: must be one of in, out"),
        ({"direction": "in", "number": 9121234567}, "body.number: expected string, got integer"),
        ({"direction": "in", "number": "09121234567", "duration_seconds": "60"}, "expected integer, got string"),
        ({"direction": "in", "number": "09121234567", "duration_seconds": True}, "expected integer, got boolean"),
        ({"direction": "in", "number": "09121234567", "duration_seconds": 10**30}, "must be at most 86400"),
        ({"direction": "in", "number": "09121234567", "duration_seconds": 1e400}, "expected integer"),
        ({"direction": "in", "number": "09121234567", "duration_seconds": -5}, "must be at least 0"),
        ({"direction": "in", "number": "09121234567", "started_at": "yesterday"}, "body.started_at: must be an ISO"),
        ({"direction": "in", "number": "09121234567", "started_at": "2026-03-01T09:30:00"}, "needs a UTC offset"),
        ({"direction": "in", "number": "09121234567", "colour": "blue"}, "unknown field 'colour'"),
        ({"direction": "in", "number": "x" * 41}, "body.number: must have at most 40 characters"),
        ({"direction": "in", "number": "09121234567", "notes": "a\x00b"}, "body.notes: must not contain NUL"),
    ],
)
async def test_a_body_with_a_wrong_field_names_the_field(agent: ApiClient, body: dict, reason: str) -> None:
    if body.get("duration_seconds") == 1e400:
        raw = b'{"direction": "in", "number": "09121234567", "duration_seconds": 1e400}'
        response = await agent.request("POST", "/api/v1/calls", data=raw)
    else:
        response = await agent.post("/api/v1/calls", body)
    assert response.status == 400, response
    assert reason in response.body["reason"]


async def test_an_empty_body_where_one_is_required_is_refused(agent: ApiClient) -> None:
    response = await agent.request("POST", "/api/v1/calls")
    assert response.status == 400
    assert response.body["reason"] == "request body is required: a JSON object"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"limit": "0"}, "query parameter limit: must be at least 1"),
        ({"limit": "-3"}, "query parameter limit: must be at least 1"),
        ({"limit": "201"}, "query parameter limit: must be at most 200"),
        ({"limit": "ten"}, "query parameter limit: expected an integer"),
        ({"limit": "1e9999"}, "query parameter limit: expected an integer"),
        ({"limit": "9" * 5000}, "query parameter limit: expected an integer"),
        ({"offset": "-1"}, "query parameter offset: must be at least 0"),
        ({"offset": "99999999999999"}, "query parameter offset: must be at most"),
        ({"status": "sleeping"}, "query parameter status: must be one of"),
        ({"channel": "pigeon"}, "query parameter channel: must be one of"),
        ({"assignee": "somebody"}, "query parameter assignee: does not match"),
        ({"team": "0"}, "query parameter team: must be at least 1"),
        ({"sort": "name"}, "unknown query parameter 'sort'"),
        ({"assignee": "9999999999"}, "query parameter assignee: must be at most 2147483647"),
        ({"q": "کولر\x00"}, "query parameter q: must not contain NUL characters"),
    ],
)
async def test_bad_query_parameters_are_refused_with_a_reason(agent: ApiClient, params: dict, reason: str) -> None:
    response = await agent.get("/api/v1/conversations", **params)
    assert response.status == 400, response
    assert reason in response.body["reason"]


async def test_a_parameter_given_twice_is_refused(agent: ApiClient) -> None:
    response = await agent.request("GET", "/api/v1/contacts?limit=5&limit=6")
    assert response.status == 400
    assert "more than once" in response.body["reason"]


async def test_paging_numbers_in_persian_digits_are_understood(agent: ApiClient) -> None:
    response = await agent.get("/api/v1/contacts", limit="۱۰", offset="۰")
    assert response.status == 200, response
    assert (response.body["limit"], response.body["offset"]) == (10, 0)


@pytest.mark.parametrize("record_id", ["abc", "0", "-4", "99999999999", "1.5"])
async def test_a_malformed_record_id_is_a_400(agent: ApiClient, record_id: str) -> None:
    response = await agent.get(f"/api/v1/contacts/{record_id}")
    assert response.status == 400, response
    assert "path parameter id" in response.body["reason"]


async def test_a_missing_record_is_a_404_with_a_reason(agent: ApiClient) -> None:
    for path in ("/api/v1/contacts/4242", "/api/v1/conversations/4242", "/api/v1/cases/4242"):
        response = await agent.get(path)
        assert response.status == 404, (path, response)
        assert response.body["error"] == "not_found"
        assert "4242" in response.body["reason"]


async def test_an_unknown_api_route_is_a_json_404_and_a_wrong_method_a_json_405(agent: ApiClient) -> None:
    unknown = await agent.get("/api/v1/spaceships")
    assert unknown.status == 404
    assert unknown.body == {"error": "not_found", "reason": "no such API route"}
    wrong = await agent.request("DELETE", "/api/v1/contacts")
    assert wrong.status == 405
    assert wrong.body["error"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


async def test_a_body_over_the_limit_is_a_413(agent: ApiClient) -> None:
    huge = b'{"direction": "in", "number": "09121234567", "notes": "' + b"x" * 400_000 + b'"}'
    response = await agent.request("POST", "/api/v1/calls", data=huge)
    assert response.status == 413
    assert response.body["error"] == "too_large"


async def test_a_domain_validation_error_is_a_400_with_its_message(agent: ApiClient) -> None:
    response = await agent.post(
        "/api/v1/contacts", {"display_name": "x", "identities": [{"kind": "phone", "value": "12"}]}
    )
    assert response.status == 400
    assert "phone" in response.body["reason"]


async def test_an_unexpected_failure_is_a_500_that_leaks_nothing_and_is_logged(
    agent: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import admin.api.contacts

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("SELECT secret_column FROM staff_user")

    monkeypatch.setattr(admin.api.contacts, "search_contacts", broken)
    await create_contact("کیان")
    with caplog.at_level(logging.ERROR, logger="admin.api.errors"):
        response = await agent.get("/api/v1/contacts")
    assert response.status == 500
    assert response.body == {"error": "internal", "reason": "internal error; it has been logged"}
    assert "secret_column" not in response.text
    assert any(r.exc_info and "secret_column" in str(r.exc_info[1]) for r in caplog.records)
