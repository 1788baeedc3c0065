"""The local stack's HTTP front door over real sockets: the page server, the local sign-in and
API Gateway's own answers (bodies it cannot read, CORS) — no function runs in these tests."""

import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from orderhelp_dev.local.cors import cors_configuration
from orderhelp_dev.local.emulator import ApiGatewayEmulator, EmulatorServer, JsonLog, serving
from orderhelp_dev.local.identities import (
    JwtAuthorizer,
    SigningKey,
    TokenIssuer,
    identity_provider,
    jwt_authorizers,
)
from orderhelp_dev.local.serve import ServeOptions, serve
from orderhelp_dev.local.site import WEB_ROOT, LocalSite, LocalUser
from orderhelp_dev.local.template import (
    LOCAL_REGION,
    http_routes,
    load_template,
    local_references,
)

READ_TIMEOUT = 0.5
"""The server's silence limit here, so that a stalled body is answered quickly."""

WEB_ORIGIN = "https://webdistribution.localhost"
"""The template's allowed origin (the CloudFront distribution's), as the local stack names it."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    template = load_template()
    refs = local_references(template, LOCAL_REGION)
    key = SigningKey.generate()
    configs = jwt_authorizers(template, refs)
    tokens = TokenIssuer(key, identity_provider(template, next(iter(configs.values()))))
    site = LocalSite(WEB_ROOT, [LocalUser("cust-lucia", "Lucía", "customer", "es")], tokens)
    server = EmulatorServer(("127.0.0.1", 0), JsonLog(io.StringIO()), READ_TIMEOUT)
    server.emulator = ApiGatewayEmulator(
        list(http_routes(template)),
        {},  # no function: every API request here is refused before one would run
        {name: JwtAuthorizer(config, {key.kid: key}) for name, config in configs.items()},
        region=LOCAL_REGION,
        log=server.log,
        site=site,
        cors=cors_configuration(template, refs),
    )
    with serving(server) as port:
        yield port


def exchange(port: int, request: bytes, *, check_closed: bool = False) -> tuple[Answer, bool]:
    """Send `request` as raw bytes and read one answer; with `check_closed`, also whether the
    server closed the connection after it (waiting up to its silence limit)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                break
            body += chunk
        closed = False
        if check_closed:
            connection.settimeout(READ_TIMEOUT * 4)
            try:
                closed = connection.recv(1) == b""
            except TimeoutError:
                closed = False
    return Answer(status, headers, body), closed


def request(
    method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body and not any(
        name.lower() in ("content-length", "transfer-encoding") for name in headers or {}
    ):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def call(port: int, *args: Any, **kwargs: Any) -> Answer:
    answer, _ = exchange(port, request(*args, **kwargs))
    return answer


# --- the page server --------------------------------------------------------------------------


def test_the_page_is_served(port: int) -> None:
    answer = call(port, "GET", "/")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")


def test_a_file_still_the_same_is_a_304_without_its_bytes(port: int) -> None:
    first = call(port, "GET", "/js/app.js")
    assert first.status == 200
    assert first.headers["cache-control"] == "no-cache"  # (asked again on every load)
    tag = first.headers["etag"]
    again = call(port, "GET", "/js/app.js", {"If-None-Match": f'"other", W/{tag}'})
    assert (again.status, again.body) == (304, b"")
    assert "content-length" not in again.headers
    assert again.headers["etag"] == tag
    # Another file, or a tag of another version of this one, is the whole file again
    other = call(port, "GET", "/js/api.js", {"If-None-Match": tag})
    assert other.status == 200
    assert other.headers["etag"] != tag
    assert call(port, "GET", "/js/app.js", {"If-None-Match": '"other"'}).body == first.body


@pytest.mark.parametrize("path", ["/%00", "/index.html%00.js", "/js/%00/app.js", "/a%0Ab", "/%7F"])
def test_a_path_with_a_nul_or_control_is_a_400(port: int, path: str) -> None:
    answer = call(port, "GET", path)
    assert answer.status == 400
    assert answer.json()["error"]["code"] == "bad_path"


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 300,  # one name longer than any file system takes
        "/" + "a/" * 600,  # a path longer than the page has
        "/" + "%E2%80%8B" * 2000,
        "/index.html/" + "x" * 255,
    ],
    ids=["a long name", "a deep path", "a long encoded path", "below a file"],
)
def test_an_over_long_path_is_a_404(port: int, path: str) -> None:
    assert call(port, "GET", path).status == 404


