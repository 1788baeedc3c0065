"""`make bench`: every figure, with its goal. It reports; it exits 0 whatever the figures."""

import platform
import sys

from tests.bench import (
    bench_attachments,
    bench_cold,
    bench_delay_check,
    bench_emulator,
    bench_events,
    bench_routes,
)
from tests.bench.report import print_table, summary


def main() -> None:
    print(
        f"Order Help Center benchmark — Python {platform.python_version()}, "
        f"{platform.machine()}, {sys.platform}; figures vary with the machine and its load."
    )
    print("Cold start (fresh processes)…", file=sys.stderr)
    cold = bench_cold.run()
    print("Routes (in-process, moto)…", file=sys.stderr)
    routes = bench_routes.run()
    print_table(
        f"Routes, in-process against moto ({bench_routes.CALLS} calls each after "
        f"{bench_routes.WARMUP} warm-up; the idempotency table's requests are not counted)",
        routes,
    )
    print_table(bench_cold.TITLE, cold)
    emulator = bench_emulator.run()
    print_table("The local emulator, over the loopback interface", emulator)
    events = bench_events.run()
    print_table("Domain events: commit → bus latency (local stack)", events)
    print("Photos and files (fresh processes)…", file=sys.stderr)
    attachments = bench_attachments.run()
    print_table(
        "Photos and files (in-process moto, one fresh process per measurement)", attachments
    )
    print(f"\n{summary([*routes, *cold, *emulator, *events, *attachments])}")
    print("\nThe delay check at two table sizes (in-process moto)…", flush=True)
    bench_delay_check.main([])


if __name__ == "__main__":
    main()
