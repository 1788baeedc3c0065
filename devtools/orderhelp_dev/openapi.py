"""The API's OpenAPI document, generated from the functions' own Powertools resolvers.

Every API function of `infra/template.yaml` contributes the schema of its resolver (the `app` of
its handler's module); Powertools' `OpenAPIMerge` joins them into one document. The template adds
what a resolver cannot know: which authorizer guards each route and with which scopes. Every error
answer is documented with the one error envelope (`ErrorBody`), never Powertools' own validation
shape, since `orderhelp.errors` answers every error that way.

API Gateway answers some requests itself, before any function runs, with its own
`{"message": TEXT}` body (`GatewayMessage`): a token its JWT authorizer refuses (401), a token
without the route's scope (403), more than the stage's throttling allows (429), a body over its
payload limit (413). These are documented as such, beside the functions' own answers.

The output is deterministic (sorted paths, statuses and components; no timestamps), so the
committed `docs/openapi.json` can be compared with what the code generates."""

import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import OpenAPI, Tag

from orderhelp.api import IDEMPOTENCY_KEY_HEADER, MAX_BODY_BYTES
from orderhelp.errors import RETRY_AFTER_SECONDS
from orderhelp_dev.local.lambda_runtime import match_route
from orderhelp_dev.local.template import Route, functions, http_routes, resources

TITLE = "Order Help Center API"
DESCRIPTION = (
    'The "My Orders" help system of an online shop. Customers list their orders, open one, '
    "see which help actions fit its state (and why the others do not, with dates) and use them; "
    "the shop's payment and warehouse systems create orders and move them through their life "
    "(`/ops` routes, scope `orders/ops`).\n\n"
    "Amounts are decimal strings with an ISO 4217 currency; times are UTC ISO 8601 with `Z`. "
    'Every error a function gives answers `{"error": {"code": CODE, "message": TEXT, '
    "...details}}`, its texts in the caller's language (`Accept-Language`: `es` or `en`); "
    "the codes never change with the language. API Gateway's own refusals, made before any "
    'function runs, answer `{"message": TEXT}`.\n\n'
    "Every help action opens or joins a case with customer service: customers read and answer "
    "their cases (`/cases`); agents (tokens in the `agents` group) work the queue "
    "(`/agent/cases`)."
)
TAGS = [
    Tag(name="orders", description="A customer's orders (My Orders, Order Details)."),
    Tag(name="help", description="The help actions of an order: each opens or joins a case."),
    Tag(name="ops", description="The shop's systems: create orders and record their milestones."),
    Tag(name="cases", description="A customer's cases with customer service, and their messages."),
    Tag(name="agents", description="Customer service: the queue, and working a case."),
    Tag(
        name="attachments",
        description="Photos and files: an upload straight to S3, checked, then put on a message.",
    ),
]

ERROR_BODY = "ErrorBody"
GATEWAY_MESSAGE = "GatewayMessage"
GATEWAY_MESSAGE_SCHEMA: dict[str, Any] = {
    "title": GATEWAY_MESSAGE,
    "type": "object",
    "description": "API Gateway's own answer, given before any function runs.",
    "properties": {
        "message": {
            "type": "string",
            "title": "Message",
            "examples": ["Unauthorized", "Forbidden", "Too Many Requests"],
        }
    },
    "required": ["message"],
    "additionalProperties": False,
}
API_GATEWAY_PAYLOAD_LIMIT = "10 MB"
_POWERTOOLS_VALIDATION_ERROR = "HTTPValidationError"
_REF_PREFIX = "#/components/schemas/"
_LOCALISED_RESPONSES = {
    "OrderDetails",
    "HelpOutcome",
    "CasePage",
    "CaseConversation",
    "CaseReply",
    "AgentCase",
    "AgentCaseDetails",
    "AgentCasePage",
    "SearchResult",
    "SuggestedReplies",
    "CustomerPanel",
}
"""Response models whose texts, labels and dates follow `Accept-Language`."""


