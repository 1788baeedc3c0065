"""The API Gateway emulator and the execution environments, on a test-only template whose
functions echo what they receive, answer in every shape, fail in every way and meet each other."""

import base64
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.aws_shapes import HTTP_API_EVENT, SCHEDULED_EVENT_KEYS
from tests.e2e.conftest import ECHO_TEMPLATE
from tests.e2e.stack import ROOT, LocalStack, process_exists, running_stack

ENVIRONMENTS = 4


@pytest.fixture(scope="module")
def echo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with running_stack(
        tmp_path_factory.mktemp("echo"),
        "--template",
        str(ECHO_TEMPLATE),
        "--no-demo",
        "--schedule-every",
        "0.2",
        "--max-concurrency",
        str(ENVIRONMENTS),
    ) as running:
        yield running


def raw_request(
    port: int, method: str, path: str, headers: list[tuple[str, str]], body: bytes = b""
) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in [*headers, ("Content-Length", str(len(body)))]:
        connection.putheader(name, value)
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def same_shape(sample: Any, ours: Any, path: str = "event") -> list[str]:
    """Where `ours` differs in shape from `sample`: missing or extra keys, other JSON types.
    Maps whose keys depend on the request (headers, claims, parameters) are compared by value
    type only."""
    if isinstance(sample, dict):
        return _same_object_shape(sample, ours, path)
    if isinstance(sample, list):
        if ours is None and path.endswith("jwt.scopes"):
            return []  # API Gateway sends null scopes to a route that requires none
        if not isinstance(ours, list):
            return [f"{path}: {type(ours).__name__}, not a list"]
        return [d for item in ours for d in same_shape(sample[0], item, f"{path}[]")]
    if type(sample) is not type(ours):
        return [f"{path}: {type(ours).__name__}, AWS sends {type(sample).__name__}"]
    return []


def _same_object_shape(sample: dict[str, Any], ours: Any, path: str) -> list[str]:
    if not isinstance(ours, dict):
        return [f"{path}: {type(ours).__name__}, not an object"]
    if path.endswith(("headers", "claims", "Parameters")):
        return [f"{path}.{k}: not a string" for k, v in ours.items() if not isinstance(v, str)]
    differences = [f"{path}.{key}: missing" for key in sample.keys() - ours.keys()]
    differences += [f"{path}.{key}: not in AWS's event" for key in ours.keys() - sample.keys()]
    for key in sample.keys() & ours.keys():
        differences += same_shape(sample[key], ours[key], f"{path}.{key}")
    return differences


