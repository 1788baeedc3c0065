"""What the API handlers share: the resolver with the error mapping, the body-size limit,
Idempotency-Key handling, and the Lambda entry point's decorator stack."""

import base64
import binascii
import json
import re
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, TypeAdapter, ValidationError

from lifecycle.i18n import negotiate
from lifecycle.order import Identifier
from orderhelp import budget
from orderhelp.auth import Caller, caller_from
from orderhelp.aws import idempotency_dynamodb
from orderhelp.changes import RequestContext
from orderhelp.config import store_settings
from orderhelp.errors import (
    CaseNotFound,
    InvalidBody,
    InvalidIdempotencyKey,
    InvalidJson,
    OrderNotFound,
    PayloadTooLarge,
    RouteNotFound,
    ServiceError,
    UnsupportedMediaType,
    to_response,
)
from orderhelp.observability import lambda_handler, metrics
from orderhelp.records import Actor, ActorKind

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
"""No body of this API nests deeper than 4; pydantic's and Powertools' recursion would fail on a
document nested hundreds deep with an error that is not the caller's to see."""
JSON_MEDIA_TYPE = "application/json"
IDEMPOTENCY_KEY_HEADER = "idempotency-key"
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

# No length or pattern here: an id no order can have is answered by `checked_order_id` as a missing
# order (404 order_not_found), not as a validation error that would tell ids apart.
PageLimit = Annotated[int, Query(ge=1, le=100, description="How many per page (1 to 100).")]
PageCursor = Annotated[
    str | None, Query(max_length=512, description="The `next_cursor` of the previous page.")
]

OrderIdPath = Annotated[str, Path(min_length=1, description="The order's id.")]
CaseIdPath = Annotated[str, Path(min_length=1, description="The case's id.")]

__all__ = ["metrics"]  # the handlers count their events on it
# Reads publish no metric; that is expected, not worth a warning on every call.
warnings.filterwarnings("ignore", message="No application metrics to publish")

IDEMPOTENCY_CONFIG = IdempotencyConfig(
    event_key_jmespath="[caller, route, key]",
    payload_validation_jmespath="body",
    expires_after_seconds=24 * 60 * 60,
    raise_on_no_idempotency_key=True,
)


def create_resolver() -> APIGatewayHttpResolver:
    """A resolver that answers every error with the error envelope, in the caller's language."""
    app = APIGatewayHttpResolver(enable_validation=True)

    def _error(error: Exception) -> Response[str]:
        return to_response(error, request_locale(app))

    app.exception_handler(Exception)(_error)

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        return to_response(RouteNotFound(), request_locale(app))

    return app


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    text = (
        body.model_dump_json()
        if isinstance(body, BaseModel)
        else json.dumps(body, ensure_ascii=False)
    )
    return _json_text_response(status, text, headers)


def _json_text_response(
    status: int, text: str, headers: dict[str, str] | None = None
) -> Response[str]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=text, headers=headers
    )


def checked_order_id(raw: str) -> str:
    """An id no order can have is simply not found, like any other missing order."""
    try:
        return _ORDER_ID.validate_python(raw)
    except ValidationError as invalid:
        raise OrderNotFound(raw[:64]) from invalid


def checked_case_id(raw: str) -> str:
    """An id no case can have is simply not found, like any other missing case."""
    try:
        return _ORDER_ID.validate_python(raw)
    except ValidationError as invalid:
        raise CaseNotFound(raw[:64]) from invalid


_ORDER_ID: TypeAdapter[str] = TypeAdapter(Identifier)
_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$")


def checked_record_id(raw: str, missing: Callable[[str], ServiceError]) -> str:
    """A return's or a refund's id (its order's id and a number): one no record can have is
    simply not found."""
    if not _RECORD_ID.fullmatch(raw):
        raise missing(raw[:80])
    return raw


def current_caller(app: APIGatewayHttpResolver) -> Caller:
    return caller_from(app.current_event.raw_event)


def request_locale(app: APIGatewayHttpResolver) -> str:
    return negotiate(app.current_event.headers.get("accept-language"))


def event_locale(event: dict[str, Any]) -> str:
    """The caller's language from an event the resolver has not read yet."""
    headers = event.get("headers") or {}
    accept = next((v for k, v in headers.items() if k.lower() == "accept-language"), None)
    return negotiate(accept)


@cache
def _idempotency_store() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=store_settings().idempotency_table, boto3_client=idempotency_dynamodb()
    )


@dataclass(frozen=True)
class Answer:
    """What a write route answers: its status and body."""

    status: int
    body: BaseModel


