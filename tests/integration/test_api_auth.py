"""Bearer-token authentication of /api/v1, over real HTTP."""

from __future__ import annotations

import re

from core.actions.staff import issue_token
from core.models import ApiToken, User
from tests.support.api import ApiServer, api, staff

__all__ = ["api"]


def _concrete(path: str) -> str:
    # Any value works: an anonymous request must be refused before the handler looks at it.
    return re.sub(r"\{[^}]+\}", "1", path)


async def test_every_api_route_refuses_an_anonymous_request_except_the_openapi_document(api: ApiServer) -> None:
    anonymous = api.client()
    checked = 0
    for route in api.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if not path.startswith("/api/"):
            continue
        response = await anonymous.request(route.method, _concrete(path), data=b"{}")
        if path == "/api/v1/openapi.json":
            assert response.status == 200, response
            continue
        assert response.status == 401, (route.method, path, response)
        assert response.body["error"] == "unauthorized"
        assert response.body["reason"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        checked += 1
    assert checked >= 13


async def test_a_missing_header_an_unknown_token_and_a_non_bearer_scheme_get_401_with_a_reason(
    api: ApiServer,
) -> None:
    missing = await api.client().get("/api/v1/contacts")
    assert missing.status == 401
    assert "missing" in missing.body["reason"]
    wrong = await api.client("pk_not-a-real-token").get("/api/v1/contacts")
    assert wrong.status == 401
    assert wrong.body == {"error": "unauthorized", "reason": "unknown or revoked token"}
    basic = await api.client().request("GET", "/api/v1/contacts", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.status == 401
    assert "Bearer" in basic.body["reason"]


async def test_a_valid_token_is_accepted_and_marks_when_it_was_last_used(api: ApiServer) -> None:
    _, token = await staff("maryam")
    response = await api.client(token).get("/api/v1/contacts")
    assert response.status == 200, response
    row = await ApiToken.get(user__username="maryam")
    assert row.last_used_at is not None
    first_use = row.last_used_at
    await api.client(token).get("/api/v1/contacts")
    assert (await ApiToken.get(id=row.id)).last_used_at == first_use


async def test_a_revoked_token_is_refused(api: ApiServer) -> None:
    user, token = await staff("reza")
    await ApiToken.filter(user=user).update(revoked=True)
    response = await api.client(token).get("/api/v1/contacts")
    assert response.status == 401
    assert response.body["reason"] == "unknown or revoked token"


async def test_a_token_of_a_deactivated_user_is_refused_while_another_token_keeps_working(api: ApiServer) -> None:
    user, token = await staff("sara")
    other_user, other_token = await staff("nima")
    await User.filter(id=user.id).update(is_active=False)
    refused = await api.client(token).get("/api/v1/contacts")
    assert refused.status == 401
    assert "deactivated" in refused.body["reason"]
    assert (await api.client(other_token).get("/api/v1/contacts")).status == 200
    assert (await api.client(await issue_token(other_user)).get("/api/v1/contacts")).status == 200


async def test_pages_outside_the_api_are_not_touched_by_api_authentication(api: ApiServer) -> None:
    response = await api.client().get("/healthz")
    assert response.status == 200
    assert response.body == {"status": "ok"}
