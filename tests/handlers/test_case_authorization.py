"""Who may call what on every case route of the template, for three callers: the customer whose
case it is, another customer, and an agent.

- customer routes (`/cases…`): the owner is served; another customer (and an agent, who is not
  the case's customer) gets 404 `case_not_found`, the very answer a missing case gets, or an
  empty list;
- agent routes (`/agent/…`): agents are served; customers, the owner included, get 403.

Every refusal changes nothing. The module shares one world; each row works on a case of its own."""

import json
from dataclasses import dataclass
from typing import Any

import pytest

from orderhelp_dev.local.template import Route, http_routes
from tests.handlers.case_calls import AGENT, assign, open_case, solve
from tests.handlers.client import CUSTOMER, OTHER_CUSTOMER, Api, Identity

BODIES: dict[str, Any] = {
    "GET /cases": None,
    "GET /cases/{case_id}": None,
    "POST /cases/{case_id}/messages": {"body": "Any news?"},
    "POST /cases/{case_id}/rating": {"rating": "not_good", "comment": "Too slow."},
    "GET /agent/cases": None,
    "GET /agent/cases/{case_id}": None,
    "POST /agent/cases/{case_id}/assign": {},
    "POST /agent/cases/{case_id}/messages": {"body": "We are on it."},
    "POST /agent/cases/{case_id}/solve": {"resolution": "Refund issued."},
    "GET /agent/cases/{case_id}/replies": None,
    "GET /agent/search": None,
    "GET /agent/views": None,
    "GET /agent/views/{view}": None,
    "GET /agent/replies": None,
    "POST /agent/replies": {"title": "Refund", "locale": "en", "body": "Hello {customer_name}."},
    "PUT /agent/replies/{reply_id}": {"title": "Refund", "locale": "es", "body": "Hola."},
    "DELETE /agent/replies/{reply_id}": None,
    "GET /agent/profiles": None,
    "PUT /agent/profile": {"display_name": "Ana", "languages": ["es", "en"]},
    "GET /agent/customers/{customer_id}": None,
    "GET /agent/stats": None,
}
"""A valid body for each case route of the template; a new case route fails here until added."""

NOT_ABOUT_ONE_CASE = {
    "GET /agent/views",
    "GET /agent/replies",
    "POST /agent/replies",
    "PUT /agent/replies/{reply_id}",
    "DELETE /agent/replies/{reply_id}",
    "GET /agent/profiles",
    "PUT /agent/profile",
    "GET /agent/stats",
}
"""The console's routes whose answer names no case (counts, saved replies, profiles, figures)."""

CALLERS = {
    "the customer": Identity.customer(CUSTOMER),
    "another customer": Identity.customer(OTHER_CUSTOMER),
    "an agent": Identity.agent(AGENT),
}


def _is_case_route(route: Route) -> bool:
    # The agents' return and refund steps have their own matrix (test_returns_routes.py).
    returns = route.path.endswith(("/return/approve", "/return/reject", "/refund"))
    return route.path.startswith(("/cases", "/agent/")) and not returns


CASE_ROUTES = [route for route in http_routes() if _is_case_route(route)]


@dataclass(frozen=True)
class Row:
    route: Route
    caller: str

    @property
    def key(self) -> str:
        return f"{self.route.method} {self.route.path}"

    @property
    def for_agents(self) -> bool:
        return self.route.path.startswith("/agent/")

    def __str__(self) -> str:
        return f"{self.key} by {self.caller}"


ROWS = [Row(route, caller) for route in CASE_ROUTES for caller in CALLERS]


def test_the_matrix_covers_every_case_route_of_the_template() -> None:
    assert set(BODIES) == {f"{route.method} {route.path}" for route in CASE_ROUTES}
    functions = {route.function for route in CASE_ROUTES if route.path.startswith("/agent/")}
    assert functions == {"AgentApiFunction"}
    assert {r.function for r in CASE_ROUTES if r.path.startswith("/cases")} == {
        "CustomerApiFunction"
    }


@pytest.fixture(scope="module")
def api(shared_api: Api) -> Api:
    return shared_api


def _case_for(api: Api, row: Row) -> str:
    """A case of Lucía's, on an order of this row's own, taken by the agent (so it can be
    solved), and solved for the route that rates a solve."""
    order_id = f"ORD-{ROWS.index(row):03d}"
    api.order_in("paid", customer=CUSTOMER, order_id=order_id)
    case_id = open_case(api, order_id)
    assert assign(api, case_id).status == 200
    if row.route.path.endswith("/rating"):
        assert solve(api, case_id).status == 200
    return case_id


def _path(api: Api, row: Row, case_id: str) -> str:
    """The row's route for the row's case (a saved reply of its own for the reply routes)."""
    path = row.route.path.replace("{case_id}", case_id)
    path = path.replace("{view}", "mine").replace("{customer_id}", CUSTOMER)
    if "{reply_id}" in path:
        saved = api.call(
            "POST", "/agent/replies", BODIES["POST /agent/replies"], identity=Identity.agent(AGENT)
        )
        path = path.replace("{reply_id}", saved.body["reply_id"])
    if row.route.path == "/agent/cases":
        path += "?status=open&limit=100"
    if row.route.path == "/agent/views/{view}":
        path += "?limit=100"
    if row.route.path == "/agent/search":
        path += f"?q={case_id}"
    return path


def _send(api: Api, row: Row, path: str) -> Any:
    return api.call(row.route.method, path, BODIES[row.key], identity=CALLERS[row.caller])


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_each_caller_gets_what_is_theirs_and_nothing_else(api: Api, row: Row) -> None:
    case_id = _case_for(api, row)
    path = _path(api, row, case_id)
    before = api.snapshot()

    reply = _send(api, row, path)

    allowed = (row.caller == "an agent") if row.for_agents else (row.caller == "the customer")
    if allowed:
        assert reply.status in (200, 201), reply
        about_the_case = row.key not in NOT_ABOUT_ONE_CASE
        if row.route.method == "GET" and "{case_id}" not in row.route.path and about_the_case:
            assert case_id in json.dumps(reply.body)
        return
    if row.for_agents:
        assert reply.status == 403, reply
        assert reply.error["code"] == "forbidden"
    elif "{case_id}" in row.route.path:
        # The very answer a case that does not exist gets, but for the id.
        missing = _send(api, row, _path(api, row, "CS-MISSING"))
        assert (reply.status, missing.status) == (404, 404)
        assert reply.error["code"] == "case_not_found"
        assert json.dumps(reply.body).replace(case_id, "CS-MISSING") == json.dumps(missing.body)
    else:
        assert reply.status == 200
        assert case_id not in json.dumps(reply.body)
    assert api.snapshot() == before


@pytest.mark.parametrize("groups", ["[agents]", "[admins agents]", '["agents"]', "agents"])
def test_the_agents_group_is_read_however_api_gateway_passes_it(api: Api, groups: str) -> None:
    identity = Identity({"sub": AGENT, "cognito:groups": groups, "scope": "openid"}, ["openid"])
    reply = api.call("GET", "/agent/cases?status=open", identity=identity)
    assert reply.status == 200


@pytest.mark.parametrize("groups", ["[admins]", "[agentsx]", "", "[]"])
def test_other_groups_are_not_agents(api: Api, groups: str) -> None:
    identity = Identity({"sub": AGENT, "cognito:groups": groups, "scope": "openid"}, ["openid"])
    reply = api.call("GET", "/agent/cases?status=open", identity=identity)
    assert reply.status == 403
    assert reply.error["code"] == "forbidden"
