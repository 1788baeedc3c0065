"""The embedded S3: moto's server on a free loopback port, made to do what S3 does and moto does
not — check a browser's POST upload against its signed policy, and tell the template's functions
about new objects with S3's own event.

- **The POST policy**, as S3 checks it: the signature (SigV4 over the policy, with the local
  credentials), the expiration, every condition (`bucket`, `key`, `Content-Type`, the
  `x-amz-*` fields, `content-length-range` against the file's real size), and no form field that
  no condition names. A refusal is S3's XML error: 403 `AccessDenied` ("Invalid according to
  Policy: …"), 400 `EntityTooLarge` / `EntityTooSmall`. Moto stores any POST it gets.
- **Presigned GETs expire**: a link past its `X-Amz-Expires` is refused (403), as S3 refuses it.
- **Events**: an object created by POST or PUT that a function's `S3` event in the template
  matches (its bucket, event name and key filter) is delivered to that function as S3 delivers
  it, asynchronously: one `Records` event per object (the shape of S3's `ObjectCreated` events),
  retried twice when the function fails, as Lambda retries an asynchronous invocation.
- **CORS**: the template's `CorsConfiguration` of each bucket, plus the local page's own
  origins, is put on the bucket; moto answers the preflights from it.

Moto applies one request at a time here too (see `dynamodb.py`)."""

import base64
import binascii
import hashlib
import hmac
import io
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote_plus, unquote

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.formparser import parse_form_data
from werkzeug.serving import make_server

from orderhelp_dev.local.dynamodb import SerializedMotoServer, WsgiApp, _OneRequestAtATime
from orderhelp_dev.local.dynamodb import _QuietRequestHandler as QuietRequestHandler
from orderhelp_dev.local.template import resolve

Clock = Callable[[], datetime]

LOCAL_CREDENTIALS = {"local": "local"}
"""The access keys the local stack's functions sign with, and their secrets."""


# --- the POST policy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str

    def xml(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{self.message}</Message>"
            f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
        ).encode()


def _denied(why: str) -> Refusal:
    return Refusal(403, "AccessDenied", f"Invalid according to Policy: {why}")


# Fields S3 never asks a condition for.
_UNCONDITIONED = {"policy", "x-amz-signature", "file"}


def check_post_policy(
    bucket: str,
    fields: Mapping[str, str],
    file_size: int,
    now: datetime,
    credentials: Mapping[str, str] = LOCAL_CREDENTIALS,
) -> Refusal | None:
    """S3's verdict on a browser POST of `fields` and a file of `file_size` bytes to `bucket`:
    None when it would store the object."""
    lower = {name.lower(): value for name, value in fields.items()}
    encoded = lower.get("policy")
    if encoded is None:
        return Refusal(403, "AccessDenied", "Bucket POST must contain a field named 'policy'.")
    verdict = _check_signature(encoded, lower, credentials)
    parsed = _policy(encoded) if verdict is None else verdict
    if isinstance(parsed, Refusal):
        return parsed
    expiration, conditions = parsed
    if now >= expiration:
        return _denied("Policy expired.")
    named: set[str] = set()
    for condition in conditions:
        verdict = _condition(condition, bucket, lower, file_size, named)
        if verdict is not None:
            return verdict
    extra = sorted(
        name
        for name in lower
        if name not in _UNCONDITIONED and name not in named and not name.startswith("x-ignore-")
    )
    if extra:
        return _denied(f"Extra input fields: {', '.join(extra)}")
    return None


