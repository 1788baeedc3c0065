"""Per route: DynamoDB requests per call and in-process latency against moto, next to the time of
the same DynamoDB calls made directly with the client.

How: world A (moto in-process, tables from the template) is filled through the API, copied, then
each route is called ≥ 200 times while botocore's event hooks on the handlers' own client record
every DynamoDB call. World B starts from the copy and replays exactly those calls, in the same
order, with the same client: the same requests on the same data. The ratio of the two medians is
what the handlers themselves add (routing, validation, rules, models, serialisation)."""

import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore import xform_name
from botocore.exceptions import ClientError
from moto import mock_aws

from orderhelp_dev.local import moto_dynamodb
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.sdk_endpoints import SDK_ENDPOINT_PREFIX
from orderhelp_dev.local.template import (
    create_table_requests,
    function_environment,
    functions,
    load_template,
    local_references,
    resources,
)
from tests.bench.report import Figure, percentile, print_table, summary
from tests.handlers.client import START, Api, Clock, Identity, api_event, moto_items

REGION = "eu-west-1"
BENCH_AGENT = "agent-bench"
TABLE_NAMES = {logical_id: logical_id for logical_id in resources("AWS::DynamoDB::Table")}
CALLS = int(os.environ.get("BENCH_CALLS", "200"))
WARMUP = 10
CUSTOMER = "cust-bench"
LISTER = "cust-lister"
SHOP = Identity.shop()
BUYER = Identity.customer(CUSTOMER)
RATIO_GOAL = 1.5

Call = tuple[str, dict[str, Any]]  # operation, parameters


