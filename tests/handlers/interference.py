"""What the world does to a request in flight, made deterministic: another writer acting between
the request's read and its write, and a DynamoDB that keeps failing through botocore's retries."""

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from moto.core.models import botocore_stubber

from orderhelp.changes import Changeset
from orderhelp.retry import RetryPolicy
from orderhelp.store import OrderStore
from tests.handlers.client import Reply

FEW = RetryPolicy(attempts=4, sleep=lambda _: None)
"""Few tries without waiting: a request that keeps losing gives up fast (in these tests every
loss is a whole other request, run in between)."""


class InterleavingStore:
    """The service's store, with room for another writer between a request's read and its write.

    `before_next_commit(competitor)` arms it: the next commit first runs `competitor` (a request
    through the real handlers), as if it had arrived just after this request read what it
    changes; with `times`, so do as many commits after it (a request that retries meets a
    competitor every time). The competitor's own reads and writes go straight through; every
    other call is the inner store's."""

    def __init__(self, inner: OrderStore) -> None:
        self._inner = inner
        self._competitor: Callable[[], Reply] | None = None
        self._times = 0
        self._competing = False
        self.competitor_replies: list[Reply] = []

    @property
    def competitor_reply(self) -> Reply | None:
        return self.competitor_replies[-1] if self.competitor_replies else None

    def before_next_commit(self, competitor: Callable[[], Reply], times: int = 1) -> None:
        self._competitor, self._times = competitor, times
        self.competitor_replies = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def commit(self, change: Changeset) -> None:
        if self._competitor is not None and self._times > 0 and not self._competing:
            self._times -= 1
            self._competing = True
            try:
                self.competitor_replies.append(self._competitor())
            finally:
                self._competing = False
        self._inner.commit(change)


@dataclass(frozen=True)
class Fault:
    """An answer DynamoDB gives when the table, not the request, is the problem."""

    name: str
    status: int
    code: str
    retried: bool = True
    """Whether botocore's standard retry mode tries again on it."""
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> bytes:
        return json.dumps(
            {
                "__type": f"com.amazonaws.dynamodb.v20120810#{self.code}",
                "message": f"Injected by the test: {self.name}.",
                **self.extra,
            }
        ).encode()


FAULTS = [
    Fault("throttled request", 400, "ThrottlingException"),
    Fault("throughput exceeded", 400, "ProvisionedThroughputExceededException"),
    Fault("account request limit", 400, "RequestLimitExceeded"),
    Fault("internal server error", 500, "InternalServerError"),
    Fault("service unavailable", 503, "ServiceUnavailable"),
]

THROTTLED_TRANSACTION = Fault(
    "transaction cancelled by a throttled item",
    400,
    "TransactionCanceledException",
    retried=False,
    extra={
        "CancellationReasons": [
            {"Code": "None"},
            {"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity."},
        ]
    },
)
"""What TransactWriteItems answers when one of its items is throttled; botocore does not retry
it, so the service sees it at once."""


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._content


class DynamoDBFaults:
    """Answers chosen operations of one DynamoDB client with a fault on every attempt; the other
    operations go to moto as before. Counts the attempts botocore makes, per operation."""

    def __init__(self, *clients: Any) -> None:
        self._emitters = [client.meta.events for client in clients]
        self._failing: dict[str, Fault] = {}
        self.attempts: Counter[str] = Counter()
        self.backoffs: list[float] = []
        for events in self._emitters:
            events.unregister("before-send", botocore_stubber)
            events.register("before-send", self._send)

    def fail(self, operation: str, fault: Fault) -> None:
        self._failing[operation] = fault
        self.attempts.clear()
        self.backoffs.clear()

    def heal(self) -> None:
        self._failing.clear()

    def close(self) -> None:
        for events in self._emitters:
            events.unregister("before-send", self._send)
            events.register("before-send", botocore_stubber)

    def _send(self, event_name: str, request: AWSPreparedRequest, **kwargs: Any) -> Any:
        operation = event_name.rsplit(".", 1)[-1]
        self.attempts[operation] += 1
        fault = self._failing.get(operation)
        if fault is None:
            return botocore_stubber(event_name=event_name, request=request, **kwargs)
        headers = {
            "content-type": "application/x-amz-json-1.0",
            "x-amzn-requestid": f"fault-{self.attempts[operation]}",
        }
        return AWSResponse(request.url, fault.status, headers, _Body(fault.body()))
