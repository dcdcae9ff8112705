"""The OpenAPI document matches the router and is a valid OpenAPI 3.1 document."""

from __future__ import annotations

from openapi_spec_validator import validate

from tests.support.api import ApiServer, api

__all__ = ["api"]

EXPECTED = {
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/contacts"),
    ("POST", "/api/v1/contacts"),
    ("GET", "/api/v1/contacts/{id}"),
    ("GET", "/api/v1/contacts/{id}/timeline"),
    ("POST", "/api/v1/contacts/{id}/merge"),
    ("GET", "/api/v1/conversations"),
    ("GET", "/api/v1/conversations/{id}"),
    ("GET", "/api/v1/conversations/{id}/messages"),
    ("POST", "/api/v1/conversations/{id}/messages"),
    ("POST", "/api/v1/conversations/{id}/case"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{id}"),
    ("POST", "/api/v1/calls"),
}


async def _document(api: ApiServer) -> dict:
    response = await api.client().get("/api/v1/openapi.json")
    assert response.status == 200
    return response.body


def _router_routes(api: ApiServer) -> set[tuple[str, str]]:
    return {
        (route.method, route.resource.canonical)
        for route in api.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith("/api/")
    }


async def test_every_api_route_in_the_router_is_in_the_openapi_document_and_vice_versa(api: ApiServer) -> None:
    document = await _document(api)
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert _router_routes(api) == documented


async def test_the_api_offers_the_routes_the_design_names(api: ApiServer) -> None:
    assert EXPECTED <= _router_routes(api)


async def test_the_document_is_valid_openapi_3_1_and_is_served_without_a_token(api: ApiServer) -> None:
    document = await _document(api)
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "`python run.py token USER`",
    }
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


async def test_every_operation_documents_its_parameters_errors_and_success_schema(api: ApiServer) -> None:
    document = await _document(api)
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == set(path.replace("}", "{").split("{")[1::2]), (method, path)
            assert "500" in op["responses"]
            assert any(code.startswith("2") for code in op["responses"]), (method, path)
            if path != "/api/v1/openapi.json":
                assert op["responses"]["401"] == {"$ref": "#/components/responses/E401"}
            if method == "post" and (method.upper(), path) in EXPECTED:
                assert "requestBody" in op, path
                assert "413" in op["responses"] and "400" in op["responses"]
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "reason"]


async def test_list_routes_document_limit_and_offset_with_their_bounds(api: ApiServer) -> None:
    document = await _document(api)
    for path in ("/api/v1/contacts", "/api/v1/conversations", "/api/v1/cases", "/api/v1/conversations/{id}/messages"):
        params = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
        assert params["offset"]["schema"]["minimum"] == 0
    conversations = {p["name"] for p in document["paths"]["/api/v1/conversations"]["get"]["parameters"]}
    assert {"status", "channel", "assignee", "team", "label", "q"} <= conversations