def _policy(encoded: str) -> tuple[datetime, list[Any]] | Refusal:
    try:
        policy = json.loads(base64.b64decode(encoded, validate=True))
        expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        return expiration, list(policy["conditions"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        return Refusal(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")


def _check_signature(
    encoded: str, fields: Mapping[str, str], credentials: Mapping[str, str]
) -> Refusal | None:
    if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
        return Refusal(400, "InvalidArgument", "Only AWS4-HMAC-SHA256 POST signatures are taken.")
    credential = fields.get("x-amz-credential", "").split("/")
    if len(credential) != 5:
        return Refusal(400, "InvalidArgument", "The x-amz-credential field is malformed.")
    access_key, day, region, service, _ = credential
    secret = credentials.get(access_key)
    if secret is None:
        return Refusal(403, "InvalidAccessKeyId", "The AWS Access Key Id does not exist.")
    key = f"AWS4{secret}".encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, encoded.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields.get("x-amz-signature", "")):
        return Refusal(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    return None


def _condition(
    condition: Any, bucket: str, fields: Mapping[str, str], size: int, named: set[str]
) -> Refusal | None:
    if isinstance(condition, dict):
        ((name, expected),) = condition.items()
        return _compare(
            "eq", name.lower(), str(expected), bucket=bucket, fields=fields, named=named
        )
    if not isinstance(condition, list) or len(condition) != 3:
        return Refusal(400, "InvalidPolicyDocument", "Invalid Policy: Invalid Condition.")
    operator, subject, value = condition
    if operator == "content-length-range":
        low, high = int(subject), int(value)
        if size > high:
            return Refusal(
                400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
            )
        if size < low:
            return Refusal(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
            )
        return None
    return _compare(
        str(operator),
        str(subject).lstrip("$").lower(),
        str(value),
        bucket=bucket,
        fields=fields,
        named=named,
    )


def _compare(
    operator: str,
    name: str,
    expected: str,
    *,
    bucket: str,
    fields: Mapping[str, str],
    named: set[str],
) -> Refusal | None:
    named.add(name)
    actual = bucket if name == "bucket" else fields.get(name)
    if actual is None:
        return _denied(f'Policy Condition failed: ["{operator}", "${name}", "{expected}"]')
    holds = actual == expected if operator == "eq" else actual.startswith(expected)
    if operator not in ("eq", "starts-with") or not holds:
        return _denied(f'Policy Condition failed: ["{operator}", "${name}", "{expected}"]')
    return None


def presigned_get_expired(query: Mapping[str, Sequence[str]], now: datetime) -> bool:
    """A SigV4 presigned GET (its `X-Amz-Date` and `X-Amz-Expires`) past its time."""
    signed_at = (query.get("X-Amz-Date") or [""])[0]
    lifetime = (query.get("X-Amz-Expires") or [""])[0]
    try:
        start = datetime.strptime(signed_at, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return (now - start).total_seconds() > int(lifetime)
    except ValueError:
        return False


# --- events ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """A function's `S3` event in the template: which objects of which bucket it hears about."""

    function: str
    name: str
    bucket: str
    events: tuple[str, ...]
    prefix: str = ""
    suffix: str = ""

    def matches(self, bucket: str, event_name: str, key: str) -> bool:
        wanted = any(
            event_name == pattern.removeprefix("s3:")
            or (pattern.endswith("*") and event_name.startswith(pattern.removeprefix("s3:")[:-1]))
            for pattern in self.events
        )
        return (
            bucket == self.bucket
            and wanted
            and key.startswith(self.prefix)
            and key.endswith(self.suffix)
        )


def object_created_event(
    *,
    region: str,
    bucket: str,
    key: str,
    size: int,
    etag: str,
    event_name: str,
    configuration_id: str,
    source_ip: str = "127.0.0.1",
    at: datetime | None = None,
) -> dict[str, Any]:
    """One object's event as S3 sends it to Lambda (the key URL-encoded, as S3 encodes it)."""
    moment = at or datetime.now(UTC)
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": moment.strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{moment.microsecond // 1000:03d}Z",
                "eventName": event_name,
                "userIdentity": {"principalId": "AWS:LOCAL"},
                "requestParameters": {"sourceIPAddress": source_ip},
                "responseElements": {
                    "x-amz-request-id": secrets.token_hex(8).upper(),
                    "x-amz-id-2": base64.b64encode(secrets.token_bytes(48)).decode(),
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": configuration_id,
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "LOCAL"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": size,
                        "eTag": etag.strip('"'),
                        "sequencer": f"{time.time_ns():X}",
                    },
                },
            }
        ]
    }