class OpenApiError(Exception):
    """The resolvers and the template disagree, so no truthful document can be made."""


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every API function in the template, as JSON-ready data."""
    merge = OpenAPIMerge(
        title=TITLE,
        version=version("order-help"),
        description=DESCRIPTION,
        tags=list(TAGS),
        on_conflict="error",
    )
    schemas: list[dict[str, Any]] = []
    for logical_id, app in api_resolvers():
        schema = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True, mode="json")
        _document_function(logical_id, schema)
        schemas.append(schema)
    _check_shared_components(schemas)
    for schema in schemas:
        merge.add_schema(schema)
    document = merge.get_openapi_schema()
    components = document.setdefault("components", {})
    components["securitySchemes"] = security_schemes()
    components.setdefault("schemas", {})[GATEWAY_MESSAGE] = GATEWAY_MESSAGE_SCHEMA
    _prune_unused_schemas(document)
    document = _sorted(document)
    OpenAPI.model_validate(document)  # Powertools' own model of the specification
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def api_resolvers() -> Iterator[tuple[str, APIGatewayHttpResolver]]:
    """(logical id, resolver) of every function the template puts behind the HTTP API."""
    for logical_id, spec in sorted(functions().items()):
        if not any(event["Type"] == "HttpApi" for event in spec.events.values()):
            continue
        module_name, _, _ = spec.handler.rpartition(".")
        app = getattr(importlib.import_module(module_name), "app", None)
        if not isinstance(app, APIGatewayHttpResolver):
            raise OpenApiError(f"{spec.handler}: its module has no APIGatewayHttpResolver `app`")
        yield logical_id, app


def security_schemes() -> dict[str, Any]:
    """One HTTP bearer (JWT) scheme per JWT authorizer of the template's HTTP APIs, by name."""
    schemes: dict[str, Any] = {}
    for api in resources("AWS::Serverless::HttpApi").values():
        authorizers = api["Properties"].get("Auth", {}).get("Authorizers", {})
        for name, authorizer in sorted(authorizers.items()):
            if "JwtConfiguration" not in authorizer:
                continue
            schemes[name] = {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": (
                    "An access token of the Cognito user pool, sent as "
                    "`Authorization: Bearer <token>`. API Gateway's JWT authorizer checks its "
                    "signature, issuer, audience and expiry before any function runs; the token's "
                    "`sub` is the caller. An operation whose requirement lists scopes also needs "
                    "them in the token: `orders/ops` is granted to the shop systems' "
                    "client-credentials client. (OpenAPI 3.1 lets a requirement on a non-OAuth "
                    "scheme list the roles it needs; here they are the token scopes that API "
                    "Gateway enforces.)"
                ),
            }
    return schemes


# --- one function's operations --------------------------------------------------------------------


@dataclass(frozen=True)
class _ErrorCase:
    code: str
    """The error's `code`, or API Gateway's `message` for one of its own answers."""
    text: str
    by_gateway: bool = False

    def render(self) -> str:
        if self.by_gateway:
            return f'API Gateway\'s `{{"message": "{self.code}"}}`: {self.text}'
        return f"`{self.code}`: {self.text}"


def _document_function(logical_id: str, schema: dict[str, Any]) -> None:
    """Give each operation of one function its security, error answers and header parameters,
    and check that the template routes exactly these operations to this function."""
    routed: set[Route] = set()
    forbidden_unless = _forbidden_unless(logical_id)
    for path, method, operation in _operations(schema):
        route = _template_route(logical_id, method, path)
        routed.add(route)
        if route.authorizer is not None:
            operation["security"] = [{route.authorizer: list(route.scopes)}]
        _add_header_parameters(method, operation)
        _document_errors(route, operation, forbidden_unless)
    unrouted = [
        f"{route.method} {route.path}"
        for route in http_routes()
        if route.function == logical_id and route not in routed
    ]
    if unrouted:
        raise OpenApiError(f"{logical_id}: the template routes {unrouted} but no operation does")


def _forbidden_unless(logical_id: str) -> str | None:
    """What a function's handler module says gets 403 on all its routes (`FORBIDDEN_UNLESS`),
    for checks the handler makes beyond the token's scopes (such as the agents group)."""
    module_name, _, _ = functions()[logical_id].handler.rpartition(".")
    text: str | None = getattr(importlib.import_module(module_name), "FORBIDDEN_UNLESS", None)
    return text


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def _template_route(logical_id: str, method: str, path: str) -> Route:
    # The OpenAPI path keeps its `{name}` placeholders; they match the template's as any value.
    match = match_route(method, path)
    if match is None or match.route.function != logical_id:
        raise OpenApiError(f"{method} {path} of {logical_id} has no such route in the template")
    return match.route


