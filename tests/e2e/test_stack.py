"""The stack as a newcomer meets it: API Gateway's own answers, local identities, the demo, the
`orderhelp token` command and the ready-made lines the stack prints when it starts."""

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lifecycle.actions import HelpAction
from orderhelp.local.identities import SigningKey, TokenIssuer
from tests.e2e.stack import ROOT, Http, LocalStack


def test_unknown_routes_are_api_gateways_404(http: Http, tokens: TokenIssuer) -> None:
    for method, path in [("GET", "/nowhere"), ("DELETE", "/orders"), ("GET", "/orders/a/b")]:
        reply = http.call(method, path, token=tokens.customer("cust-x"))
        assert (reply.status, reply.body) == (404, {"message": "Not Found"}), (method, path)


def test_the_jwt_authorizer_refuses_what_api_gateway_refuses(
    stack: LocalStack, http: Http, tokens: TokenIssuer
) -> None:
    provider = tokens.provider
    foreign_key = SigningKey.generate()
    key = SigningKey.from_pem(stack.state.read_key())
    two_hours_ago = time.time() - 2 * 3600
    refused = {
        "no token": None,
        "not a JWT": "not-a-jwt",
        "signed by another key": TokenIssuer(foreign_key, provider).customer("cust-x"),
        "expired": TokenIssuer(key, provider, clock=lambda: two_hours_ago).customer("cust-x"),
        "another issuer": TokenIssuer(
            key, dataclasses.replace(provider, issuer="https://example.com/pool")
        ).customer("cust-x"),
        "another audience": TokenIssuer(
            key, dataclasses.replace(provider, user_client="SomeOtherClient")
        ).customer("cust-x"),
    }
    for why, token in refused.items():
        reply = http.call("GET", "/orders", token=token)
        assert (reply.status, reply.body) == (401, {"message": "Unauthorized"}), why
        assert reply.headers["www-authenticate"].startswith("Bearer"), why

    # The token alone, without "Bearer", is accepted too, as API Gateway does
    plain = http.call("GET", "/orders", headers={"authorization": tokens.customer("cust-x")})
    assert plain.status == 200

    # A valid token without the route's scope is forbidden before any function runs
    for token in (tokens.customer("cust-x"), tokens.agent("agent-ana")):
        reply = http.call("POST", "/ops/orders", {}, token=token)
        assert (reply.status, reply.body) == (403, {"message": "Forbidden"})
        assert 'error="insufficient_scope"' in reply.headers["www-authenticate"]


def help_of(details: dict, action: HelpAction) -> dict:
    return next(entry for entry in details["help"] if entry["action"] == action)


def test_the_demo_has_orders_in_every_state_in_spanish_and_english(
    http: Http, tokens: TokenIssuer
) -> None:
    def details(customer: str, order_id: str, locale: str = "en") -> dict:
        reply = http.call(
            "GET",
            f"/orders/{order_id}",
            token=tokens.customer(customer),
            headers={"accept-language": locale},
        )
        assert reply.status == 200, reply.body
        return reply.body

    statuses = set()
    for customer in ("cust-lucia", "cust-oliver", "cust-carmen", "cust-emma"):
        listed = http.call("GET", "/orders", token=tokens.customer(customer)).body["orders"]
        assert listed, customer
        statuses |= {order["status"] for order in listed}
    assert statuses == {"created", "paid", "shipped", "delivered", "cancelled"}

    lucia = details("cust-lucia", "ORD-1003", "es")
    assert lucia["shipping_address"]["name"] == "Lucía Fernández"
    assert lucia["status_label"] == "Pagado"
    assert help_of(lucia, HelpAction.SHIPPING_DELAY)["available"] is True  # past ship-by
    oliver_late = details("cust-oliver", "ORD-2001")
    assert oliver_late["shipping_address"]["name"] == "Oliver Bennett"
    assert help_of(oliver_late, HelpAction.DELIVERY_DELAY)["available"] is True
    inside = help_of(details("cust-lucia", "ORD-1005"), HelpAction.RETURN_REQUEST)
    assert inside["available"] is True
    outside = help_of(details("cust-oliver", "ORD-2002"), HelpAction.RETURN_REQUEST)
    assert (outside["available"], outside["reason"]) == (False, "window_closed")
    assert [case["action"] for case in details("cust-lucia", "ORD-1002")["cases"]] == [
        "payment_issue"
    ]


def token_command(stack: LocalStack, *who: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "orderhelp.cli",
            "token",
            *who,
            "--port",
            str(stack.port),
            "--state-dir",
            str(stack.state_root),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize(
    ("who", "path", "expected"),
    [
        (("--customer", "cust-lucia"), "/orders", 200),
        (("--agent", "agent-ana"), "/orders", 200),
        (("--ops",), "/ops/orders/ORD-1001", 200),
        (("--customer", "cust-lucia"), "/ops/orders/ORD-1001", 403),
    ],
)
def test_orderhelp_token_prints_the_token_alone(
    stack: LocalStack, http: Http, who: tuple[str, ...], path: str, expected: int
) -> None:
    result = token_command(stack, *who)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].count(".") == 2  # a JWT, alone on its line
    assert http.call("GET", path, token=lines[0]).status == expected


def test_orderhelp_token_without_a_stack_says_so(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "orderhelp.cli", "token", "--ops", "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "make run" in result.stderr


def test_the_banner_shows_urls_state_and_curl_lines_that_work(stack: LocalStack) -> None:
    banner = stack.output()
    assert f"http://127.0.0.1:{stack.port}" in banner
    assert str(stack.state.folder) in banner
    curl = next(
        line.strip()
        for line in banner.splitlines()
        if line.strip().startswith("curl") and "--customer cust-lucia" in line
    )
    result = subprocess.run(
        ["bash", "-c", curl], capture_output=True, text=True, timeout=60, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    orders = json.loads(result.stdout)["orders"]
    assert {order["order_id"] for order in orders} >= {"ORD-1001", "ORD-1003", "ORD-1005"}


def test_the_logs_after_the_banner_are_json(stack: LocalStack, http: Http) -> None:
    http.call("GET", "/orders")  # at least one request logged
    logs = stack.output().split("Ctrl-C stops.", 1)[1]
    lines = [line for line in logs.splitlines() if line.strip()]
    assert lines
    not_json = []
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            not_json.append(line)
    assert not_json == []