def set_environment() -> None:
    """What conftest sets for handler tests: the template's function environment, moto's fake
    credentials, tracing off (in-process, as the handler tests run)."""
    os.environ |= {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    for name in [name for name in os.environ if name.startswith(SDK_ENDPOINT_PREFIX)]:
        del os.environ[name]
    refs = local_references(load_template(), REGION) | TABLE_NAMES
    for spec in functions().values():
        os.environ |= function_environment(spec, refs)


def reset_process() -> None:
    from tests.process_state import forget_process_state

    forget_process_state()


@dataclass
class Scenario:
    """One route, called once per prepared event."""

    name: str
    method: str
    path: Callable[[int], str]
    body: Callable[[int], Any] = lambda _: None
    identity: Identity = BUYER
    expected: int = 200
    prepare: Callable[[Api, int], None] = lambda _api, _i: None
    idempotency_key: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    goal: int = 1  # DynamoDB requests per call, the idempotency table excluded


def _order_id(scenario: str, i: int) -> str:
    return f"B-{scenario}-{i:04d}"


def _in_state(status: str, scenario: str) -> Callable[[Api, int], None]:
    def prepare(api: Api, i: int) -> None:
        order_id = _order_id(scenario, i)
        assert api.create_order(CUSTOMER, order_id).status == 201
        steps = {"created": [], "paid": [api.pay], "shipped": [api.pay, api.ship]}[status]
        for step in steps:
            api.clock.advance(seconds=1)
            assert step(order_id).status == 200

    return prepare


def _with_open_case(scenario: str) -> Callable[[Api, int], None]:
    paid = _in_state("paid", scenario)

    def prepare(api: Api, i: int) -> None:
        paid(api, i)
        path = f"/orders/{_order_id(scenario, i)}/help/payment_issue"
        assert api.call("POST", path, {"message": "¿Y mi pago?"}, identity=BUYER).status == 201

    return prepare


def _with_contact(scenario: str) -> Callable[[Api, int], None]:
    def prepare(api: Api, i: int) -> None:
        contact = {"email": f"bench-{i}@example.com", "locale": "es"}
        assert api.create_order(CUSTOMER, _order_id(scenario, i), contact=contact).status == 201

    return prepare


def _with_approved_return(scenario: str) -> Callable[[Api, int], None]:
    """A delivered order whose return of two bulbs customer service approved."""

    def prepare(api: Api, i: int) -> None:
        order_id = _order_id(scenario, i)
        assert api.create_order(CUSTOMER, order_id).status == 201
        for step in (api.pay, api.ship, api.deliver):
            api.clock.advance(seconds=1)
            assert step(order_id).status == 200
        body = {"items": [{"sku": "BULB-E27", "quantity": 2}], "message": "No me sirven."}
        reply = api.call("POST", f"/orders/{order_id}/help/return_request", body, identity=BUYER)
        assert reply.status == 201, reply
        approve = f"/agent/cases/{reply.body['case']['case_id']}/return/approve"
        assert api.call("POST", approve, {}, identity=Identity.agent(BENCH_AGENT)).status == 200

    return prepare


def _with_refund_due(scenario: str) -> Callable[[Api, int], None]:
    """A paid order the shop cancelled: its refund is due."""
    paid = _in_state("paid", scenario)

    def prepare(api: Api, i: int) -> None:
        paid(api, i)
        assert api.cancel(_order_id(scenario, i)).status == 200

    return prepare


CASE_ID = "CS-BENCH-1"


def _with_case_of_id(scenario: str, status: str = "pending") -> Callable[[Api, int], None]:
    """A paid order with a case of a fixed id (so every call's path is the same)."""
    paid = _in_state("paid", scenario)

    def prepare(api: Api, i: int) -> None:
        from orderhelp import config, wiring
        from orderhelp_dev.local.cases import stage_case

        paid(api, i)
        stage_case(
            wiring.store(),
            case_id=CASE_ID,
            order_id=_order_id(scenario, i),
            action="payment_issue",
            status=status,
            now=api.clock.now,
            case_policy=config.case_settings().case_policy(),
            agent=BENCH_AGENT,  # the agent the agents' routes act as: theirs to answer
        )

    return prepare


ADDRESS = {
    "name": "Lucía Fernández",
    "line1": "Calle Mayor 1",
    "city": "Madrid",
    "postal_code": "28013",
    "country": "ES",
}


def scenarios() -> list[Scenario]:
    def order(name: str) -> Callable[[int], str]:
        return lambda i: _order_id(name, i)

    def lister(api: Api, _: int) -> None:
        for n in range(30):  # a page of 20 and more to come
            assert api.create_order(LISTER, f"B-list-{n:04d}").status == 201

    def new_order(i: int) -> dict[str, Any]:
        return {
            "order_id": _order_id("create", i),
            "customer_id": CUSTOMER,
            "currency": "EUR",
            "items": [{"sku": "LAMP-01", "name": "Lámpara", "quantity": 1, "unit_price": "39.90"}],
            "shipping": "4.95",
            "shipping_address": ADDRESS,
        }

    return [
        Scenario(
            "list",
            "GET",
            lambda _: "/orders",
            identity=Identity.customer(LISTER),
            prepare=lister,
        ),
        Scenario(
            "list-status",
            "GET",
            lambda _: "/orders?status=created",
            identity=Identity.customer(LISTER),
            prepare=lister,
        ),
        Scenario(
            "list-search",
            "GET",
            lambda _: "/orders?order_id=B-list-0007",
            identity=Identity.customer(LISTER),
            prepare=lister,
        ),
        Scenario(
            "details",
            "GET",
            lambda _: f"/orders/{_order_id('details', 0)}",
            prepare=_with_open_case("details"),
            headers={"Accept-Language": "es"},
        ),
        Scenario(
            "help-open",
            "POST",
            lambda i: f"/orders/{_order_id('help-open', i)}/help/payment_issue",
            lambda _: {"message": "Pagué y no tengo confirmación."},
            expected=201,
            prepare=_in_state("paid", "help-open"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "help-join",
            "POST",
            lambda i: f"/orders/{_order_id('help-join', i)}/help/payment_issue",
            lambda _: {"message": "¿Alguna novedad?"},
            expected=200,
            prepare=_with_open_case("help-join"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "help-address",
            "POST",
            lambda i: f"/orders/{_order_id('help-address', i)}/help/change_address",
            lambda _: {"address": ADDRESS},
            expected=201,
            prepare=_in_state("paid", "help-address"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "help-cancel",
            "POST",
            lambda i: f"/orders/{_order_id('help-cancel', i)}/help/cancel_order",
            lambda _: {"reason": "Ya no lo necesito"},
            expected=201,
            prepare=_in_state("paid", "help-cancel"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "return-received",
            "POST",
            lambda i: f"/ops/returns/{_order_id('return-received', i)}-R1/received",
            lambda _: {"items": [{"sku": "BULB-E27", "quantity": 2, "condition": "ok"}]},
            identity=SHOP,
            prepare=_with_approved_return("return-received"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "refund-issued",
            "POST",
            lambda i: f"/ops/refunds/{_order_id('refund-issued', i)}-RF1/issued",
            lambda _: {"method": "card", "reference": "RE-1"},
            identity=SHOP,
            prepare=_with_refund_due("refund-issued"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "refunds-due",
            "GET",
            lambda _: "/ops/refunds?status=due",
            identity=SHOP,
            prepare=_with_refund_due("refunds-due"),
            # One Query per shard of the refund queue, merged into one page.
            goal=4,
        ),
        Scenario(
            "return-label",
            "GET",
            lambda _: (
                f"/orders/{_order_id('return-label', 0)}/returns/"
                f"{_order_id('return-label', 0)}-R1/label"
            ),
            prepare=lambda api, i: (
                _with_approved_return("return-label")(api, i) if i == 0 else None
            ),
        ),
        Scenario(
            "agent-refund",
            "POST",
            lambda _: f"/agent/cases/{CASE_ID}/refund",
            lambda _: {"amount": "0.01", "reason": "Perdón por la espera."},
            identity=Identity.agent(BENCH_AGENT),
            prepare=_with_case_of_id("agent-refund"),
            idempotency_key=True,
            # The case (whose order it is), the order's partition, one transaction.
            goal=3,
        ),
        Scenario(
            "case-read",
            "GET",
            lambda _: f"/cases/{CASE_ID}",
            prepare=_with_case_of_id("case-read"),
        ),
        Scenario(
            "case-message",
            "POST",
            lambda _: f"/cases/{CASE_ID}/messages",
            lambda _: {"body": "¿Alguna novedad?"},
            prepare=_with_case_of_id("case-message"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "case-rate",
            "POST",
            lambda _: f"/cases/{CASE_ID}/rating",
            lambda _: {"rating": "good", "comment": "Muy rápidos."},
            prepare=_with_case_of_id("case-rate", status="solved"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "agent-reply",
            "POST",
            lambda _: f"/agent/cases/{CASE_ID}/messages",
            lambda _: {"body": "Lo miramos ahora mismo."},
            identity=Identity.agent(BENCH_AGENT),
            prepare=_with_case_of_id("agent-reply"),
            idempotency_key=True,
            goal=2,
        ),
        # The console's search: one request per kind of key the query may be (an order id
        # may also be a case reference; an email is only an email).
        Scenario(
            "agent-search-order",
            "GET",
            lambda i: f"/agent/search?q={_order_id('agent-search-order', i)}",
            identity=Identity.agent(BENCH_AGENT),
            prepare=_with_open_case("agent-search-order"),
            goal=2,
        ),
        Scenario(
            "agent-search-email",
            "GET",
            lambda i: f"/agent/search?q=bench-{i}@example.com",
            identity=Identity.agent(BENCH_AGENT),
            prepare=_with_contact("agent-search-email"),
            goal=1,
        ),
        # The dashboard: every chart from one Query of the period's day items and one of the
        # backlog's.
        Scenario(
            "agent-stats",
            "GET",
            lambda _: "/agent/stats?days=30",
            identity=Identity.agent(BENCH_AGENT),
            goal=2,
        ),
        Scenario(
            "ops-create",
            "POST",
            lambda _: "/ops/orders",
            new_order,
            identity=SHOP,
            expected=201,
            idempotency_key=True,
            goal=1,
        ),
        Scenario(
            "ops-get",
            "GET",
            lambda _: f"/ops/orders/{_order_id('ops-get', 0)}",
            identity=SHOP,
            prepare=_in_state("paid", "ops-get"),
        ),
        Scenario(
            "ops-pay",
            "POST",
            order("ops-pay"),
            lambda _: {"payment_ref": "PAY-9", "estimated_ship_by": "2030-01-01T00:00:00Z"},
            identity=SHOP,
            prepare=_in_state("created", "ops-pay"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "ops-ship",
            "POST",
            order("ops-ship"),
            lambda _: {
                "carrier": "Correos",
                "tracking_number": "CX1",
                "estimated_delivery_by": "2030-01-01T00:00:00Z",
            },
            identity=SHOP,
            prepare=_in_state("paid", "ops-ship"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "ops-deliver",
            "POST",
            order("ops-deliver"),
            lambda _: {},
            identity=SHOP,
            prepare=_in_state("shipped", "ops-deliver"),
            idempotency_key=True,
            goal=2,
        ),
        Scenario(
            "ops-cancel",
            "POST",
            order("ops-cancel"),
            lambda _: {"reason": "Sin stock"},
            identity=SHOP,
            prepare=_in_state("created", "ops-cancel"),
            idempotency_key=True,
            goal=2,
        ),
    ]


_OPS_SUFFIX = {
    "ops-pay": "/pay",
    "ops-ship": "/ship",
    "ops-deliver": "/deliver",
    "ops-cancel": "/cancel",
}


def route_of(scenario: Scenario, i: int) -> str:
    path = scenario.path(i)
    if scenario.name in _OPS_SUFFIX:
        path = f"/ops/orders/{path}{_OPS_SUFFIX[scenario.name]}"
    return path


@dataclass
class Prepared:
    function: str
    handler: Any
    event: dict[str, Any]
    context: LocalLambdaContext


@dataclass
class Result:
    scenario: Scenario
    route: str
    function: str
    handler_seconds: list[float] = field(default_factory=list)
    handler_cpu: list[float] = field(default_factory=list)
    """CPU per call beyond the same DynamoDB calls made directly: what the handler adds."""
    calls: list[list[Call]] = field(default_factory=list)  # per handler call, in order
    raw_seconds: list[float] = field(default_factory=list)
    write_units: list[tuple[int, int]] = field(default_factory=list)
    """Per change: write units on the orders table, and on the idempotency table."""


KB = 1024


def attribute_size(value: dict[str, Any]) -> int:
    """An attribute value's size as DynamoDB counts it (close enough to decide capacity)."""
    ((kind, inner),) = value.items()
    if kind in ("S", "B"):
        return len(inner.encode("utf-8")) if kind == "S" else len(inner)
    if kind == "N":
        return len(str(inner).lstrip("-").replace(".", "")) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + attribute_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(attribute_size(v) + 1 for v in inner)
    return sum(len(str(v)) for v in inner)  # SS, NS, BS


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + attribute_size(v) for name, v in item.items())


def _units(size: int) -> int:
    return max(1, -(-size // KB))


def write_units(
    calls: list[Call], before: dict[str, list[dict[str, Any]]], after: dict[str, list[Any]]
) -> tuple[int, int]:
    """What the calls' writes cost in write units: a transaction's items 2 per KB each (a
    ConditionCheck counted as a write of the item it checks, the conservative reading), a
    single write 1 per KB of the item as written."""

    def stored(items: dict[str, list[Any]], table: str, key: dict[str, Any]) -> dict[str, Any]:
        found = next(
            (i for i in items.get(table, []) if all(i.get(k) == v for k, v in key.items())), None
        )
        return found or key

    orders = idempotency = 0
    for operation, params in calls:
        if operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                ((kind, write),) = entry.items()
                item = (
                    write["Item"]
                    if kind == "Put"
                    else stored(before, write["TableName"], write["Key"])
                )
                orders += 2 * _units(item_size(item))
        elif operation in ("PutItem", "UpdateItem", "DeleteItem"):
            item = params.get("Item") or stored(after, params["TableName"], params["Key"])
            units = _units(item_size(item))
            if params["TableName"] == TABLE_NAMES["IdempotencyTable"]:
                idempotency += units
            else:
                orders += units
    return orders, idempotency


class Recorder:
    """Records every DynamoDB call made with the handlers' client (botocore event hooks)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        # botocore fills ClientRequestToken itself; a replay gets its own.
        self.calls.append(
            (model.name, {k: v for k, v in params.items() if k != "ClientRequestToken"})
        )

    @contextlib.contextmanager
    def attached(self, client: Any) -> Iterator[None]:
        self.calls = []
        with self.attached_also(client):
            yield

    @contextlib.contextmanager
    def attached_also(self, client: Any) -> Iterator[None]:
        """Record this client's calls too, in the same list."""
        client.meta.events.register("before-parameter-build.dynamodb.*", self, unique_id="bench")
        try:
            yield
        finally:
            client.meta.events.unregister("before-parameter-build.dynamodb.*", unique_id="bench")


@contextlib.contextmanager
def quiet_stdout() -> Iterator["KeptOutput"]:
    """Metrics are printed (EMF) on every call, and the logs: kept aside, where Lambda's would
    not be read, and readable afterwards (`measure` shows those of a call that failed)."""
    sys.stdout.flush()
    saved = os.dup(1)
    kept = KeptOutput()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as file:
        os.dup2(file.fileno(), 1)
        try:
            yield kept
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            file.seek(0)
            kept.text = file.read()


@dataclass
class KeptOutput:
    text: str = ""


def reset_tables(client: Any) -> None:
    for table in TABLE_NAMES.values():
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_table(TableName=table)
    for request in create_table_requests(TABLE_NAMES):
        client.create_table(**request)


def snapshot(client: Any) -> dict[str, list[dict[str, Any]]]:
    """Every item of every table, from moto's memory (a Scan would cost more than the call)."""
    region = client.meta.region_name
    return {table: moto_items(table, region) for table in TABLE_NAMES.values()}


def restore(client: Any, items: dict[str, list[dict[str, Any]]]) -> None:
    reset_tables(client)
    for table, rows in items.items():
        for start in range(0, len(rows), 25):
            batch = [{"PutRequest": {"Item": item}} for item in rows[start : start + 25]]
            client.batch_write_item(RequestItems={table: batch})


def prepare(scenario: Scenario, i: int) -> Prepared:
    headers = dict(scenario.headers)
    if scenario.idempotency_key:
        headers["Idempotency-Key"] = f"bench-{scenario.name}-{i}"
    spec, event = api_event(
        scenario.method,
        route_of(scenario, i),
        scenario.body(i),
        identity=scenario.identity,
        headers=headers,
    )
    context = LocalLambdaContext(spec.logical_id, spec.timeout)
    return Prepared(spec.logical_id, load_handler(spec.handler), event, context)


def measure(scenario: Scenario, api: Api, admin: Any, calls: int) -> Result:
    """Call the route `WARMUP + calls` times; after each call, put the tables back as they were
    before it and make the same DynamoDB calls directly. Changes start from tables holding just
    their own order, so every call of a route meets the same tables."""
    from orderhelp import aws

    client = aws.dynamodb()
    recorder = Recorder()
    changes = scenario.method != "GET"
    reset_tables(admin)
    result: Result | None = None
    for i in range(WARMUP + calls):
        if changes or i == 0:
            reset_tables(admin)
            with quiet_stdout():
                scenario.prepare(api, i)
        before = snapshot(admin) if changes else None
        call = prepare(scenario, i)
        if result is None:
            route = call.event["routeKey"]
            result = Result(scenario, route, call.function)

        keyed = aws.idempotency_dynamodb()
        with recorder.attached(client), recorder.attached_also(keyed), quiet_stdout() as output:
            began, cpu_began = time.perf_counter(), time.process_time()
            reply = call.handler(call.event, call.context)
            elapsed = time.perf_counter() - began
            cpu = time.process_time() - cpu_began
        if reply["statusCode"] != scenario.expected:
            raise SystemExit(
                f"{scenario.name} #{i}: {reply['statusCode']} {reply['body']}\n"
                f"its logs:\n{output.text[-4000:]}"
            )

        if before is not None:
            if i >= WARMUP:
                result.write_units.append(write_units(recorder.calls, before, snapshot(admin)))
            restore(admin, before)
        began, cpu_began = time.perf_counter(), time.process_time()
        for operation, params in recorder.calls:
            with contextlib.suppress(ClientError):  # a call that failed fails again
                getattr(client, xform_name(operation))(**params)
        raw_elapsed = time.perf_counter() - began
        raw_cpu = time.process_time() - cpu_began

        if i >= WARMUP:
            result.handler_seconds.append(elapsed)
            result.handler_cpu.append(cpu - raw_cpu)
            result.raw_seconds.append(raw_elapsed)
            result.calls.append(recorder.calls)
    assert result is not None
    return result


def run(calls: int = CALLS) -> list[Figure]:
    set_environment()
    reset_process()
    from orderhelp import wiring

    clock = Clock(START)
    wiring.utc_now = clock  # type: ignore[assignment] — the services' clock, as conftest does
    results = []
    started = time.perf_counter()
    # Moto's DynamoDB as the handler tests and the local stack have it: transactions that honour
    # their token and back up only what they write, answers and queries that cost what DynamoDB's
    # do. Without it every transaction deep-copies the tables it names, so the figures would
    # time moto's copies rather than the handlers (and a full run once saw a rating's
    # idempotency record miss its budget: a 503 that stopped the bench).
    moto_dynamodb.install()
    with mock_aws():
        admin = boto3.client("dynamodb", region_name=REGION)
        api = Api(clock, admin)
        for scenario in scenarios():
            results.append(measure(scenario, api, admin, calls))
            print(f"  {scenario.name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    reset_process()
    return figures(results)


def _requests(calls: list[Call], idempotency: bool) -> int:
    table = TABLE_NAMES["IdempotencyTable"]
    return sum(
        1 for operation, params in calls if (params.get("TableName") == table) == idempotency
    )


def figures(results: list[Result]) -> list[Figure]:
    found = []
    for result in results:
        subject = (
            f"{result.function.removesuffix('Function')} {result.route} ({result.scenario.name})"
        )
        counts = [_requests(c, idempotency=False) for c in result.calls]
        idempotency = [_requests(c, idempotency=True) for c in result.calls]
        p50, p95 = (percentile(result.handler_seconds, q) * 1000 for q in (0.5, 0.95))
        raw50, raw95 = (percentile(result.raw_seconds, q) * 1000 for q in (0.5, 0.95))
        n = len(result.handler_seconds)
        if result.write_units:
            orders = statistics.median(units for units, _ in result.write_units)
            keyed = statistics.median(units for _, units in result.write_units)
            found.append(
                Figure(
                    subject,
                    "write units per call",
                    orders + keyed,
                    "WRU",
                    None,
                    f"{orders:g} on the orders table + {keyed:g} on the idempotency table",
                )
            )
        found += [
            Figure(
                subject,
                "DynamoDB requests per call",
                max(counts),
                "req",
                result.scenario.goal,
                f"min {min(counts)}; + {max(idempotency)} on the idempotency table",
            ),
            Figure(
                subject,
                "latency p50",
                p50,
                "ms",
                None,
                f"{n} calls; raw DynamoDB p50 {raw50:.2f} ms",
            ),
            Figure(subject, "latency p95", p95, "ms", None, f"raw DynamoDB p95 {raw95:.2f} ms"),
            Figure(
                subject,
                "CPU the handler adds (p50)",
                percentile(result.handler_cpu, 0.5) * 1000,
                "ms",
                None,
                "CPU per call beyond the same DynamoDB calls made directly",
            ),
            Figure(
                subject,
                "handler / raw DynamoDB (p50)",
                p50 / raw50,
                "×",
                RATIO_GOAL,
                f"p95 ratio {p95 / raw95:.2f}×",
            ),
        ]
    return found


def main() -> None:
    found = run()
    print_table(
        f"Routes, in-process against moto ({CALLS} calls each after {WARMUP} warm-up)", found
    )
    print(f"\n{summary(found)}")


if __name__ == "__main__":
    main()
