"""API Gateway HTTP API (payload format 2.0) events and results, as API Gateway makes them.

Shared by the local stack's emulator and the tests, so both speak exactly what AWS sends: the
reference shapes are `sam local generate-event apigateway http-api-proxy`'s."""

import base64
import json
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

TEXT_CONTENT = re.compile(
    r"^(text/|application/(json|xml|x-www-form-urlencoded|javascript))|\+json|\+xml"
)


def claims_as_api_gateway_passes_them(claims: Mapping[str, Any]) -> dict[str, str]:
    """The JWT authorizer hands claims to Lambda as strings; arrays become `[a b]`."""
    flat = {}
    for name, value in claims.items():
        if isinstance(value, list):
            flat[name] = "[" + " ".join(str(v) for v in value) + "]"
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        else:
            flat[name] = str(value)
    return flat


def route_key_matches(route_path: str, raw_path: str) -> dict[str, str] | None:
    """Path parameters when `raw_path` matches the route's `/a/{b}` template (`{b+}` is greedy)."""
    pattern = "^"
    for part in re.split(r"(\{[^}]+\})", route_path):
        if part.startswith("{") and part.endswith("+}"):
            pattern += f"(?P<{part[1:-2]}>.+)"
        elif part.startswith("{"):
            pattern += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            pattern += re.escape(part)
    match = re.match(pattern + "$", raw_path)
    return match.groupdict() if match else None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def new_request_id() -> str:
    """An id like API Gateway's (`Mc7UVioPPHcEKPA=`-style, base32 here)."""
    return base64.b32encode(uuid.uuid4().bytes[:10]).decode().rstrip("=")


@dataclass
class HttpRequest:
    method: str
    raw_path: str
    raw_query: str = ""
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"


@dataclass
class Authorization:
    claims: dict[str, Any] = field(default_factory=dict)
    scopes: list[str] | None = None


def build_event(
    request: HttpRequest,
    *,
    route_key: str,
    path_parameters: Mapping[str, str] | None = None,
    authorization: Authorization | None = None,
    stage: str = "$default",
    api_id: str = "local",
    account_id: str = "123456789012",
    domain_name: str = "localhost",
    request_id: str | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends to a Lambda integration for `request`."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lowered = name.lower()
        if lowered == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        # Repeated headers are joined with commas, as API Gateway does.
        headers[lowered] = f"{headers[lowered]},{value}" if lowered in headers else value
    query: dict[str, str] = {}
    for name, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    now = datetime.now(UTC)
    content_type = headers.get("content-type", "")
    # A JSON event cannot carry bytes that are not UTF-8, whatever the content type claims.
    is_text = not request.body or (
        bool(TEXT_CONTENT.search(content_type)) and _is_utf8(request.body)
    )
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": domain_name,
            "domainPrefix": domain_name.split(".", maxsplit=1)[0],
            "http": {
                "method": request.method.upper(),
                "path": request.raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id or new_request_id(),
            "routeKey": route_key,
            "stage": stage,
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": not is_text,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if request.body:
        event["body"] = (
            request.body.decode("utf-8") if is_text else base64.b64encode(request.body).decode()
        )
    if authorization is not None:
        # `scopes` is null on routes that require none, as API Gateway sends it.
        event["requestContext"]["authorizer"] = {
            "jwt": {
                "claims": claims_as_api_gateway_passes_them(authorization.claims),
                "scopes": authorization.scopes,
            }
        }
    return event


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def response_from_result(result: Any) -> HttpResponse:
    """Map a Lambda result back to HTTP as API Gateway does for payload format 2.0: a dict with
    `statusCode` is used as given; any other JSON value is the 200 body of an application/json
    response."""
    if not (isinstance(result, dict) and "statusCode" in result):
        return HttpResponse(
            200, [("content-type", "application/json")], json.dumps(result).encode()
        )
    headers = [(k.lower(), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(name.lower(), str(v)) for v in values]
    headers += [("set-cookie", cookie) for cookie in result.get("cookies") or []]
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    if not any(name == "content-type" for name, _ in headers) and raw:
        headers.append(("content-type", "application/json"))
    return HttpResponse(int(result["statusCode"]), headers, raw)
