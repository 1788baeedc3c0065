"""The template's EventBridge buses, locally: an endpoint that speaks EventBridge's PutEvents
(the publisher's SDK reaches it through its own `AWS_ENDPOINT_URL_EVENTBRIDGE`), and the template's
rules applied to every event with moto's event-pattern matcher.

Each `EventBridgeRule` event of a function subscribes it: a matching event invokes it
asynchronously, as EventBridge does; an invocation that fails is retried (the function's
`EventInvokeConfig.MaximumRetryAttempts`, 2 by default; a fraction of a second apart here, not
Lambda's minutes), and then the event goes to its `OnFailure` destination or the rule's
`DeadLetterConfig` (an SQS queue of the embedded services). The bus keeps every event in the
order it arrived, for `GET /__local/events`."""

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moto.events.models import EventPattern

from orderhelp_dev.local.environments import Invocation
from orderhelp_dev.local.template import LOCAL_ACCOUNT_ID, FunctionSpec, resolve

RETRY_SECONDS = 0.2
DEFAULT_ASYNC_RETRIES = 2
"""Lambda retries a failed asynchronous invocation twice unless told otherwise."""


@dataclass(frozen=True)
class BusRule:
    function: str
    bus: str
    pattern: dict[str, Any]
    retries: int = DEFAULT_ASYNC_RETRIES
    dead_letter: str | None = None
    """The logical id of the queue that keeps an event whose deliveries all failed."""

    def matches(self, event: Mapping[str, Any]) -> bool:
        return EventPattern.load(json.dumps(self.pattern)).matches_event(dict(event))  # type: ignore[arg-type]


def bus_rules(
    functions: Mapping[str, FunctionSpec],
    template: Mapping[str, Any],
    refs: Mapping[str, Any],
) -> list[BusRule]:
    """Every `EventBridgeRule` event of the template's functions."""
    resources = template.get("Resources", {})
    rules = []
    for spec in functions.values():
        invoke_config = resources[spec.logical_id]["Properties"].get("EventInvokeConfig", {})
        on_failure = invoke_config.get("DestinationConfig", {}).get("OnFailure", {})
        for event in spec.events.values():
            if event.get("Type") != "EventBridgeRule":
                continue
            props = event["Properties"]
            dead_letter = on_failure.get("Destination") or props.get("DeadLetterConfig", {}).get(
                "Arn"
            )
            rules.append(
                BusRule(
                    function=spec.logical_id,
                    bus=str(resolve(props.get("EventBusName", "default"), refs)),
                    pattern=props["Pattern"],
                    retries=int(invoke_config.get("MaximumRetryAttempts", DEFAULT_ASYNC_RETRIES)),
                    dead_letter=dead_letter["Fn::GetAtt"][0]
                    if isinstance(dead_letter, dict)
                    else None,
                )
            )
    return rules


Invoke = Callable[[str, dict[str, Any]], Invocation]
DeadLetter = Callable[[str, dict[str, Any]], None]


class LocalBus:
    def __init__(
        self,
        rules: list[BusRule],
        invoke: Invoke,
        dead_letter: DeadLetter,
        *,
        region: str,
        log: Callable[..., None],
    ) -> None:
        self.rules = rules
        self._invoke = invoke
        self._dead_letter = dead_letter
        self._region = region
        self._log = log
        self._events: list[dict[str, Any]] = []
        self._arrivals: list[float] = []
        self._lock = threading.Lock()
        self._deliveries = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bus-target")
        self._server: ThreadingHTTPServer | None = None
        self.endpoint = ""

    # --- the endpoint ---------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1") -> str:
        bus = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                target = self.headers.get("x-amz-target", "")
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = None
                if target != "AWSEvents.PutEvents" or not isinstance(body, dict):
                    self._answer(
                        HTTPStatus.BAD_REQUEST,
                        {"__type": "UnknownOperationException", "message": target},
                    )
                    return
                self._answer(HTTPStatus.OK, bus.put_events(body.get("Entries", [])))

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("content-type", "application/x-amz-json-1.1")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the stack logs what the functions do."""

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="local-bus", daemon=True).start()
        self.endpoint = f"http://{host}:{self._server.server_address[1]}"
        return self.endpoint

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._deliveries.shutdown(wait=False, cancel_futures=True)

    # --- PutEvents ------------------------------------------------------------------------------

    def put_events(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        answers = []
        for entry in entries:
            event = self._event(entry)
            if event is None:
                answers.append(
                    {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is not JSON"}
                )
                continue
            bus = entry.get("EventBusName") or "default"
            with self._lock:
                self._events.append(event)
                self._arrivals.append(time.time())
            for rule in self.rules:
                if rule.bus == bus and rule.matches(event):
                    self._deliveries.submit(self._deliver, rule, event)
            answers.append({"EventId": event["id"]})
        failed = sum(1 for answer in answers if "ErrorCode" in answer)
        return {"FailedEntryCount": failed, "Entries": answers}

    def _event(self, entry: Mapping[str, Any]) -> dict[str, Any] | None:
        """The event as EventBridge gives it to targets."""
        try:
            detail = json.loads(entry.get("Detail") or "{}")
        except ValueError:
            return None
        moment = entry.get("Time")
        when = (
            datetime.fromtimestamp(float(moment), UTC)
            if isinstance(moment, int | float)
            else datetime.now(UTC)
        )
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": entry.get("DetailType", ""),
            "source": entry.get("Source", ""),
            "account": LOCAL_ACCOUNT_ID,
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self._region,
            "resources": list(entry.get("Resources", [])),
            "detail": detail,
        }

    def _deliver(self, rule: BusRule, event: dict[str, Any]) -> None:
        invocation: Invocation | None = None
        for attempt in range(rule.retries + 1):
            if attempt:
                threading.Event().wait(RETRY_SECONDS * attempt)
            invocation = self._invoke(rule.function, event)
            if not invocation.failed:
                return
        self._log(
            level="ERROR",
            message=f"{rule.function} failed on a {event['detail-type']} event after "
            f"{rule.retries + 1} attempts",
            error=invocation.error if invocation else None,
        )
        if rule.dead_letter:
            self._dead_letter(
                rule.dead_letter, _async_failure(rule, event, invocation, self._region)
            )

    # --- what reached the bus -------------------------------------------------------------------

    def events(self, order_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            events = list(self._events)
        return [
            {name: event[name] for name in ("id", "source", "detail-type", "time", "detail")}
            for event in events
            if order_id is None or event["detail"].get("order_id") == order_id
        ]

    def arrivals(self) -> list[tuple[float, dict[str, Any]]]:
        """When each event reached the bus (seconds since the epoch), with the event."""
        with self._lock:
            return list(zip(self._arrivals, self._events, strict=True))

    def count(self) -> int:
        with self._lock:
            return len(self._events)


def _async_failure(
    rule: BusRule, event: dict[str, Any], invocation: Invocation | None, region: str
) -> dict[str, Any]:
    """What Lambda sends an asynchronous invocation's OnFailure destination."""
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "requestContext": {
            "requestId": invocation.request_id if invocation else "",
            "functionArn": f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT_ID}:function:"
            f"{rule.function}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": rule.retries + 1,
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": (invocation.error if invocation else None) or {},
    }