def _add_header_parameters(method: str, operation: dict[str, Any]) -> None:
    """Headers the handlers read from the request rather than from their signatures."""
    parameters = operation.setdefault("parameters", [])
    what = (
        "labels, help messages, dates and error messages"
        if _success_models(operation) & _LOCALISED_RESPONSES
        else "error messages"
    )
    parameters.append(
        {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "description": f"`es` or `en` (the default): the language of {what}.",
            "schema": {"type": "string", "examples": ["es-ES,es;q=0.9,en;q=0.8"]},
        }
    )
    if method == "POST":
        parameters.append(
            {
                "name": IDEMPOTENCY_KEY_HEADER.title(),
                "in": "header",
                "required": False,
                "description": "Makes a retry safe: a repeat with the same key and body gets the "
                "first answer and changes nothing; the same key with another body is refused "
                "(422 `idempotency_key_reused`). Keys are kept for 24 hours.",
                "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
            }
        )


def _success_models(operation: dict[str, Any]) -> set[str]:
    names = set()
    for status, response in operation.get("responses", {}).items():
        if str(status).startswith("2"):
            for media in response.get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                names.add(ref.removeprefix(_REF_PREFIX))
    return names


def _document_errors(route: Route, operation: dict[str, Any], forbidden_unless: str | None) -> None:
    responses = operation.setdefault("responses", {})
    for status, cases in _error_cases(route, operation, forbidden_unless).items():
        declared = _declared_description(responses.get(str(status)))
        # A route's own description says what is special about it; the codes say the rest.
        text = " ".join(case.render() for case in cases)
        response: dict[str, Any] = {
            "description": f"{declared}. {text}" if declared else text,
            "content": {"application/json": {"schema": _error_schema(cases)}},
        }
        headers = _error_headers(status, cases)
        if headers:
            response["headers"] = headers
        responses[str(status)] = response


def _error_schema(cases: list[_ErrorCase]) -> dict[str, Any]:
    """The function's error envelope, API Gateway's message, or one of the two."""
    refs = []
    if any(not case.by_gateway for case in cases):
        refs.append({"$ref": _REF_PREFIX + ERROR_BODY})
    if any(case.by_gateway for case in cases):
        refs.append({"$ref": _REF_PREFIX + GATEWAY_MESSAGE})
    return refs[0] if len(refs) == 1 else {"oneOf": refs}


def _error_headers(status: int, cases: list[_ErrorCase]) -> dict[str, Any]:
    retry_after = {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "examples": [int(RETRY_AFTER_SECONDS)]},
    }
    if status == 503:
        return {"Retry-After": retry_after}
    if any(case.code == "request_in_progress" for case in cases):
        return {
            "Retry-After": retry_after
            | {"description": "With `request_in_progress`: seconds to wait before retrying."}
        }
    if status in (401, 403) and any(case.by_gateway for case in cases):
        return {
            "WWW-Authenticate": {
                "description": "Why the JWT authorizer refused the token (RFC 6750): "
                '`Bearer` alone without a token, `error="invalid_token"` for a bad one, '
                '`error="insufficient_scope"` with the scopes the route needs.',
                "schema": {"type": "string", "examples": ['Bearer scope="" error="invalid_token"']},
            }
        }
    return {}


def _declared_description(response: dict[str, Any] | None) -> str | None:
    """What the route itself says of a response; nothing for Powertools' generic 422, which
    describes a body (`HTTPValidationError`) this API never sends."""
    if response is None or _POWERTOOLS_VALIDATION_ERROR in set(_refs(response)):
        return None
    description: str | None = response.get("description")
    return description


