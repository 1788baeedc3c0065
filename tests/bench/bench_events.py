"""Commit → bus: how long after a change is committed its event reaches the local bus, over
`BENCH_EVENTS` changes (200 by default), in the local stack as `make run` runs it (the embedded
DynamoDB's stream, read as Lambda's event source mapping reads it, the publisher's execution
environment, the local bus). Each change's commit time is its entry's `occurred_at` (the
changeset's clock, taken just before its transaction); its arrival is when the bus took the
event. Both clocks are this machine's."""

import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from orderhelp_dev.local.serve import LocalStack, ServeOptions
from tests.bench.report import Figure, percentile, print_table
from tests.e2e.shop import Shop
from tests.e2e.stack import Http, free_port

CHANGES = int(os.environ.get("BENCH_EVENTS", "200"))
P95_GOAL_SECONDS = 1.0
"""Within a second, nineteen times in twenty: what a person trying the demo calls at once."""


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as state:
        options = ServeOptions(port=free_port(), state_root=Path(state), demo=False)
        with open(os.devnull, "w", encoding="utf-8") as quiet:
            stack = LocalStack(options, out=quiet)
            stack.start()
            try:
                return _measure(stack)
            finally:
                stack.stop()


def _measure(stack: LocalStack) -> list[Figure]:
    assert stack.tokens is not None and stack.bus is not None
    shop = Shop(Http(stack.options.port), stack.tokens.ops())
    order_ids = []
    for _ in range(CHANGES):
        created = shop.create_order("cust-bench")
        assert created.status == 201, created.body
        order_ids.append(created.body["order_id"])
        _until_published(stack, len(order_ids))
    latencies = []
    for arrived, event in stack.bus.arrivals():
        if event["detail-type"] != "OrderCreated":
            continue
        committed = datetime.fromisoformat(event["detail"]["occurred_at"]).timestamp()
        latencies.append(max(0.0, arrived - committed))
    context = f"{len(latencies)} changes, one at a time"
    return [
        Figure("commit → bus", "p50", percentile(latencies, 0.5) * 1000, "ms", context=context),
        Figure(
            "commit → bus",
            "p95",
            percentile(latencies, 0.95) * 1000,
            "ms",
            goal=P95_GOAL_SECONDS * 1000,
            context=context,
        ),
    ]


def _until_published(stack: LocalStack, count: int) -> None:
    assert stack.bus is not None
    deadline = time.monotonic() + 30
    while stack.bus.count() < count and time.monotonic() < deadline:
        time.sleep(0.002)  # polling, bounded by the deadline


def main() -> None:
    print("Commit → bus in the local stack…", file=sys.stderr)
    print_table("Domain events: commit → bus latency (local stack)", run())


if __name__ == "__main__":
    main()