def test_a_request_line_over_the_servers_limit_is_refused_not_a_500(port: int) -> None:
    answer = call(port, "GET", "/" + "a" * 70_000)
    assert 400 <= answer.status < 500


# --- the local sign-in --------------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}


def sign_in(port: int, body: bytes, headers: dict[str, str] | None = None) -> Answer:
    return call(port, "POST", "/__local/sign-in", JSON if headers is None else headers, body)


def test_the_sign_in_mints_a_token_for_a_loopback_name(port: int) -> None:
    for host in ("127.0.0.1", f"localhost:{port}", f"[::1]:{port}", f"127.0.0.1:{port}"):
        answer = sign_in(port, b'{"user_id": "cust-lucia"}', JSON | {"Host": host})
        assert answer.status == 200, host
        assert answer.json()["token_type"] == "Bearer"


@pytest.mark.parametrize(
    "body",
    [b"{", b"null x", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000],
    ids=["cut short", "trailing text", "not UTF-8", "nested 100,000 deep"],
)
def test_a_sign_in_that_is_not_json_is_a_400(port: int, body: bytes) -> None:
    answer = sign_in(port, body)
    assert answer.status == 400
    assert answer.json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}],
    ids=["no content type", "text", "a form"],
)
def test_the_sign_in_takes_json_only(port: int, headers: dict[str, str]) -> None:
    answer = sign_in(port, b'{"user_id": "cust-lucia"}', headers)
    assert answer.status == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "host", ["attacker.example", f"attacker.example:{0}", "127.0.0.1.nip.io", "", "10.0.0.5"]
)
def test_the_sign_in_answers_no_other_host_name(port: int, host: str) -> None:
    """A page whose name resolves to 127.0.0.1 (DNS rebinding) still sends its own name."""
    headers = JSON | ({"Host": host.format(port)} if host else {})
    for method, path, body in (
        ("POST", "/__local/sign-in", b'{"user_id": "cust-lucia"}'),
        ("GET", "/__local/users", b""),
    ):
        raw = request(method, path, headers, body)
        if not host:
            raw = raw.replace(b"Host: 127.0.0.1\r\n", b"")
        answer, _ = exchange(port, raw)
        assert answer.status == 403, (method, host)
        assert answer.json()["error"]["code"] == "host_not_served"


def test_a_stack_told_to_let_the_network_sign_in_answers_any_host() -> None:
    from orderhelp_dev.local.apigw import HttpRequest

    site = LocalSite(WEB_ROOT, [], None, served_hosts=None)
    answer = site.answer(HttpRequest("GET", "/__local/users", headers=[("host", "192.0.2.1")]))
    assert answer is not None and answer.status == 200


def test_serve_refuses_a_network_host_with_the_sign_in_unless_told(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    status = serve(ServeOptions(host="0.0.0.0", port=1, state_root=tmp_path))

    assert status == 2
    said = capsys.readouterr().err
    assert "--let-network-sign-in-as-anyone" in said and "--no-web" in said


# --- bodies API Gateway cannot read -----------------------------------------------------------


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "0x10", " ", "5, 7"], ids=repr)
def test_a_content_length_that_is_not_a_length_is_a_400(port: int, length: str) -> None:
    answer, closed = exchange(
        port,
        request("POST", "/orders/ORD-1/help/payment_issue", {"Content-Length": length}, b"{}"),
        check_closed=True,
    )
    assert answer.status == 400
    assert answer.json() == {"message": "Bad Request"}
    assert closed


def test_two_content_lengths_that_disagree_are_a_400(port: int) -> None:
    raw = request("POST", "/orders", {"Content-Length": "2"}, b"{}").replace(
        b"Content-Length: 2\r\n", b"Content-Length: 2\r\nContent-Length: 5\r\n"
    )
    answer, _ = exchange(port, raw)
    assert answer.status == 400


