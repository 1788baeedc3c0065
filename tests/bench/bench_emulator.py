"""The local emulator's front door: a keep-alive request against a request on a new connection.

A browser reuses its connection. An answer written in two pieces (headers, then body) waits on
the second for Nagle's algorithm until the client's delayed ACK (~40 ms on Linux), so every
keep-alive request would be ~40 ms late while a new connection is not; answered in one write with
TCP_NODELAY, the keep-alive request is the faster one (no handshake). Measured on the page's
`/config.json`, which the emulator answers without running a function, so the figure is the
front door's alone; both kinds alternate within one run and their medians are compared."""

import http.client
import io
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from orderhelp_dev.local.emulator import ApiGatewayEmulator, EmulatorServer, JsonLog, serving
from orderhelp_dev.local.site import WEB_ROOT, LocalSite
from tests.bench.report import Figure, print_table

REQUESTS = 200
KEEP_ALIVE_GOAL = 1.0  # × a request on a new connection
PATH = "/config.json"


@contextmanager
def _emulator() -> Iterator[int]:
    server = EmulatorServer(("127.0.0.1", 0), JsonLog(io.StringIO()))
    server.emulator = ApiGatewayEmulator(
        [], {}, {}, region="eu-west-1", log=server.log, site=LocalSite(WEB_ROOT)
    )
    with serving(server) as port:
        yield port


def _timed_get(connection: http.client.HTTPConnection) -> float:
    started = time.perf_counter()
    connection.request("GET", PATH)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    assert response.status == 200, response.status
    return elapsed


def run() -> list[Figure]:
    keep_alive: list[float] = []
    fresh: list[float] = []
    with _emulator() as port:
        reused = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        _timed_get(reused)  # the connection is open before the first measured request
        for _ in range(REQUESTS):
            keep_alive.append(_timed_get(reused))
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            fresh.append(_timed_get(connection))
            connection.close()
        reused.close()
    kept, new = statistics.median(keep_alive), statistics.median(fresh)
    subject = "emulator, GET /config.json"
    return [
        Figure(subject, "keep-alive p50", kept * 1000, "ms", context=f"{REQUESTS} requests"),
        Figure(subject, "new connection p50", new * 1000, "ms", context="connect + request"),
        Figure(
            subject,
            "keep-alive / new connection",
            kept / new,
            "×",
            goal=KEEP_ALIVE_GOAL,
            context="answered in two writes without TCP_NODELAY: 43 ms, 9.9× (measured here)",
        ),
    ]


def main() -> None:
    print_table("The local emulator, over the loopback interface", run())


if __name__ == "__main__":
    main()
