"""The API Gateway HTTP API emulator: routes and authorizers from the template, version 2.0 events
to the functions' execution environments, their results back as HTTP — and API Gateway's own
answers where API Gateway answers without calling a function."""

import json
import secrets
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

from orderhelp_dev.local.apigw import (
    HttpRequest,
    HttpResponse,
    build_event,
    new_request_id,
    response_from_result,
)
from orderhelp_dev.local.cors import CorsConfiguration
from orderhelp_dev.local.environments import FunctionPool, Invocation
from orderhelp_dev.local.identities import JwtAuthorizer, Refusal
from orderhelp_dev.local.lambda_runtime import match_route, most_specific_first
from orderhelp_dev.local.site import LocalSite
from orderhelp_dev.local.template import LOCAL_ACCOUNT_ID, Route

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
"""API Gateway's payload limit."""

BODY_READ_TIMEOUT_SECONDS = 10.0
"""How long a connection may stay silent (a stalled body, an idle keep-alive) before it is
closed; a body that stalls is answered 400 first."""

GATEWAY_HEADERS = (("cache-control", "no-store"), ("x-content-type-options", "nosniff"))
"""On API Gateway's own JSON answers, as on the functions': never cached, never sniffed."""


def gateway_answer(
    status: int, message: str, headers: Sequence[tuple[str, str]] = ()
) -> HttpResponse:
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(
        status, [("content-type", "application/json"), *GATEWAY_HEADERS, *headers], body
    )


BAD_REQUEST = 400, "Bad Request"
NOT_FOUND = 404, "Not Found"
INTERNAL_ERROR = 502, "Internal Server Error"
"""What API Gateway answers when the function raised, crashed, timed out or returned something
it cannot map."""


class JsonLog:
    """The stack's output: one JSON document per line, from any thread."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stdout
        self._lock = threading.Lock()
        self._errors_only = False

    @contextmanager
    def only_errors(self) -> Iterator[None]:
        """While loading the demo: its few dozen requests would bury the banner."""
        self._errors_only = True
        try:
            yield
        finally:
            self._errors_only = False

    def write(self, **fields: Any) -> None:
        if self._errors_only and fields.get("level") != "ERROR":
            return
        self.write_text(json.dumps(fields, ensure_ascii=False, default=str))

    def write_text(self, text: str) -> None:
        """`text` and its newline in one write, so lines of other processes never cut it."""
        with self._lock:
            self._stream.write(text + "\n")
            self._stream.flush()


class ApiGatewayEmulator:
    def __init__(
        self,
        routes: Sequence[Route],
        pools: Mapping[str, FunctionPool],
        authorizers: Mapping[str, JwtAuthorizer],
        *,
        region: str,
        log: JsonLog,
        api_id: str = "local",
        site: LocalSite | None = None,
        cors: CorsConfiguration | None = None,
    ) -> None:
        self.routes = most_specific_first(routes)
        self._site = site
        self._cors = cors
        self._pools = pools
        self._authorizers = authorizers
        self._region = region
        self._log = log
        self._api_id = api_id

    def handle(self, request: HttpRequest, host: str) -> tuple[HttpResponse, str]:
        """The response to `request`, and the route key that answered it (`-` for none)."""
        if self._cors is None:
            return self._handle(request, host)
        headers = {name.lower(): value for name, value in request.headers}
        if request.method == "OPTIONS":
            preflight = self._cors.preflight(headers)
            if preflight is not None:
                return self._answered(preflight, new_request_id()), "-"
        response, route_key = self._handle(request, host)
        return self._cors.on_answer(headers, response), route_key

    def _handle(self, request: HttpRequest, host: str) -> tuple[HttpResponse, str]:
        request_id = new_request_id()
        started = time.monotonic()
        match = match_route(request.method, request.raw_path, self.routes)
        if match is None:
            # API routes come first; the page's files and the local sign-in only fill the gaps.
            served = self._site.answer(request) if self._site is not None else None
            return self._answered(served or gateway_answer(*NOT_FOUND), request_id), "-"
        route = match.route
        authorization = None
        if route.authorizer is not None:
            authorizer = self._authorizers.get(route.authorizer)
            if authorizer is None:
                raise LookupError(f"the template has no JWT authorizer named {route.authorizer}")
            headers = {name.lower(): value for name, value in request.headers}
            outcome = authorizer.authorize(headers, route.scopes)
            if isinstance(outcome, Refusal):
                refusal = gateway_answer(
                    outcome.status,
                    outcome.message,
                    [("www-authenticate", outcome.www_authenticate)],
                )
                return self._answered(refusal, request_id), match.route_key
            authorization = outcome
        event = build_event(
            request,
            route_key=match.route_key,
            path_parameters=match.path_parameters,
            authorization=authorization,
            api_id=self._api_id,
            account_id=LOCAL_ACCOUNT_ID,
            domain_name=host,
            request_id=request_id,
        )
        invocation = self._pools[route.function].invoke(event)
        response = self._mapped(invocation, route, time.monotonic() - started)
        return self._answered(response, request_id), match.route_key

    def _mapped(self, invocation: Invocation, route: Route, elapsed: float) -> HttpResponse:
        if invocation.failed:
            self._log.write(
                level="ERROR",
                message="the function failed; API Gateway answers 502",
                function=route.function,
                requestId=invocation.request_id,
                **(invocation.error or {}),
            )
            return gateway_answer(*INTERNAL_ERROR)
        try:
            return response_from_result(invocation.result)
        except (ValueError, TypeError, KeyError) as malformed:
            self._log.write(
                level="ERROR",
                message=f"the function's response is malformed: {malformed}",
                function=route.function,
                requestId=invocation.request_id,
            )
            return gateway_answer(*INTERNAL_ERROR)

    @staticmethod
    def _answered(response: HttpResponse, request_id: str) -> HttpResponse:
        response.headers.append(("apigw-requestid", request_id))
        return response


class BadBody(Exception):
    """The request's body cannot be read as its headers say: API Gateway answers 400."""