def answer_once(
    app: APIGatewayHttpResolver,
    kind: ActorKind,
    body: BaseModel | None,
    work: Callable[[RequestContext], Answer],
) -> Response[str]:
    """The tail of every write route: run `work` once per request and answer it.

    With an `Idempotency-Key`, a retry with the same key and body gets the first answer and
    changes nothing (the same key with another body is refused), and every write the request
    makes carries an identity derived from the key and body: if the first attempt's answer was
    lost (a 503 that said the write may have been applied), the retry recognises the applied
    write and answers it, never writing it twice. Without the header, the request's writes
    carry an identity of their own, so retries inside this call are recognised too."""
    caller = current_caller(app)
    actor = Actor(kind=kind, id=caller.subject)
    payload = body.model_dump(mode="json") if body is not None else {}
    key = app.current_event.headers.get(IDEMPOTENCY_KEY_HEADER)
    if key is None:
        answer = work(RequestContext.fresh(actor))
        return json_response(answer.status, answer.body)
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidIdempotencyKey(
            "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces."
        )
    route = f"{app.current_event.http_method} {app.current_event.path}"
    call = {"caller": caller.subject, "route": route, "key": key, "body": payload}
    request = RequestContext.derived(
        actor, caller.subject, route, key, json.dumps(payload, sort_keys=True, default=str)
    )

    def run(call: dict[str, Any]) -> dict[str, Any]:
        answer = work(request)
        return {"status": answer.status, "body": _packed(answer.body.model_dump_json())}

    guarded = idempotent_function(
        data_keyword_argument="call",
        persistence_store=_idempotency_store(),
        config=IDEMPOTENCY_CONFIG,
        key_prefix="orderhelp",
    )(run)
    result: dict[str, Any] = guarded(call=call)
    return _json_text_response(result["status"], _unpacked(result["body"]))


def _packed(text: str) -> str:
    """An answer as its idempotency record keeps it: compressed (a help action's answer, the
    whole Order Details page, is several KB of repetitive JSON; every KB is a write unit)."""
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def _unpacked(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode("utf-8")


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as invalid:
            raise InvalidJson(
                "The body is not valid base64.", text_key="invalid_base64"
            ) from invalid
    return body.encode("utf-8")


def check_json_body(event: dict[str, Any], body: bytes) -> None:
    """Every body is a JSON object. The resolver would otherwise parse forms and multipart too,
    fail with an unhandled error on bytes that are not UTF-8, and take a JSON array for its
    first element (its form-field normalisation applies to bodies as well)."""
    if not body:
        return
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in ("", JSON_MEDIA_TYPE):
        raise UnsupportedMediaType(f"Send the body as {JSON_MEDIA_TYPE}, not '{media_type}'.")
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as invalid:
        raise InvalidJson("The body is not valid UTF-8.", text_key="invalid_utf8") from invalid
    except ValueError as invalid:
        raise InvalidJson("The body is not valid JSON.") from invalid
    except RecursionError as invalid:
        raise InvalidJson("The body is nested too deeply.", text_key="too_deep") from invalid
    if nesting_depth(document) > MAX_JSON_DEPTH:
        raise InvalidJson("The body is nested too deeply.", text_key="too_deep")
    if not isinstance(document, dict):
        raise InvalidBody(
            "body: the body must be a JSON object",
            errors=[{"loc": ["body"], "msg": "must be a JSON object", "type": "model_type"}],
        )


def nesting_depth(document: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON document (a scalar is 0), counted
    without recursion: the validators and encoders after this point recurse."""
    deepest = 0
    pending = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


def with_json_body(event: dict[str, Any], body: bytes) -> dict[str, Any]:
    """The event as the resolver should read it once `check_json_body` passed: the JSON text
    itself, declared `application/json` (media types are case-insensitive, the resolver's check is
    not), and an empty body of a POST read as `{}` so that bodies whose fields are all optional
    (cancelling, recording a delivery now) need not be sent."""
    if event.get("requestContext", {}).get("http", {}).get("method") != "POST":
        return event
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    return event | {
        "headers": headers | {"content-type": JSON_MEDIA_TYPE},
        "body": body.decode("utf-8") if body else "{}",
        "isBase64Encoded": False,
    }


def lambda_entry(
    app: APIGatewayHttpResolver, authorize: Callable[[Caller], Any]
) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda handler of an API function: correlation id, metrics and tracing around
    `app.resolve`. Before the request's body is even parsed, the caller must pass `authorize`
    (which raises `Unauthorized` or `Forbidden`) and the body must fit the size limit and be
    JSON text."""

    @lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        IDEMPOTENCY_CONFIG.register_lambda_context(context)
        try:
            authorize(caller_from(event))
            body = raw_body(event)
            if len(body) > MAX_BODY_BYTES:
                raise PayloadTooLarge(
                    f"The body is larger than {MAX_BODY_BYTES} bytes.",
                    values={"limit": MAX_BODY_BYTES},
                )
            check_json_body(event, body)
            event = with_json_body(event, body)
        except ServiceError as refused:
            response = to_response(refused, event_locale(event))
            return with_api_headers(
                {
                    "statusCode": response.status_code,
                    "headers": {"Content-Type": content_types.APPLICATION_JSON, **response.headers},
                    "body": response.body,
                }
            )
        # Every DynamoDB call of the request fits in the time the function has left.
        with budget.invocation(context.get_remaining_time_in_millis()):
            return with_api_headers(app.resolve(event, context))

    return handler


API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
"""On every answer of the API: an order, a case or an error is the caller's alone, never for a
shared cache to keep, and its JSON is never to be sniffed as something else."""


def with_api_headers(result: dict[str, Any]) -> dict[str, Any]:
    headers = dict(result.get("headers") or {})
    present = {name.lower() for name in headers}
    headers |= {name: value for name, value in API_HEADERS.items() if name.lower() not in present}
    return result | {"headers": headers}
