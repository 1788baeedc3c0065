"""Benchmark of the scheduled delay check: what one run reads, per late order, at two table sizes.

    .venv/bin/python -m tests.bench.bench_delay_check [--orders 10000 100000] [--late 0.01]

For each size it loads that many orders (1% late unless told otherwise: half late to ship, half
late to arrive; the rest created, paid or shipped on time, delivered or cancelled) into moto's
DynamoDB, in process (`mock_aws`), with the tables of `infra/template.yaml`. The items are those
the store writes (each order item with the history entries of its life), put straight into
moto's table (`_DirectLoader`) rather than through the API one by one. Then one run of the check,
wired as DelayCheckFunction wires it, and the figures:

- items read: the sum of `ScannedCount` over every Query the run made (the index's pages and any
  order partition it had to read again), divided by the late orders: the goal is at most 1.05;
- what a Scan-based check would read instead: every item of the table;
- DynamoDB requests per late order, and the run's wall time per late order.

It prints figures and asserts nothing about time (the exit status is 0 whatever the figures).

About moto's times: moto answers a Query on an index by sorting and walking its whole table, and
copies a whole table before each TransactWriteItems (to roll it back on failure). Those cost
O(table) per request in the emulator where DynamoDB costs O(result), so moto's wall time per late
order grows with the table although what the check reads and writes does not. So that the figures
measure the check more than the emulator, the benchmark skips moto's sort of the whole table (each
Query sorts the partition it keeps) and its copy of the table before each transaction, which only a
refused transaction would use (see `_no_rollback_copy`); the walk remains. The request and item
counts are the check's own and do not depend on the emulator.
"""

import argparse
import math
import os
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table

from lifecycle.order import (
    CancellationDetails,
    DeliveryDetails,
    Order,
    PaymentDetails,
    ShipmentDetails,
)
from lifecycle.order_lifecycle import apply_event
from lifecycle.policy import Policy
from orderhelp import aws, config, wiring
from orderhelp.case_numbers import MAX_DIGITS, CaseNumbers
from orderhelp.records import Actor, ActorKind, HistoryEntry
from orderhelp.store import codec
from orderhelp.store.table import to_attributes
from orderhelp_dev.local.template import (
    create_table_requests,
    function_environment,
    functions,
    parameter_defaults,
    resources,
)
from tests.builders import a_new_order
from tests.process_state import forget_process_state

REGION = "eu-west-1"
ACCOUNT = "123456789012"
FUNCTION = "DelayCheckFunction"
SIZES = (10_000, 100_000)
LATE_FRACTION = 0.01
GOAL_ITEMS_READ_PER_LATE_ORDER = 1.05
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
SHOP = Actor(kind=ActorKind.OPS, id="bench")

ON_TIME_MIX = (
    ("created", 0.10),
    ("paid", 0.15),
    ("shipped", 0.15),
    ("delivered", 0.50),
    ("cancelled", 0.10),
)
"""The orders that are not late, by kind (fractions of them)."""


# --- orders as the store writes them --------------------------------------------------------------


def _life(kind: str) -> tuple[Order, list[HistoryEntry]]:
    """An order of `kind` brought there by the real lifecycle events, with its history."""
    placed = NOW - timedelta(days=10)
    paid_at = placed + timedelta(hours=1)
    shipped_at = paid_at + timedelta(days=1)
    ship_by = {"late-to-ship": NOW - timedelta(hours=2), "paid": NOW + timedelta(days=2)}.get(
        kind, paid_at + timedelta(days=2)
    )
    deliver_by = {
        "late-to-arrive": NOW - timedelta(hours=3),
        "shipped": NOW + timedelta(days=3),
    }.get(kind, shipped_at + timedelta(days=4))
    steps: list[tuple[str, datetime, dict[str, Any]]] = [
        (
            "pay",
            paid_at,
            {
                "details": PaymentDetails(payment_ref="PAY-1", estimated_ship_by=ship_by),
                "policy": Policy(),
            },
        ),
        (
            "ship",
            shipped_at,
            {
                "details": ShipmentDetails(
                    carrier="Correos Express",
                    tracking_number="CX1",
                    estimated_delivery_by=deliver_by,
                )
            },
        ),
        ("deliver", shipped_at + timedelta(days=3), {"details": DeliveryDetails()}),
    ]
    taken = {
        "created": [],
        "paid": ["pay"],
        "late-to-ship": ["pay"],
        "cancelled": ["pay"],
        "shipped": ["pay", "ship"],
        "late-to-arrive": ["pay", "ship"],
        "delivered": ["pay", "ship", "deliver"],
    }[kind]
    order = a_new_order(order_id="ORD-TEMPLATE", customer_id="cust-template", placed_at=placed)
    history = [HistoryEntry(version=1, at=placed, event="create", actor=SHOP, to_status="created")]
    events = [step for step in steps if step[0] in taken]
    if kind == "cancelled":
        cancel = {"details": CancellationDetails(reason="Out of stock")}
        events.append(("cancel", paid_at + timedelta(hours=3), cancel))
    for event, at, data in events:
        before = order.status
        order = apply_event(order, event, now=at, **data)
        history.append(
            HistoryEntry(
                version=len(history) + 1,
                at=at,
                event=event,
                actor=SHOP,
                from_status=before,
                to_status=order.status,
            )
        )
    return order.model_copy(update={"version": len(history)}), history