Deliver = Callable[[str, dict[str, Any]], bool]
"""Invoke a function with an event; True when it succeeded."""

RETRIES = 2
"""Lambda retries a failed asynchronous invocation twice."""


class EventDelivery:
    """S3's notifications to Lambda: each event on a thread of its own (S3 does not wait for the
    function), retried twice on failure."""

    def __init__(self, subscriptions: Sequence[Subscription], deliver: Deliver) -> None:
        self.subscriptions = list(subscriptions)
        self._deliver = deliver
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def object_created(
        self, region: str, bucket: str, key: str, *, size: int, etag: str, method: str
    ) -> None:
        event_name = "ObjectCreated:Post" if method == "POST" else "ObjectCreated:Put"
        for subscription in self.subscriptions:
            if not subscription.matches(bucket, event_name, key):
                continue
            event = object_created_event(
                region=region,
                bucket=bucket,
                key=key,
                size=size,
                etag=etag,
                event_name=event_name,
                configuration_id=subscription.name,
            )
            thread = threading.Thread(
                target=self._invoke,
                args=(subscription.function, event),
                daemon=True,
                name="s3-event",
            )
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _invoke(self, function: str, event: dict[str, Any]) -> None:
        for _ in range(1 + RETRIES):
            if self._deliver(function, event):
                return

    def wait(self, timeout: float = 30) -> None:
        """Until every event sent so far was delivered (tests, and stopping the stack)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def subscriptions_of(
    functions: Mapping[str, Any], buckets: Mapping[str, str]
) -> list[Subscription]:
    """The template's `S3` events (`functions`: `template.functions()`), with each bucket's
    local name (`buckets`: logical id → name)."""
    found = []
    for spec in functions.values():
        for name, event in spec.events.items():
            if event.get("Type") != "S3":
                continue
            props = event["Properties"]
            events = props["Events"]
            rules = props.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            by_name = {rule["Name"].lower(): rule["Value"] for rule in rules}
            found.append(
                Subscription(
                    function=spec.logical_id,
                    name=name,
                    bucket=buckets[props["Bucket"]["Ref"]],
                    events=tuple([events] if isinstance(events, str) else events),
                    prefix=by_name.get("prefix", ""),
                    suffix=by_name.get("suffix", ""),
                )
            )
    return found


# --- the server -----------------------------------------------------------------------------------


@dataclass
class _S3Front:
    """The WSGI application in front of moto's S3: POST policies, expired links, events."""

    app: WsgiApp
    region: str
    clock: Clock
    credentials: Mapping[str, str]
    events: EventDelivery | None = None
    uploads: list[str] = field(default_factory=list)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = unquote(environ.get("PATH_INFO", "/"))
        bucket, _, key = path.lstrip("/").partition("/")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if (
            method == "GET"
            and "X-Amz-Signature" in query
            and presigned_get_expired(query, self.clock())
        ):
            return _answer(start_response, Refusal(403, "AccessDenied", "Request has expired"))
        if method == "POST" and bucket and not key and not query and _is_form(environ):
            return self._form_post(environ, start_response, bucket)
        if (
            method == "PUT"
            and bucket
            and key
            and not query
            and "HTTP_X_AMZ_COPY_SOURCE" not in environ
        ):
            return self._observed(environ, start_response, bucket=bucket, key=key, method=method)
        return self.app(environ, start_response)

    def _form_post(
        self, environ: dict[str, Any], start_response: Callable[..., Any], bucket: str
    ) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        replay = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        _, form, files = parse_form_data(dict(replay))
        upload = files.get("file")
        data = upload.stream.read() if upload is not None else form.get("file", "").encode()
        fields = dict(form.items(multi=False))
        refusal = check_post_policy(bucket, fields, len(data), self.clock(), self.credentials)
        if refusal is not None:
            return _answer(start_response, refusal)
        replay["wsgi.input"] = io.BytesIO(body)
        key = fields.get("key", "")
        return self._observed(
            replay, start_response, bucket=bucket, key=key, method="POST", size=len(data)
        )

    def _observed(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        *,
        bucket: str,
        key: str,
        method: str,
        size: int | None = None,
    ) -> Iterable[bytes]:
        answered: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            answered["status"], answered["headers"] = int(status.split(maxsplit=1)[0]), headers
            return start_response(status, headers, *rest)

        body = list(self.app(environ, remember))
        if self.events is not None and answered.get("status", 500) < 300:
            etag = {k.lower(): v for k, v in answered["headers"]}.get("etag", "")
            length = size if size is not None else int(environ.get("CONTENT_LENGTH") or 0)
            self.uploads.append(key)
            self.events.object_created(
                self.region, bucket, key, size=length, etag=etag, method=method
            )
        return body


