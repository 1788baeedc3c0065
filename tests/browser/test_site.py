"""The local stack serves the page beside the API: files from web/ with their content types for
GET requests no API route takes, its config, and the local-only sign-in."""

from datetime import UTC, datetime

import jwt
import pytest

from orderhelp_dev.local.demo import DEMO_AGENTS, demo_customers
from orderhelp_dev.local.site import content_security_policy
from tests.e2e.stack import Http, LocalStack

NOT_FOUND = {"message": "Not Found"}


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/styles.css", "text/css; charset=utf-8"),
        ("/js/app.js", "text/javascript; charset=utf-8"),
        ("/js/views/order.js", "text/javascript; charset=utf-8"),
        ("/locales/es.json", "application/json; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
    ],
)
def test_the_pages_files_are_served_with_their_content_types(
    http: Http, path: str, content_type: str
) -> None:
    reply = http.call("GET", path)
    assert reply.status == 200
    assert reply.headers["content-type"] == content_type
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.raw


def test_the_page_itself_carries_its_content_security_policy(http: Http, stack: LocalStack) -> None:
    reply = http.call("GET", "/")
    # The deployed page's policy, with the embedded S3 (uploads and attachments' links)
    s3 = stack.state.read_info()["s3_endpoint"]
    assert reply.headers["content-security-policy"] == content_security_policy([s3])
    assert f"connect-src 'self' {s3};" in reply.headers["content-security-policy"]
    assert b'<script type="module" src="js/app.js">' in reply.raw
    head = http.call("HEAD", "/")
    assert head.status == 200 and head.raw == b""


def test_api_routes_keep_precedence(http: Http) -> None:
    # /orders is an API route: without a token, API Gateway's 401, never a file
    assert http.call("GET", "/orders").body == {"message": "Unauthorized"}
    assert http.call("GET", "/orders/index.html").status == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nothing-here"),
        ("GET", "/js/"),
        ("GET", "/js"),
        ("GET", "/../pyproject.toml"),
        ("GET", "/%2e%2e/pyproject.toml"),
        ("GET", "/js/%2e%2e/%2e%2e/README.md"),
        ("GET", "/.gitignore"),
        ("GET", "/package.json"),
        ("GET", "/package-lock.json"),
        ("GET", "/node_modules/axe-core/axe.min.js"),
        ("POST", "/"),
        ("POST", "/index.html"),
        ("DELETE", "/styles.css"),
    ],
)
def test_anything_else_keeps_api_gateways_404(http: Http, method: str, path: str) -> None:
    reply = http.call(method, path)
    assert (reply.status, reply.body) == (404, NOT_FOUND)


def test_the_page_is_told_it_runs_on_the_local_stack(http: Http) -> None:
    assert http.call("GET", "/config.json").body == {"auth": "local", "api_url": ""}


def test_the_local_sign_in_lists_the_demo_customers_and_agents(http: Http) -> None:
    listed = http.call("GET", "/__local/users").body["users"]
    customers = [(c.customer_id, c.name) for c in demo_customers(datetime.now(UTC))]
    assert [(u["user_id"], u["name"]) for u in listed if u["role"] == "customer"] == customers
    assert [(u["user_id"], u["name"]) for u in listed if u["role"] == "agent"] == [
        (a.agent_id, a.name) for a in DEMO_AGENTS
    ]


def test_the_local_sign_in_mints_tokens_the_api_accepts(http: Http) -> None:
    signed_in = http.call("POST", "/__local/sign-in", {"user_id": "cust-lucia"})
    assert signed_in.status == 200
    assert signed_in.body["user"] == {
        "user_id": "cust-lucia",
        "name": "Lucía Fernández",
        "role": "customer",
        "locale": "es",
    }
    token = signed_in.body["access_token"]
    orders = http.call("GET", "/orders", token=token)
    assert orders.status == 200 and orders.body["orders"]

    agent = http.call("POST", "/__local/sign-in", {"user_id": "agent-marta", "role": "agent"})
    claims = jwt.decode(agent.body["access_token"], options={"verify_signature": False})
    assert claims["cognito:groups"] == ["agents"]
    assert claims["sub"] == "agent-marta"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"user_id": "has space"}, 422),
        ({"user_id": ""}, 422),
        ({}, 422),
        ({"user_id": "cust-x", "role": "ops"}, 422),
        (["cust-x"], 400),
    ],
)
def test_the_local_sign_in_refuses_what_is_not_a_user(
    http: Http, body: object, status: int
) -> None:
    reply = http.call("POST", "/__local/sign-in", body)
    assert reply.status == status
    assert reply.body["error"]["code"] in ("validation_error", "invalid_json")


def test_the_local_endpoints_are_only_these(http: Http) -> None:
    assert http.call("GET", "/__local/sign-in").status == 404
    assert http.call("GET", "/__local/keys").body["error"]["code"] == "not_found"