def _error_cases(
    route: Route, operation: dict[str, Any], forbidden_unless: str | None
) -> dict[int, list[_ErrorCase]]:
    """The error answers an operation can give, by status, from what it takes."""
    parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
    has_body = "requestBody" in operation
    cases: dict[int, list[_ErrorCase]] = {
        401: [
            _ErrorCase(
                "Unauthorized",
                "no token, or one the JWT authorizer refuses (not signed by the user pool, "
                "another issuer or audience, expired).",
                by_gateway=True,
            )
        ],
        429: [
            _ErrorCase(
                "Too Many Requests",
                f"more requests than the stage's throttling allows ({_throttling()}); retry later.",
                by_gateway=True,
            )
        ],
        422: [
            _ErrorCase(
                "validation_error",
                "a parameter or the body does not fit its schema; `errors` lists each problem "
                "(`loc`, `msg`, `type`).",
            )
        ],
        500: [_ErrorCase("internal_error", "a bug on our side.")],
        503: [
            _ErrorCase(
                "temporarily_unavailable",
                "the store is busy or did not answer in time, even after retries; `message` "
                "says what became of a change. Retry after `Retry-After` seconds.",
            )
        ],
    }
    if route.scopes:
        needed = ", ".join(f"`{scope}`" for scope in route.scopes)
        cases[403] = [
            _ErrorCase("Forbidden", f"the token lacks the scope {needed}.", by_gateway=True)
        ]
    if forbidden_unless:
        cases.setdefault(403, []).append(_ErrorCase("forbidden", forbidden_unless))
    if ("path", "order_id") in parameters:
        text = (
            "there is no such order."
            if route.scopes
            else "there is no such order, or it is another customer's (the same answer)."
        )
        cases[404] = [_ErrorCase("order_not_found", text)]
    if ("path", "case_id") in parameters:
        text = (
            "there is no such case."
            if forbidden_unless
            else "there is no such case, or it is another customer's (the same answer)."
        )
        cases[404] = [_ErrorCase("case_not_found", text)]
    if ("path", "attachment_id") in parameters:
        text = "there is no such attachment, or the caller may not read it (the same answer)."
        cases[404] = [_ErrorCase("attachment_not_found", text)]
    for subject in ("return", "refund"):
        if ("path", f"{subject}_id") in parameters:
            cases.setdefault(404, []).append(
                _ErrorCase(f"{subject}_not_found", f"there is no such {subject}.")
            )
    if ("query", "cursor") in parameters:
        cases.setdefault(400, []).append(
            _ErrorCase("invalid_cursor", "the cursor is not one this API gave out.")
        )
    if has_body:
        cases.setdefault(400, []).extend(
            [
                _ErrorCase("invalid_json", "the body is not valid JSON."),
                _ErrorCase(
                    "invalid_idempotency_key",
                    "the Idempotency-Key is not 1 to 255 printable ASCII characters.",
                ),
            ]
        )
        cases.setdefault(409, []).append(
            _ErrorCase(
                "request_in_progress",
                "a request with the same Idempotency-Key is still being handled; retry shortly.",
            )
        )
        cases[413] = [
            _ErrorCase("payload_too_large", f"the body is over {MAX_BODY_BYTES} bytes."),
            _ErrorCase(
                "Request Entity Too Large",
                f"the body is over API Gateway's payload limit ({API_GATEWAY_PAYLOAD_LIMIT}).",
                by_gateway=True,
            ),
        ]
        cases[422].append(
            _ErrorCase(
                "idempotency_key_reused",
                "this Idempotency-Key was already used with another body.",
            )
        )
    return cases


def _throttling() -> str:
    """The stage's default throttling, as the template sets it."""
    for api in resources("AWS::Serverless::HttpApi").values():
        settings = api["Properties"].get("DefaultRouteSettings", {})
        if "ThrottlingRateLimit" in settings:
            return (
                f"{settings['ThrottlingRateLimit']:g} requests per second, bursts of "
                f"{settings.get('ThrottlingBurstLimit', 0):g}"
            )
    return "the account's default"


# --- the merged document --------------------------------------------------------------------------


def _check_shared_components(schemas: list[dict[str, Any]]) -> None:
    # OpenAPIMerge keeps the last of two components with one name: they must be the same.
    seen: dict[str, Any] = {}
    for schema in schemas:
        for name, component in schema.get("components", {}).get("schemas", {}).items():
            if name in seen and seen[name] != component:
                raise OpenApiError(f"two functions define the schema {name!r} differently")
            seen[name] = component


def _prune_unused_schemas(document: dict[str, Any]) -> None:
    """Drop components nothing refers to (Powertools' validation error shapes, once every 422
    is the error envelope)."""
    schemas: dict[str, Any] = document["components"].get("schemas", {})
    used: set[str] = set()
    pending = list(_refs({k: v for k, v in document.items() if k != "components"}))
    while pending:
        name = pending.pop()
        if name in used:
            continue
        used.add(name)
        pending.extend(_refs(schemas[name]))
    for name in set(schemas) - used:
        del schemas[name]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF_PREFIX):
                yield value.removeprefix(_REF_PREFIX)
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _sorted(document: dict[str, Any]) -> dict[str, Any]:
    """Paths, responses and components in a fixed order, whatever order routes were added in."""
    document["paths"] = {
        path: {
            method: operation | {"responses": _by_status(operation.get("responses", {}))}
            for method, operation in item.items()
        }
        for path, item in sorted(document.get("paths", {}).items())
    }
    for kind, components in document.get("components", {}).items():
        document["components"][kind] = dict(sorted(components.items()))
    return document


def _by_status(responses: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(responses.items(), key=lambda item: int(item[0])))