def _is_form(environ: Mapping[str, Any]) -> bool:
    return str(environ.get("CONTENT_TYPE", "")).lower().startswith("multipart/form-data")


def _answer(start_response: Callable[..., Any], refusal: Refusal) -> list[bytes]:
    body = refusal.xml()
    start_response(
        f"{refusal.status} {'Forbidden' if refusal.status == 403 else 'Bad Request'}",
        [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
    )
    return [body]


class _S3Server(SerializedMotoServer):
    def __init__(self, front: Callable[[WsgiApp], _S3Front], host: str) -> None:
        super().__init__(ip_address=host, port=0, verbose=False)
        self._front = front

    def _server_entry(self) -> None:
        # A browser's unsigned POST names no service: moto's default for that is S3.
        moto = DomainDispatcherApplication(create_backend_app)
        app = _OneRequestAtATime(self._front(moto))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=QuietRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


class EmbeddedS3:
    """Moto's S3 on a free loopback port, behind `_S3Front`."""

    def __init__(
        self,
        region: str,
        *,
        host: str = "127.0.0.1",
        clock: Clock = lambda: datetime.now(UTC),
        credentials: Mapping[str, str] = LOCAL_CREDENTIALS,
    ) -> None:
        self.region = region
        self.events: EventDelivery | None = None
        self.endpoint = ""
        self._fronts: list[_S3Front] = []

        def front(app: WsgiApp) -> _S3Front:
            made = _S3Front(app, region, clock, credentials, self.events)
            self._fronts.append(made)
            return made

        self._server = _S3Server(front, host)

    def start(self, events: EventDelivery | None = None) -> str:
        self.events = events
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def stop(self) -> None:
        if self.events is not None:
            self.events.wait(timeout=10)
        if self.endpoint:
            self._server.stop()
            self.endpoint = ""


def cors_rules(
    bucket: Mapping[str, Any], refs: Mapping[str, Any], extra_origins: Sequence[str]
) -> list[dict[str, Any]]:
    """A bucket's `CorsConfiguration` from the template as S3's `PutBucketCors` takes it, each
    rule also allowing `extra_origins` (the local page's)."""
    rules = []
    for rule in bucket.get("Properties", {}).get("CorsConfiguration", {}).get("CorsRules", []):
        resolved = resolve(rule, refs)
        made: dict[str, Any] = {
            "AllowedOrigins": [*resolved["AllowedOrigins"], *extra_origins],
            "AllowedMethods": resolved["AllowedMethods"],
        }
        for name in ("AllowedHeaders", "ExposedHeaders"):
            if name in resolved:
                made[name] = resolved[name]
        if "MaxAge" in resolved:
            made["MaxAgeSeconds"] = int(resolved["MaxAge"])
        rules.append(made)
    return rules


__all__ = [
    "EmbeddedS3",
    "EventDelivery",
    "Refusal",
    "Subscription",
    "check_post_policy",
    "cors_rules",
    "object_created_event",
    "subscriptions_of",
]
