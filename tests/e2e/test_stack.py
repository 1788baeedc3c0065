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
from orderhelp_dev.local.console_demo import DISPLAY_NAMES
from orderhelp_dev.local.identities import SigningKey, TokenIssuer
from tests.e2e.stack import ROOT, Http, LocalStack
from tests.e2e.test_events_and_mail import events_of, eventually


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


DEMO_CASES = {
    # case id: (customer, language, status, agent)
    "CS-DEMO-1004": ("cust-lucia", "es", "open", "agent-marta"),
    "CS-DEMO-1005": ("cust-lucia", "es", "pending", "agent-marta"),
    "CS-DEMO-3001": ("cust-carmen", "es", "solved", "agent-marta"),
    "CS-DEMO-1003": ("cust-lucia", "es", "closed", "agent-marta"),
    "CS-DEMO-2004": ("cust-oliver", "en", "open", "agent-james"),
    "CS-DEMO-4001": ("cust-emma", "en", "pending", "agent-james"),
    "CS-DEMO-4002": ("cust-emma", "en", "solved", "agent-james"),
    "CS-DEMO-2002": ("cust-oliver", "en", "closed", "agent-james"),
}


def test_the_demo_has_cases_in_every_state_with_a_conversation_in_both_languages(
    http: Http, tokens: TokenIssuer
) -> None:
    states: dict[str, set[str]] = {"es": set(), "en": set()}
    for case_id, (customer, language, status, agent) in DEMO_CASES.items():
        token = tokens.customer(customer)
        listed = http.call("GET", "/cases?limit=100", token=token)
        assert case_id in {case["case_id"] for case in listed.body["cases"]}, customer
        reply = http.call("GET", f"/cases/{case_id}", token=token)
        assert reply.status == 200, reply.body
        case = reply.body
        # The customer reads who has it by the agent's display name, never the id
        assert (case["status"], case["assignee_name"]) == (status, DISPLAY_NAMES[agent]), case_id
        assert agent not in json.dumps(case), case_id
        states[language].add(case["status"])
        authors = [message["author"] for message in case["messages"]]
        # The customer wrote first and an agent answered; internal notes stay with the agents
        assert authors[:2] == ["customer", "agent"], (case_id, authors)
        agent_view = http.call("GET", f"/agent/cases/{case_id}", token=tokens.agent(agent))
        assert agent_view.body["case"]["assignee"] == agent, case_id
        every_message = agent_view.body["case"]["messages"]
        notes = [message for message in every_message if message["internal"]]
        assert notes, case_id
        assert len(case["messages"]) == len(every_message) - len(notes), case_id
    every_state = {"open", "pending", "solved", "closed"}
    assert states == {"es": every_state, "en": every_state}
    # The delay check ran once with the demo: the late orders carry their delay and a case
    # customer service opened before the customer asked
    late = http.call("GET", "/orders/ORD-1003", token=tokens.customer("cust-lucia")).body
    assert late["shipping_delayed_since"] is not None
    assert "record_shipping_delay" in [entry["event"] for entry in late["history"]]
    proactive = [case for case in late["cases"] if case["action"] == "shipping_delay"]
    assert [case["opened_by"] for case in proactive] == ["system"]


def test_an_agents_token_from_orderhelp_token_reads_the_queue_most_urgent_first(
    stack: LocalStack, http: Http
) -> None:
    result = token_command(stack, "--agent", "agent-marta")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    queues = {}
    for status in ("open", "pending", "solved"):
        reply = http.call("GET", f"/agent/cases?status={status}&limit=100", token=token)
        assert reply.status == 200, reply.body
        queues[status] = reply.body["cases"]
        assert {case["status"] for case in queues[status]} <= {status}
    demo = {
        status: {case_id for case_id, spec in DEMO_CASES.items() if spec[2] == status}
        for status in queues
    }
    for status, cases in queues.items():
        assert demo[status] <= {case["case_id"] for case in cases}, status
    # Open cases by when their next answer is due (the first answer's due time until it is
    # given): the most urgent first
    due = [case["answer_due_at"] for case in queues["open"]]
    assert due == sorted(due)
    assert {case["assignee"] for case in queues["open"]} >= {"agent-marta", "agent-james", None}


def token_command(stack: LocalStack, *who: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "orderhelp_dev.cli",
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
        (("--agent", "agent-marta"), "/agent/cases?status=open", 200),
        (("--customer", "cust-lucia"), "/agent/cases?status=open", 403),
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
        [sys.executable, "-m", "orderhelp_dev.cli", "token", "--ops", "--state-dir", str(tmp_path)],
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
    # The agents' queue, with an agent's token, in the agent's language
    queue_line = next(
        line.strip()
        for line in banner.splitlines()
        if line.strip().startswith("curl") and "--agent agent-marta" in line
    )
    assert "/agent/cases?status=open" in queue_line
    result = subprocess.run(
        ["bash", "-c", queue_line],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    queue = json.loads(result.stdout)["cases"]
    assert "CS-DEMO-1004" in {case["case_id"] for case in queue}
    assert {case["status_label"] for case in queue} == {"Pendiente de atención al cliente"}
    # The agents are named, with their ids
    assert "agent-marta  Marta Gil (es)" in banner
    assert "agent-james  James Whitfield (en)" in banner


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


DEMO_RATINGS = {
    # case id: (rating, comment), or None for a solved case still waiting for its rating
    "CS-DEMO-1003": ("good", "Rápidos y muy amables, gracias."),
    "CS-DEMO-2002": ("good", None),
    "CS-DEMO-4002": ("not_good", "The answer was right, but it took two days to get it."),
    "CS-DEMO-3001": None,
}


def test_the_demos_customers_rated_some_of_their_solved_cases_and_the_dashboard_counts_them(
    http: Http, tokens: TokenIssuer
) -> None:
    for case_id, rated in DEMO_RATINGS.items():
        customer = DEMO_CASES[case_id][0]
        case = http.call("GET", f"/cases/{case_id}", token=tokens.customer(customer)).body
        rating = case["rating"]
        assert ((rating["value"], rating.get("comment")) if rating else None) == rated, case_id
        # one solved case is left for whoever tries the demo to rate
        assert case["rating_requested"] is (rated is None), case_id
    # Each rating went out on the bus once, as its case's CaseRated
    for case_id, rated in DEMO_RATINGS.items():
        order_id = case_id.replace("CS-DEMO-", "ORD-")
        published = eventually(
            lambda order_id=order_id: [
                event for event in events_of(http, order_id) if event["detail-type"] == "CaseRated"
            ],
            lambda events, rated=rated: len(events) == (rated is not None),
        )
        assert [(e["detail"]["case_id"], e["detail"]["rating"]) for e in published] == (
            [(case_id, rated[0])] if rated else []
        )
    # and the dashboard counts them (other tests on this stack rate cases too: at least these;
    # CS-DEMO-2002's is older than the 30 days)
    ratings = eventually(
        lambda: http.call("GET", "/agent/stats?days=30", token=tokens.agent("agent-marta")).body,
        lambda body: min(body["ratings"].get("good", 0), body["ratings"].get("not_good", 0)) >= 1,
    )["ratings"]
    assert ratings.get("good", 0) >= 1
    assert ratings.get("not_good", 0) >= 1
