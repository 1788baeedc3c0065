"""Two delay checks at once, each DelayCheckFunction's handler in a process of its own, against one
DynamoDB over real HTTP (moto's server): exactly one case and one delay record per order.

Processes, not threads: each starts without module caches (clients, settings, the wired check),
as two Lambda execution environments would. Both runs read every late order from the index
before either writes (a barrier between reading and writing), so every order is raced for.

DynamoDB applies each request atomically and runs a transaction's condition checks and writes as
one step. moto's threaded server does not isolate concurrent requests (a transaction checks its
conditions, then writes, while another request runs), so the server here handles one request at a
time; the two runs still interleave request by request, which is where the check's races are.
"""

import multiprocessing
import socket
import threading
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from lifecycle.order import EstimateRevision, Order, OrderStatus
from lifecycle.order_lifecycle import apply_event
from orderhelp import wiring
from orderhelp.changes import Changeset, RequestContext
from orderhelp.config import StoreSettings, store_settings
from orderhelp.records import Actor, ActorKind
from orderhelp.store import DynamoOrderStore
from orderhelp.wiring import store_on
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.template import (
    create_table_requests,
    function_environment,
    functions,
    parameter_defaults,
    resources,
)
from tests.builders import order_in

REGION = "eu-west-1"
FUNCTION = "DelayCheckFunction"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
"""Well past every estimate of the orders `tests.builders` makes."""
LATE = 24
SCHEDULED_EVENT = {
    "version": "0",
    "id": "concurrent-run",
    "detail-type": "Scheduled Event",
    "source": "aws.scheduler",
    "account": "123456789012",
    "time": "2026-03-20T12:00:00Z",
    "region": "eu-west-1",
    "resources": ["arn:aws:scheduler:eu-west-1:123456789012:schedule/default/delay-check"],
    "detail": {"attempt": "1"},
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def dynamodb_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto's server on a free port, one request at a time, and the Lambda environment of
    DelayCheckFunction (read from the template) pointing at it through the SDK's own setting."""
    one_at_a_time = threading.Lock()
    dispatch = DomainDispatcherApplication.__call__

    def serialized(self: DomainDispatcherApplication, environ: Any, start_response: Any) -> Any:
        with one_at_a_time:
            return dispatch(self, environ, start_response)

    monkeypatch.setattr(DomainDispatcherApplication, "__call__", serialized)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    tables = {logical_id: logical_id for logical_id in resources("AWS::DynamoDB::Table")}
    environment = function_environment(functions()[FUNCTION], parameter_defaults() | tables)
    for name, value in (
        environment
        | {
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "OrderHelpTests",
        }
    ).items():
        monkeypatch.setenv(name, value)
    try:
        yield endpoint
    finally:
        server.stop()


# --- in each process ---------------------------------------------------------------------------


class ReadAllThenWait:
    """The check's due index: every shard read on the first request, then a wait for the other
    run to have read too, so that both hold the same late orders before either writes."""

    def __init__(self, inner: Any, shards: int, barrier: Any) -> None:
        self._inner = inner
        self._shards = shards
        self._barrier = barrier
        self._read: dict[int, list[Any]] | None = None

    def due_orders(self, shard: int, before: datetime, page_size: int) -> Iterator[Any]:
        if self._read is None:
            self._read = {
                s: list(self._inner.due_orders(s, before, page_size)) for s in range(self._shards)
            }
            self._barrier.wait(timeout=60)
        yield from self._read[shard]


def run_check_in_this_process(barrier: Any, results: Any) -> None:
    """A fresh interpreter's whole run: the template's handler, the test's clock. (The child
    inherits the environment the fixture set; its caches fill on first use, as in Lambda.)"""
    try:
        wiring.utc_now = lambda: NOW
        check = wiring.delay_check()
        check._due = ReadAllThenWait(check._due, store_settings().due_index_shards, barrier)
        spec = functions()[FUNCTION]
        handler = load_handler(spec.handler)
        results.put(("ok", handler(dict(SCHEDULED_EVENT), LocalLambdaContext(FUNCTION, 300))))
    except BaseException:
        barrier.abort()
        results.put(("error", traceback.format_exc()))


# --- the test ------------------------------------------------------------------------------------


def _create(store: DynamoOrderStore, order: Order) -> None:
    change = Changeset(RequestContext.fresh(Actor(kind=ActorKind.OPS, id="test")), order.placed_at)
    change.create_order(order)
    store.commit(change)


def test_two_checks_at_once_record_each_delay_once_and_open_one_case_per_order(
    dynamodb_endpoint: str,
) -> None:
    client = boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION)
    tables = {logical_id: logical_id for logical_id in resources("AWS::DynamoDB::Table")}
    for request in create_table_requests(tables):
        client.create_table(**request)
    resolved = function_environment(functions()[FUNCTION], parameter_defaults() | tables)
    store = store_on(client, StoreSettings(**_store_fields(resolved)))
    # Given late orders to ship and to arrive, and orders the check must leave alone
    late = [f"ORD-LATE-{n:02d}" for n in range(LATE)]
    for n, order_id in enumerate(late):
        status = OrderStatus.PAID if n % 2 else OrderStatus.SHIPPED
        _create(store, order_in(status, order_id=order_id))
    not_late = {
        "ORD-CREATED": order_in(OrderStatus.CREATED, order_id="ORD-CREATED"),
        "ORD-DELIVERED": order_in(OrderStatus.DELIVERED, order_id="ORD-DELIVERED"),
        "ORD-CANCELLED": order_in(OrderStatus.CANCELLED, order_id="ORD-CANCELLED"),
        "ORD-ON-TIME": apply_event(
            order_in(OrderStatus.PAID, order_id="ORD-ON-TIME"),
            "revise_estimate",
            now=NOW - timedelta(days=1),
            details=EstimateRevision(estimated_ship_by=NOW + timedelta(days=1)),
        ),
    }
    for order in not_late.values():
        _create(store, order)

    # When two checks run at once, each in its own process
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    results = spawn.Queue()
    runs = [
        spawn.Process(target=run_check_in_this_process, args=(barrier, results)) for _ in range(2)
    ]
    for run in runs:
        run.start()
    outcomes = [results.get(timeout=180) for _ in runs]
    for run in runs:
        run.join(timeout=30)
        assert run.exitcode == 0

    # Then each late order has exactly one delay record and one case…
    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert not errors, errors[0]
    reports = [report for _, report in outcomes]
    for order_id in late:
        record = store.load(order_id)
        assert record is not None
        assert len(record.cases) == 1, order_id
        assert len(record.open_cases) == 1, order_id
        recorded = [entry for entry in record.history if entry.event.startswith("record_")]
        assert len(recorded) == 1, order_id
        assert record.order.version == 2
    # …each run saw every late order, and every order went to exactly one of them
    assert [report["late_orders_found"] for report in reports] == [LATE, LATE]
    assert sum(report["cases_opened"] for report in reports) == LATE
    assert sum(report["skipped_already_handled"] for report in reports) == LATE
    assert [report["failures"] for report in reports] == [0, 0]
    # …and the other orders are as they were
    for order_id in not_late:
        record = store.load(order_id)
        assert record is not None
        assert (record.order.version, record.cases) == (1, [])


def _store_fields(environment: dict[str, str]) -> dict[str, Any]:
    """The function's store settings from its environment in the template."""
    names = {name.upper(): name for name in StoreSettings.model_fields}
    return {names[k]: v for k, v in environment.items() if k in names}