class BodyTooLarge(Exception):
    pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "EmulatorServer"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.read_timeout)
        # Every answer goes out in one write; without Nagle's wait for the ACK that a delayed-ACK
        # client holds back, a keep-alive request is not ~40 ms late.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        started = time.monotonic()
        raw_path, _, raw_query = self.path.partition("?")
        try:
            body = self._body()
        except BodyTooLarge:
            self.close_connection = True
            self._send(gateway_answer(413, "Request Entity Too Large"))
            return
        except (BadBody, TimeoutError):
            # What is left of the body cannot be told from the next request: close after.
            self.close_connection = True
            self._send(gateway_answer(*BAD_REQUEST))
            return
        client_ip = self.client_address[0]
        headers = [*self.headers.items()]
        # What API Gateway's front door adds to every request it forwards.
        headers += [
            ("x-forwarded-for", client_ip),
            ("x-forwarded-port", str(self.server.server_address[1])),
            ("x-forwarded-proto", "http"),
            ("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"),
        ]
        request = HttpRequest(self.command, raw_path, raw_query, headers, body, client_ip)
        host = self.headers.get("host") or "localhost"
        emulator = self.server.emulator
        assert emulator is not None, "the server serves only once its emulator is set"
        try:
            response, route_key = emulator.handle(request, host)
        except Exception as error:
            self.server.log.write(level="ERROR", message=f"emulator error: {error!r}")
            response, route_key = gateway_answer(500, "Internal Server Error"), "-"
        self._send(response)
        self.server.log.write(
            level="INFO",
            message="request",
            requestId=dict(response.headers).get("apigw-requestid"),
            routeKey=route_key,
            method=self.command,
            path=raw_path,
            status=response.status,
            responseLatencyMs=round((time.monotonic() - started) * 1000),
        )

    def _body(self) -> bytes:
        """The request's body, sent whole or in chunks. `BadBody` when its length or chunks are
        malformed or it ends (or stalls) before its length; `BodyTooLarge` past the limit."""
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._chunked_body()
        declared = self.headers.get_all("content-length") or []
        if not declared:
            return b""
        if len(set(declared)) != 1 or not declared[0].strip().isdigit():
            raise BadBody("Content-Length is not one non-negative number")
        length = int(declared[0])
        if length > MAX_PAYLOAD_BYTES:
            raise BodyTooLarge
        return self._exactly(length)

    def _chunked_body(self) -> bytes:
        body = b""
        while True:
            size_line = self.rfile.readline(1024)
            size_text = size_line.split(b";")[0].strip()
            if not size_line.endswith(b"\n") or not _is_hex(size_text):
                raise BadBody("a chunk's size is not a hexadecimal number on its own line")
            size = int(size_text, 16)
            if size == 0:
                break
            if len(body) + size > MAX_PAYLOAD_BYTES:
                raise BodyTooLarge
            body += self._exactly(size)
            if self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise BadBody("a chunk is longer than its size")
        for _ in range(100):  # trailers, up to the blank line
            trailer = self.rfile.readline(8192)
            if not trailer.endswith(b"\n"):
                raise BadBody("the chunked body ends before its last line")
            if not trailer.strip():
                return body
        raise BadBody("too many trailers")

    def _exactly(self, length: int) -> bytes:
        data = self.rfile.read(length)
        if len(data) != length:
            raise BadBody("the body ended before its length")
        return data

    def _send(self, response: HttpResponse) -> None:
        """The status line, the headers and the body in one write."""
        reason = self.responses.get(response.status, ("",))[0]
        lines = [f"{self.protocol_version} {response.status} {reason}"]
        lines += [
            f"{name}: {value}"
            for name, value in response.headers
            if name not in ("content-length", "connection", "date")
        ]
        lines.append(f"date: {formatdate(usegmt=True)}")
        if response.status != 304:  # (a 304 has no body, and describes the 200's)
            lines.append(f"content-length: {len(response.body)}")
        if self.close_connection:
            lines.append("connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.wfile.write(head if self.command == "HEAD" else head + response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are logged as JSON by `_serve`."""


def _is_hex(text: bytes) -> bool:
    return bool(text) and all(char in b"0123456789abcdefABCDEF" for char in text)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # room for bursts of concurrent connections

    def __init__(
        self,
        address: tuple[str, int],
        log: JsonLog,
        read_timeout: float = BODY_READ_TIMEOUT_SECONDS,
    ) -> None:
        """Binds `address` at once (a taken port fails here); serves once `emulator` is set."""
        self.emulator: ApiGatewayEmulator | None = None
        self.log = log
        self.read_timeout = read_timeout
        super().__init__(address, _RequestHandler)


@contextmanager
def serving(server: EmulatorServer) -> Iterator[int]:
    """`server` answering on a thread of its own for the block (tests and benchmarks); its port."""
    thread = threading.Thread(target=server.serve_forever, name="api-gateway", daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
