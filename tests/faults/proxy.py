"""A small HTTP proxy between the handlers and the embedded DynamoDB that misbehaves on demand,
the way networks and services do on a bad day:

- `drop(operation, times)`: forward the request (DynamoDB applies it), then close the connection
  without the answer — the SDK sees the connection closed and retries;
- `hang(operation, forward)`: never answer (after forwarding the request, or before): the SDK's
  read timeout fires;
- `delay(operation, seconds)`: answer late;
- `reset(operation, forward)`: reset the connection (RST), after forwarding or before.

Faults apply to requests of one DynamoDB operation (its `X-Amz-Target`), `None` meaning every
operation. Everything else goes straight through, one keep-alive connection upstream per client
connection."""

import http.client
import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

TARGET_PREFIX = "DynamoDB_20120810."
HANG_AT_MOST_SECONDS = 30


@dataclass
class _Fault:
    kind: str
    operation: str | None
    times: int | None
    """How many requests it applies to; None: until healed."""
    forward: bool = True
    seconds: float = 0.0

    def applies_to(self, operation: str) -> bool:
        return (self.operation is None or self.operation == operation) and (
            self.times is None or self.times > 0
        )


class FaultyProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._healed = threading.Event()
        self.forwarded: Counter[str] = Counter()
        self.faulted: Counter[str] = Counter()
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.connection, self.rfile)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        # Polled every 50 ms, not socketserver's 0.5 s: `stop` waits for the loop to notice,
        # once per fault test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FaultyProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.heal()
        self._server.shutdown()
        self._server.server_close()

    # --- faults ----------------------------------------------------------------------------------

    def drop(self, operation: str | None = "TransactWriteItems", times: int | None = 1) -> None:
        self._arm(_Fault("drop", operation, times))

    def hang(self, operation: str | None = "TransactWriteItems", *, forward: bool = True) -> None:
        self._arm(_Fault("hang", operation, None, forward=forward))

    def delay(self, seconds: float, operation: str | None = None, times: int | None = None) -> None:
        self._arm(_Fault("delay", operation, times, seconds=seconds))

    def reset(
        self,
        operation: str | None = "TransactWriteItems",
        times: int | None = 1,
        *,
        forward: bool = True,
    ) -> None:
        self._arm(_Fault("reset", operation, times, forward=forward))

    def heal(self) -> None:
        """Every fault gone; requests held by a hang are released (and their connections
        closed, as a client that gave up would find them)."""
        with self._lock:
            self._faults.clear()
        self._healed.set()

    def _arm(self, fault: _Fault) -> None:
        with self._lock:
            self._healed.clear()
            self._faults.append(fault)

    def _fault_for(self, operation: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.applies_to(operation):
                    if fault.times is not None:
                        fault.times -= 1
                    self.faulted[operation] += 1
                    return fault
        return None

    # --- serving ---------------------------------------------------------------------------------

    def _serve(self, client: socket.socket, reader: Any) -> None:
        upstream = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            while True:
                request = _read_request(reader)
                if request is None:
                    return
                method, path, headers, body = request
                operation = headers.get("x-amz-target", "").removeprefix(TARGET_PREFIX)
                fault = self._fault_for(operation)
                if fault is not None and not fault.forward:
                    self._misbehave(fault, client)
                    return
                upstream.request(method, path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                self.forwarded[operation] += 1
                if fault is not None and fault.kind == "delay":
                    time.sleep(fault.seconds)
                elif fault is not None:
                    self._misbehave(fault, client)
                    return
                client.sendall(_response_bytes(answer, payload))
        except (ConnectionError, OSError):
            return
        finally:
            upstream.close()

    def _misbehave(self, fault: _Fault, client: socket.socket) -> None:
        if fault.kind == "hang":
            self._healed.wait(HANG_AT_MOST_SECONDS)
        if fault.kind == "reset":
            # SO_LINGER 0: close sends RST instead of FIN.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()


def _read_request(reader: Any) -> tuple[str, str, dict[str, str], bytes] | None:
    line = reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        header = reader.readline().decode("latin-1")
        if header in ("\r\n", "\n", ""):
            break
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return method, path, headers, body


def _response_bytes(answer: http.client.HTTPResponse, payload: bytes) -> bytes:
    lines = [f"HTTP/1.1 {answer.status} {answer.reason}"]
    for name, value in answer.getheaders():
        if name.lower() not in ("content-length", "transfer-encoding", "connection"):
            lines.append(f"{name}: {value}")
    lines += [f"Content-Length: {len(payload)}", "Connection: keep-alive", "", ""]
    return "\r\n".join(lines).encode("latin-1") + payload