def _kinds(orders: int, late_fraction: float) -> list[str]:
    """The kind of each order, spread over the table in a scattered but fixed order."""
    late = round(orders * late_fraction)
    on_time = orders - late
    kinds = [*(["late-to-ship"] * (late // 2)), *(["late-to-arrive"] * (late - late // 2))]
    for kind, fraction in ON_TIME_MIX:
        kinds += [kind] * round(on_time * fraction)
    kinds = (kinds + ["delivered"] * orders)[:orders]
    step = 7919 if math.gcd(7919, orders) == 1 else 1
    return [kinds[(n * step) % orders] for n in range(orders)]


def _items(orders: int, late_fraction: float, shards: int) -> Iterator[dict[str, Any]]:
    """Every item the store would have written for `orders` orders: each order item as the
    store writes it, and the history entries of the order's life."""
    lives = {}
    for kind in ("late-to-ship", "late-to-arrive", *(kind for kind, _ in ON_TIME_MIX)):
        template, history = _life(kind)
        lives[kind] = (template, history)
    for n, kind in enumerate(_kinds(orders, late_fraction)):
        template, history = lives[kind]
        order_id = f"ORD-{n:07d}"
        order = template.model_copy(
            update={"order_id": order_id, "customer_id": f"cust-{n % 5000:05d}"}
        )
        yield to_attributes(codec.order_item(order, shards))
        for entry in history:
            yield to_attributes(codec.history_item(order_id, entry))


# --- moto ---------------------------------------------------------------------------------------


def _no_rollback_copy(self: Table, memo: dict[int, Any]) -> Table:
    """moto copies a whole table before each write of a transaction, to restore it if the
    transaction is refused. Here it gets the table itself: a refused transaction would keep its
    first writes. None is refused in these runs (nothing races the check, no case is open, and
    case numbers are drawn from twelve digits, so none meets a taken one), and
    the benchmark says so if one was: any order the check had to read again (what a refused
    transaction leads to), any delay not recorded."""
    return self


def _items_unsorted(self: Table) -> list[Item]:
    """moto's list of every item of a table, without sorting it first: every caller here (a
    Query) keeps only one partition's items and sorts those itself."""
    return [item for partition in self.items.values() for item in partition.values()]


class _DirectLoader:
    """Puts items straight into moto's table. Most attributes of an item are those of an earlier
    item with the same sort key and attribute names (the same step of the same kind of order);
    their stored values are shared, and only the attributes that differ are converted."""

    def __init__(self, table: Table) -> None:
        self._table = table
        self._templates: dict[tuple[str, frozenset[str]], tuple[dict[str, Any], Item]] = {}
        self.count = 0

    def put(self, raw: dict[str, Any]) -> None:
        key = (raw["sk"]["S"], frozenset(raw))
        template = self._templates.get(key)
        item: Item = object.__new__(Item)  # not kept in moto's list of every model instance
        item.hash_key, item.range_key = DynamoType(raw["pk"]), DynamoType(raw["sk"])
        # Skips LimitedSizeDict's size check per attribute (quadratic); the store's items are
        # far below the limit.
        attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        if template is None:
            dict.__init__(attrs, {name: DynamoType(value) for name, value in raw.items()})
        else:
            template_raw, template_item = template
            dict.__init__(attrs, template_item.attrs)
            for name, value in raw.items():
                if value != template_raw[name]:
                    dict.__setitem__(attrs, name, DynamoType(value))
        item.attrs = attrs
        if template is None:
            self._templates[key] = (raw, item)
        self._table.items[item.hash_key][item.range_key] = item
        self.count += 1


@dataclass(frozen=True)
class Result:
    orders: int
    table_items: int
    late: int
    items_read: int
    queries: int
    transactions: int
    other_requests: int
    delays_recorded: int
    failures: int
    reread: int
    seconds: float
    load_seconds: float

    @property
    def read_per_late(self) -> float:
        return self.items_read / self.late if self.late else float("nan")

    @property
    def requests_per_late(self) -> float:
        requests = self.queries + self.transactions + self.other_requests
        return requests / self.late if self.late else float("nan")

    @property
    def ms_per_late(self) -> float:
        return 1000 * self.seconds / self.late if self.late else float("nan")


def _environment(tables: dict[str, str]) -> None:
    """DelayCheckFunction's environment, as the template sets it."""
    refs = parameter_defaults() | tables
    os.environ.update(function_environment(functions()[FUNCTION], refs))
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    forget_process_state()


def run(orders: int, late_fraction: float = LATE_FRACTION) -> Result:
    tables = {logical_id: logical_id for logical_id in resources("AWS::DynamoDB::Table")}
    _environment(tables)
    wiring.utc_now = lambda: NOW
    # Numbers from the widest range: a draw that met a taken number would refuse its transaction,
    # which this benchmark's moto cannot roll back (see `_no_rollback_copy`)
    wiring.case_numbers = lambda: CaseNumbers(digits=MAX_DIGITS)
    patched = {"__deepcopy__": _no_rollback_copy, "all_items": _items_unsorted}
    originals = {name: Table.__dict__.get(name) for name in patched}
    for name, replacement in patched.items():
        setattr(Table, name, replacement)
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name=REGION)
            for request in create_table_requests(tables):
                client.create_table(**request)
            settings = config.store_settings()
            loader = _DirectLoader(dynamodb_backends[ACCOUNT][REGION].tables[settings.orders_table])
            started = time.perf_counter()
            for item in _items(orders, late_fraction, settings.due_index_shards):
                loader.put(item)
            load_seconds = time.perf_counter() - started
            return _measure(orders, round(orders * late_fraction), loader.count, load_seconds)
    finally:
        for name, original in originals.items():
            if original is None:
                delattr(Table, name)
            else:
                setattr(Table, name, original)


def _measure(orders: int, late: int, table_items: int, load_seconds: float) -> Result:
    check = wiring.delay_check()
    counts: dict[str, int] = defaultdict(int)
    scanned = 0

    def after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        nonlocal scanned
        counts[model.name] += 1
        if model.name == "Query":
            scanned += int(parsed.get("ScannedCount", len(parsed.get("Items", []))))

    events = aws.dynamodb().meta.events
    events.register("after-call.dynamodb", after_call)
    try:
        started = time.perf_counter()
        report = check.run(lambda: 900_000)
        seconds = time.perf_counter() - started
    finally:
        events.unregister("after-call.dynamodb", after_call)
    return Result(
        orders=orders,
        table_items=table_items,
        late=late,
        items_read=scanned,
        queries=counts.pop("Query", 0),
        transactions=counts.pop("TransactWriteItems", 0),
        other_requests=sum(counts.values()),
        delays_recorded=report.delays_recorded,
        failures=report.failures,
        reread=report.orders_reread,
        seconds=seconds,
        load_seconds=load_seconds,
    )


def _print(results: Sequence[Result]) -> None:
    shards = parameter_defaults()["DueIndexShards"]
    page = functions()[FUNCTION].environment["DELAY_CHECK_PAGE_SIZE"]
    print(
        "\nDelay check, one run, in-process moto (mock_aws); "
        f"DueIndexShards={shards}, page size {page}"
    )
    header = (
        "orders",
        "table items",
        "late",
        "items read",
        f"read/late (goal ≤ {GOAL_ITEMS_READ_PER_LATE_ORDER})",
        "a Scan reads",
        "requests/late",
        "wall ms/late",
        "recorded",
    )
    rows = [
        (
            f"{r.orders:,}",
            f"{r.table_items:,}",
            f"{r.late:,}",
            f"{r.items_read:,}",
            f"{r.read_per_late:.3f} "
            + ("PASS" if r.read_per_late <= GOAL_ITEMS_READ_PER_LATE_ORDER else "MISS"),
            f"{r.table_items:,} ({r.table_items / max(r.items_read, 1):,.0f}×)",
            f"{r.requests_per_late:.2f} ({r.queries} Query, {r.transactions} Tx)",
            f"{r.ms_per_late:.1f}",
            f"{r.delays_recorded:,}" + (f", {r.failures} failed" if r.failures else ""),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(
        "Items and requests are the check's own. Wall time is in-process moto's (it walks the"
        " whole table for each Query on an index), not DynamoDB's; see the module's docstring."
    )
    for r in results:
        if r.delays_recorded != r.late or r.failures or r.reread:
            print(
                f"WARNING: {r.orders:,} orders: {r.delays_recorded} of {r.late} delays recorded, "
                f"{r.failures} failed, {r.reread} orders read again: the figures are not sound"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--late", type=float, default=LATE_FRACTION, help="fraction late")
    args = parser.parse_args(argv)
    results = []
    for orders in args.orders:
        print(f"loading {orders:,} orders and running the check…", flush=True)
        result = run(orders, args.late)
        print(f"  loaded in {result.load_seconds:.1f} s, checked in {result.seconds:.1f} s")
        results.append(result)
    _print(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