def test_a_body_shorter_than_its_length_is_a_400_once_it_stalls(port: int) -> None:
    answer, closed = exchange(
        port,
        request("POST", "/orders", {"Content-Length": "100"}, b'{"message"'),
        check_closed=True,
    )
    assert answer.status == 400
    assert closed


def test_a_body_cut_short_by_the_client_is_a_400(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request("POST", "/orders", {"Content-Length": "100"}, b"{"))
        connection.shutdown(socket.SHUT_WR)
        data = connection.recv(65536)
    assert data.startswith(b"HTTP/1.1 400 ")


@pytest.mark.parametrize(
    "chunks",
    [
        b"zz\r\n{}\r\n0\r\n\r\n",
        b"-2\r\n{}\r\n0\r\n\r\n",
        b"2\r\n{}xx\r\n0\r\n\r\n",
        b"\r\n",
        b"2\r\n{}\r\n",  # stalls before the last chunk
        b"2\r\n{",  # stalls inside a chunk
    ],
    ids=["not hex", "negative", "longer than its size", "no size", "no last chunk", "stalled"],
)
def test_bad_chunking_is_a_400(port: int, chunks: bytes) -> None:
    answer, closed = exchange(
        port,
        request("POST", "/orders", {"Transfer-Encoding": "chunked"}, chunks),
        check_closed=True,
    )
    assert answer.status == 400
    assert closed


def test_good_chunks_still_reach_the_route(port: int) -> None:
    answer = call(
        port, "POST", "/ops/orders", {"Transfer-Encoding": "chunked"}, b"2\r\n{}\r\n0\r\n\r\n"
    )
    assert answer.status == 401  # read whole, then refused for want of a token


# --- API Gateway's own answers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/orders", 401), ("GET", "/nowhere/at/all", 404), ("POST", "/orders", 400)],
)
def test_gateway_answers_are_never_cached_or_sniffed(
    port: int, method: str, path: str, status: int
) -> None:
    headers = {"Content-Length": "x"} if status == 400 else {}
    answer = call(port, method, path, headers)
    assert answer.status == status
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_keep_alive_connection_serves_request_after_request(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        for _ in range(3):
            connection.sendall(request("GET", "/orders"))
            data = connection.recv(65536)
            assert data.startswith(b"HTTP/1.1 401 ")


# --- CORS ----------------------------------------------------------------------------------------


def preflight(port: int, origin: str, method: str = "POST") -> Answer:
    return call(
        port,
        "OPTIONS",
        "/orders/ORD-1/help/payment_issue",
        {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )


def test_a_preflight_from_the_page_is_answered_as_the_template_configures(port: int) -> None:
    answer = preflight(port, WEB_ORIGIN)

    assert answer.status == 204
    assert answer.body == b""
    cors = {name: value for name, value in answer.headers.items() if name.startswith("access-")}
    assert cors == {
        "access-control-allow-origin": WEB_ORIGIN,
        "access-control-allow-methods": "GET,POST,PUT,DELETE",
        "access-control-allow-headers": "authorization,content-type,accept-language,"
        "idempotency-key",
        "access-control-max-age": "600",
    }


@pytest.mark.parametrize(
    "origin", ["https://attacker.example", "http://webdistribution.localhost", "null"]
)
def test_a_preflight_from_another_origin_gets_no_cors_header(port: int, origin: str) -> None:
    answer = preflight(port, origin)
    assert answer.status == 204
    assert not [name for name in answer.headers if name.startswith("access-control-")]


def test_answers_to_the_page_carry_its_origin_and_to_others_none(port: int) -> None:
    allowed = call(port, "GET", "/orders", {"Origin": WEB_ORIGIN})
    other = call(port, "GET", "/orders", {"Origin": "https://attacker.example"})

    assert allowed.status == other.status == 401
    assert allowed.headers["access-control-allow-origin"] == WEB_ORIGIN
    assert "access-control-allow-origin" not in other.headers


def test_an_options_request_that_is_no_preflight_is_routed_as_any_other(port: int) -> None:
    assert call(port, "OPTIONS", "/orders").status == 404
