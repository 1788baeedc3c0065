"""`docs/openapi.json`: generated from the handlers' resolvers and the template, committed, and
checked here against what the code generates now."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from openapi_spec_validator import validate

from lifecycle.actions import HelpAction
from lifecycle.help import CATALOGUE
from lifecycle.order import (
    CancellationDetails,
    DeliveryDetails,
    EstimateRevision,
    PaymentDetails,
    ShipmentDetails,
)
from orderhelp.models import (
    AgentMessageRequest,
    AssignRequest,
    CaseMessageRequest,
    CreateOrderRequest,
    SolveRequest,
)
from orderhelp_dev import openapi
from orderhelp_dev.cli import main
from orderhelp_dev.local.template import http_routes

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "openapi.json"
SCHEME = "CognitoJwt"
OPS_SCOPE = "orders/ops"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi.openapi_document()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def schema_ref(media: dict[str, Any]) -> str:
    ref: str = media["application/json"]["schema"]["$ref"]
    return ref.removeprefix("#/components/schemas/")


def test_the_committed_document_is_what_the_code_generates(document: dict[str, Any]) -> None:
    assert COMMITTED.read_text("utf-8") == openapi.render(document), (
        "docs/openapi.json is stale: run `make openapi`"
    )


def test_generation_does_not_depend_on_the_process(document: dict[str, Any]) -> None:
    # Another interpreter, another hash seed: the same bytes.
    generated = subprocess.run(
        [sys.executable, "-m", "orderhelp_dev.cli", "openapi", "--output", "-"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"PYTHONHASHSEED": "12345"},
        cwd=ROOT,
    ).stdout
    assert generated == openapi.render(document)


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_template_route_is_documented_once_per_help_action(
    document: dict[str, Any],
) -> None:
    expected = set()
    for route in http_routes():
        if "{action}" in route.path:
            expected |= {(route.method, route.path.replace("{action}", a)) for a in HelpAction}
        else:
            expected.add((route.method, route.path))
    assert {(method, path) for method, path, _ in operations(document)} == expected


def test_every_operation_needs_a_jwt_and_ops_operations_the_ops_scope(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"][SCHEME]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    for _, path, operation in operations(document):
        scopes = [OPS_SCOPE] if path.startswith("/ops/") else []
        assert operation["security"] == [{SCHEME: scopes}], path


@pytest.mark.parametrize("spec", CATALOGUE.values(), ids=lambda spec: str(spec.action))
def test_each_help_route_documents_its_own_body(document: dict[str, Any], spec: Any) -> None:
    operation = document["paths"][f"/orders/{{order_id}}/help/{spec.action}"]["post"]
    name = schema_ref(operation["requestBody"]["content"])
    assert name == spec.request_model.__name__
    component = document["components"]["schemas"][name]
    assert set(component["properties"]) == set(spec.request_model.model_fields)
    assert operation["operationId"] == f"use_{spec.action}"


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/ops/orders", CreateOrderRequest),
        ("/ops/orders/{order_id}/pay", PaymentDetails),
        ("/ops/orders/{order_id}/ship", ShipmentDetails),
        ("/ops/orders/{order_id}/deliver", DeliveryDetails),
        ("/ops/orders/{order_id}/cancel", CancellationDetails),
        ("/ops/orders/{order_id}/estimate", EstimateRevision),
    ],
)
def test_each_ops_route_documents_its_body(
    document: dict[str, Any], path: str, model: type[Any]
) -> None:
    operation = document["paths"][path]["post"]
    assert schema_ref(operation["requestBody"]["content"]) == model.__name__


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/cases/{case_id}/messages", CaseMessageRequest),
        ("/agent/cases/{case_id}/messages", AgentMessageRequest),
        ("/agent/cases/{case_id}/solve", SolveRequest),
    ],
)
def test_each_case_route_documents_its_body(
    document: dict[str, Any], path: str, model: type[Any]
) -> None:
    operation = document["paths"][path]["post"]
    assert schema_ref(operation["requestBody"]["content"]) == model.__name__


def test_taking_a_case_may_send_no_body_at_all(document: dict[str, Any]) -> None:
    operation = document["paths"]["/agent/cases/{case_id}/assign"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": f"#/components/schemas/{AssignRequest.__name__}"} in schema["anyOf"]
    assert {"type": "null"} in schema["anyOf"]


def test_agent_routes_document_who_is_refused_and_case_routes_which_case_is_missing(
    document: dict[str, Any],
) -> None:
    for _, path, operation in operations(document):
        responses = operation["responses"]
        if path.startswith("/agent/"):
            assert "agents" in responses["403"]["description"], path
        if "{case_id}" in path:
            assert "`case_not_found`" in responses["404"]["description"], path
        if path.startswith("/cases/"):
            assert "another customer's" in responses["404"]["description"], path


def test_every_error_answer_is_the_error_envelope(document: dict[str, Any]) -> None:
    envelope = document["components"]["schemas"]["ErrorBody"]
    assert envelope["required"] == ["error"]
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message"}
    assert detail["additionalProperties"] is True  # the details some codes add
    # Powertools' own validation error shape is never sent, so it is not documented either.
    assert "HTTPValidationError" not in document["components"]["schemas"]
    # API Gateway's own answers come before any function runs, in its own shape.
    gateway = document["components"]["schemas"]["GatewayMessage"]
    assert (gateway["required"], gateway["additionalProperties"]) == (["message"], False)
    for method, path, operation in operations(document):
        responses = operation["responses"]
        errors = {int(status) for status in responses if int(status) >= 400}
        by_gateway = {401, 429} | ({403} if path.startswith("/ops/") else set())
        for status in errors - by_gateway - {413}:
            assert schema_ref(responses[str(status)]["content"]) == "ErrorBody", (path, status)
        for status in by_gateway:
            assert schema_ref(responses[str(status)]["content"]) == "GatewayMessage", path
        if 413 in errors:
            assert responses["413"]["content"]["application/json"]["schema"] == {
                "oneOf": [
                    {"$ref": "#/components/schemas/ErrorBody"},
                    {"$ref": "#/components/schemas/GatewayMessage"},
                ]
            }
        expected = {401, 422, 429, 500, 503}
        if path.startswith(("/ops/", "/agent/")):
            expected.add(403)
        if "{order_id}" in path or "{case_id}" in path:
            expected.add(404)
        if method == "POST":
            expected |= {400, 409, 413}
        assert expected <= errors, (method, path)
        assert "Retry-After" in responses["503"]["headers"]
        assert "WWW-Authenticate" in responses["401"]["headers"]
        if method == "POST":
            assert "Retry-After" in responses["409"]["headers"]  # with request_in_progress


def test_posts_document_the_idempotency_key_and_details_the_language(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == (method == "POST"), path
        # Errors are said in the caller's language everywhere; case statuses are labelled and
        # order details explained in it too.
        localised = (
            path == "/orders/{order_id}"
            or "/help/" in path
            or "/cases" in path
            # the console's lists label statuses and fill saved replies in the caller's language
            or path in {"/agent/search", "/agent/views/{view}", "/agent/customers/{customer_id}"}
        )
        language = next(p for p in operation["parameters"] if p["name"] == "Accept-Language")
        assert ("labels" in language["description"]) == localised, path
        assert "error messages" in language["description"], path


def test_the_command_writes_the_document(tmp_path: Path, document: dict[str, Any]) -> None:
    output = tmp_path / "docs" / "openapi.json"
    assert main(["openapi", "--output", str(output)]) == 0
    assert output.read_text("utf-8") == openapi.render(document)


# --- the generator refuses to document what the template does not route ---------------------------


def _resolver_with(*paths: str) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)
    for path in paths:
        app.get(path)(lambda: {})
    return app


def test_an_operation_the_template_does_not_route_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stray = _resolver_with("/orders", "/orders/<order_id>", "/orders/<order_id>/secrets")
    monkeypatch.setattr(openapi, "api_resolvers", lambda: iter([("CustomerApiFunction", stray)]))
    with pytest.raises(openapi.OpenApiError, match=re.escape("GET /orders/{order_id}/secrets")):
        openapi.openapi_document()


def test_a_route_no_operation_documents_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    partial = _resolver_with("/orders")
    monkeypatch.setattr(openapi, "api_resolvers", lambda: iter([("CustomerApiFunction", partial)]))
    with pytest.raises(openapi.OpenApiError, match=re.escape("GET /orders/{order_id}")):
        openapi.openapi_document()