def test_the_event_has_the_shape_api_gateway_sends(echo_stack: LocalStack) -> None:
    sample = HTTP_API_EVENT
    token = echo_stack.tokens().customer("cust-echo")
    response, data = raw_request(
        echo_stack.port,
        "POST",
        f"/echo/thing?{sample['rawQueryString']}",
        [
            ("Authorization", f"Bearer {token}"),
            ("Header1", "value1"),
            ("Header2", "value1"),
            ("Header2", "value2"),
            ("Cookie", "cookie1; cookie2"),
            ("User-Agent", "agent"),
            ("Content-Type", "application/octet-stream"),
        ],
        base64.b64decode(sample["body"]),
    )
    assert response.status == 200, data
    echoed = json.loads(data)
    event = echoed["event"]

    # Every key AWS sends is there with the same type, and nothing AWS would not send.
    assert same_shape(sample, event) == []

    # And the values are the request's, as API Gateway puts them
    assert event["version"] == "2.0"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "POST /echo/{item}"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/echo/thing"
    assert event["rawQueryString"] == sample["rawQueryString"]
    assert event["queryStringParameters"] == sample["queryStringParameters"]
    assert event["cookies"] == ["cookie1", "cookie2"]
    assert event["headers"]["header1"] == "value1"
    assert event["headers"]["header2"] == "value1,value2"
    assert all(name == name.lower() for name in event["headers"])
    assert event["pathParameters"] == {"item": "thing"}
    assert event["isBase64Encoded"] is True
    assert event["body"] == sample["body"]
    http_context = event["requestContext"]["http"]
    assert (http_context["method"], http_context["protocol"]) == ("POST", "HTTP/1.1")
    assert http_context["userAgent"] == "agent"
    assert http_context["sourceIp"] == "127.0.0.1"
    assert event["requestContext"]["requestId"] == response.getheader("apigw-requestid")
    assert event["requestContext"]["stage"] == "$default"
    assert re.fullmatch(r"\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000", event["requestContext"]["time"])
    assert abs(event["requestContext"]["timeEpoch"] / 1000 - time.time()) < 300
    jwt = event["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["sub"] == "cust-echo"
    assert jwt["claims"]["client_id"] == "WebClient"
    assert jwt["claims"]["exp"].isdigit()
    assert jwt["scopes"] is None  # the route requires no scope
    assert echoed["context"]["function_name"] == "EchoFunction"
    assert 0 < echoed["context"]["remaining_ms"] <= 10_000


def test_scopes_and_groups_reach_the_function_as_api_gateway_passes_them(
    echo_stack: LocalStack,
) -> None:
    tokens = echo_stack.tokens()
    scoped = echo_stack.http.call("GET", "/scoped", token=tokens.customer("cust-echo"))
    assert scoped.status == 200
    assert scoped.body["event"]["requestContext"]["authorizer"]["jwt"]["scopes"] == [
        "openid",
        "email",
    ]
    agent = echo_stack.http.call("POST", "/echo/x", {}, token=tokens.agent("agent-ana"))
    claims = agent.body["event"]["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["cognito:groups"] == "[agents]"
    # A route without an authorizer gets no authorizer context, whatever the request carries
    opened = echo_stack.http.call("DELETE", "/open/a/b/c", token=tokens.customer("c"))
    assert opened.status == 200
    assert opened.body["event"]["pathParameters"] == {"proxy": "a/b/c"}
    assert opened.body["event"]["routeKey"] == "ANY /open/{proxy+}"
    assert "authorizer" not in opened.body["event"]["requestContext"]


def test_results_are_mapped_back_as_api_gateway_maps_them(echo_stack: LocalStack) -> None:
    from tests.e2e.echo.echo_functions import PNG_BYTES

    response, data = raw_request(echo_stack.port, "GET", "/shapes/binary", [])
    assert (response.status, response.getheader("content-type")) == (200, "image/png")
    assert data == PNG_BYTES

    response, data = raw_request(echo_stack.port, "GET", "/shapes/bare", [])
    assert response.getheader("content-type") == "application/json"
    assert json.loads(data) == {"hello": "wörld"}

    response, data = raw_request(echo_stack.port, "GET", "/shapes/text", [])
    assert (response.status, json.loads(data)) == (200, "just text")

    token = echo_stack.tokens().customer("cust-echo")
    response, data = raw_request(
        echo_stack.port, "POST", "/echo/x", [("Authorization", f"Bearer {token}")]
    )
    assert response.getheader("x-echo") == "yes"
    assert "body" not in json.loads(data)["event"]  # no body, no `body` key
    cookies = [value for name, value in response.getheaders() if name.lower() == "set-cookie"]
    assert cookies == ["flavour=chocolate; Path=/", "size=large"]


def test_a_body_sent_in_chunks_arrives_whole(echo_stack: LocalStack) -> None:
    token = echo_stack.tokens().customer("cust-echo")
    connection = http.client.HTTPConnection("127.0.0.1", echo_stack.port, timeout=30)
    chunks = [b'{"greeting": ', '"¡hola!"'.encode(), b"}"]
    connection.request(
        "POST",
        "/echo/chunked",
        body=iter(chunks),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        encode_chunked=True,
    )
    event = json.loads(connection.getresponse().read())["event"]
    connection.close()
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == {"greeting": "¡hola!"}


@pytest.mark.parametrize("failure", ["raise", "crash", "malformed", "unserializable"])
def test_a_failing_function_is_a_502_and_the_stack_carries_on(
    echo_stack: LocalStack, failure: str
) -> None:
    failed = echo_stack.http.call("GET", f"/shapes/{failure}")
    assert (failed.status, failed.body) == (502, {"message": "Internal Server Error"})
    after = echo_stack.http.call("GET", "/shapes/pid")
    assert after.status == 200
    assert process_exists(after.body["pid"])


def test_requests_to_one_function_run_at_once_each_in_its_own_environment(
    echo_stack: LocalStack,
) -> None:
    # Each invocation waits until all have arrived: only possible if they run at the same time.
    group = uuid.uuid4().hex
    with ThreadPoolExecutor(ENVIRONMENTS) as pool:
        replies = list(
            pool.map(
                lambda _: echo_stack.http.call("GET", f"/rendezvous/{group}?n={ENVIRONMENTS}"),
                range(ENVIRONMENTS),
            )
        )
    assert [reply.body["met"] for reply in replies] == [True] * ENVIRONMENTS
    # … and no process ran two of them: one invocation per environment at a time
    assert len({reply.body["pid"] for reply in replies}) == ENVIRONMENTS


def test_the_template_schedules_fire_with_the_events_aws_sends(echo_stack: LocalStack) -> None:
    deadline = time.monotonic() + 20
    ticks: list[Any] = []
    while time.monotonic() < deadline:  # polling; the deadline only bounds a failure
        ticks = echo_stack.http.call("GET", "/ticks").body
        kinds = {tick.get("source") for tick in ticks}
        if {"aws.scheduler", "hourly-rule"} <= kinds and len(ticks) >= 4:
            break
        time.sleep(0.05)
    scheduler = [tick for tick in ticks if tick.get("source") == "aws.scheduler"]
    assert len(scheduler) >= 2, ticks
    for tick in scheduler:
        assert tick.keys() >= SCHEDULED_EVENT_KEYS - {"version"}
        assert tick["detail-type"] == "Scheduled Event"
        assert tick["resources"] == [
            "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/TickFunctionEveryFiveMinutes"
        ]
    # The rule's configured input is sent as is; the disabled schedule never fires
    assert {"source": "hourly-rule"} in ticks
    assert all(tick.get("source") in ("aws.scheduler", "hourly-rule") for tick in ticks)


def test_a_taken_port_is_one_line_naming_the_port_and_the_flag(echo_stack: LocalStack) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "orderhelp_dev.cli",
            "serve",
            "--port",
            str(echo_stack.port),
            "--no-demo",
            "--state-dir",
            str(echo_stack.state_root / "second"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(echo_stack.port) in lines[0] and "--port" in lines[0]


def test_ctrl_c_stops_everything_cleanly(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path, "--template", str(ECHO_TEMPLATE), "--no-demo").start()
    pids = {stack.http.call("GET", "/shapes/pid").body["pid"]}
    group = uuid.uuid4().hex
    threads = [
        threading.Thread(target=stack.http.call, args=("GET", f"/rendezvous/{group}?n=2"))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = stack.state.folder
    assert state.exists()

    assert stack.stop() == 0
    assert stack.output().rstrip().endswith("Stopped.")
    assert not state.exists()
    assert not any(process_exists(pid) for pid in pids)
    with socket.socket() as probe:  # the port is free again
        probe.bind(("127.0.0.1", stack.port))


def test_sigterm_stops_it_too(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path, "--template", str(ECHO_TEMPLATE), "--no-demo").start()
    assert stack.process is not None
    stack.process.send_signal(signal.SIGTERM)
    assert stack.process.wait(30) == 0
    assert not stack.state.folder.exists()
