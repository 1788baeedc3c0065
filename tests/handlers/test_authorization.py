"""Who may call what, for every route the template declares: no identity → 401; another
customer → 404, the very answer a missing order gets; a customer (or agent) on ops → 403.

The module shares one world: the refused requests assert they changed nothing, and the others
work on orders of their own."""

from dataclasses import dataclass
from typing import Any

import pytest

from lifecycle.actions import HelpAction
from orderhelp_dev.local.template import Route, http_routes
from tests.handlers.client import (
    CUSTOMER,
    HELP_BODIES,
    NEW_ADDRESS,
    OPS_SCOPE,
    OTHER_CUSTOMER,
    Api,
    Identity,
)

ORDER = "ORD-1"


def _body(route: Route) -> Any:
    """A valid body for each route of the template; a new route fails here until it is added."""
    return {
        "GET /orders": None,
        "GET /orders/{order_id}": None,
        "POST /ops/orders": {
            "order_id": "ORD-NEW",
            "customer_id": CUSTOMER,
            "currency": "EUR",
            "items": [{"sku": "MUG-01", "name": "Taza", "quantity": 1, "unit_price": "7.50"}],
            "shipping": "3.90",
            "shipping_address": NEW_ADDRESS,
        },
        "GET /ops/orders/{order_id}": None,
        "POST /ops/orders/{order_id}/pay": {
            "payment_ref": "P",
            "estimated_ship_by": "2026-05-06T09:00:00Z",
        },
        "POST /ops/orders/{order_id}/ship": {
            "carrier": "SEUR",
            "tracking_number": "S1",
            "estimated_delivery_by": "2026-05-09T09:00:00Z",
        },
        "POST /ops/orders/{order_id}/deliver": {},
        "POST /ops/orders/{order_id}/cancel": {"reason": "Out of stock"},
        # The case routes: their own matrix is in test_case_authorization.py.
        "GET /cases": None,
        "GET /cases/{case_id}": None,
        "POST /cases/{case_id}/messages": {"body": "Hello"},
        "POST /cases/{case_id}/rating": {"rating": "good"},
        "GET /agent/cases": None,
        "GET /agent/cases/{case_id}": None,
        "POST /agent/cases/{case_id}/assign": {"force": True},
        "POST /agent/cases/{case_id}/messages": {"body": "Hello", "internal": False},
        "POST /agent/cases/{case_id}/solve": {"resolution": "Refund issued."},
        "POST /ops/orders/{order_id}/estimate": {"estimated_ship_by": "2026-05-08T09:00:00Z"},
        # The attachment routes: their readers and owners are tested in test_attachments.py.
        "POST /attachments": {"filename": "p.jpg", "content_type": "image/jpeg", "size": 100},
        "GET /attachments/{attachment_id}": None,
        # The console's routes (agents only: test_case_authorization.py has their 403s).
        "GET /agent/cases/{case_id}/replies": None,
        "GET /agent/search": None,
        "GET /agent/views": None,
        "GET /agent/views/{view}": None,
        "GET /agent/replies": None,
        "POST /agent/replies": SAVED_REPLY,
        "PUT /agent/replies/{reply_id}": SAVED_REPLY,
        "DELETE /agent/replies/{reply_id}": None,
        "GET /agent/profiles": None,
        "PUT /agent/profile": {"display_name": "Ana", "languages": ["es"]},
        "GET /agent/customers/{customer_id}": None,
        "GET /agent/stats": None,
        # Returns and refunds: their own matrix is in test_returns_routes.py.
        "GET /orders/{order_id}/returns/{return_id}/label": None,
        "POST /agent/cases/{case_id}/return/approve": {},
        "POST /agent/cases/{case_id}/return/reject": {"reason": "Used."},
        "POST /agent/cases/{case_id}/refund": {"amount": "1.00", "reason": "Sorry."},
        "POST /ops/returns/{return_id}/received": {
            "items": [{"sku": "LAMP-01", "quantity": 1, "condition": "ok"}]
        },
        "POST /ops/refunds/{refund_id}/issued": {"method": "card", "reference": "R-1"},
        "POST /ops/refunds/{refund_id}/failed": {"reason": "Card expired"},
        "POST /ops/refunds/{refund_id}/retry": {},
        "GET /ops/refunds": None,
    }[f"{route.method} {route.path}"]


SAVED_REPLY = {"title": "Hola", "locale": "es", "body": "Hola {customer_name}"}


@dataclass(frozen=True)
class Request:
    """A concrete request on one of the template's routes, for any order."""

    route: Route
    body: Any
    action: str | None = None

    @property
    def is_ops(self) -> bool:
        return OPS_SCOPE in self.route.scopes

    @property
    def names_an_order(self) -> bool:
        return "{order_id}" in self.route.path

    def path(self, order_id: str) -> str:
        return (
            self.route.path.replace("{order_id}", order_id)
            .replace("{action}", self.action or "")
            .replace("{case_id}", "CS-ANY")
            .replace("{attachment_id}", "AT-ANY")
            .replace("{view}", "mine")
            .replace("{reply_id}", "RP-ANY")
            .replace("{customer_id}", CUSTOMER)
            .replace("{return_id}", f"{order_id}-R1")
            .replace("{refund_id}", f"{order_id}-RF1")
        )

    def __str__(self) -> str:
        return f"{self.route.method} {self.path('{order_id}')}"


def _requests() -> list[Request]:
    requests = []
    for route in http_routes():
        if "{action}" in route.path:
            # One route in the template, one per help action behind it.
            requests += [Request(route, HELP_BODIES[action], str(action)) for action in HelpAction]
        else:
            requests.append(Request(route, _body(route)))
    return requests


REQUESTS = _requests()
CUSTOMER_ORDER_REQUESTS = [r for r in REQUESTS if not r.is_ops and r.names_an_order]
OPS_REQUESTS = [r for r in REQUESTS if r.is_ops]


def _own_order_id(request: Request) -> str:
    """An order id for tests that create their order: one per request, so none meet."""
    return f"ORD-{REQUESTS.index(request):03d}"


def test_the_matrix_covers_every_route_of_the_template() -> None:
    covered = {(request.route.method, request.route.path) for request in REQUESTS}
    assert covered == {(route.method, route.path) for route in http_routes()}
    assert OPS_REQUESTS, "the template's ops routes carry the orders/ops scope"
    assert all(route.authorizer for route in http_routes()), "every route needs a token"


def _send(api: Api, request: Request, identity: Identity | None, order_id: str = ORDER) -> Any:
    return api.call(request.route.method, request.path(order_id), request.body, identity=identity)


@pytest.fixture(scope="module")
def api(shared_api: Api) -> Api:
    shared_api.order_in("paid", customer=CUSTOMER, order_id=ORDER)
    return shared_api


@pytest.fixture
def lucias_order() -> str:
    return ORDER


@pytest.mark.parametrize("request_", REQUESTS, ids=str)
@pytest.mark.parametrize(
    "identity",
    [
        None,
        Identity({"token_use": "access"}, ["openid"]),
        Identity({"sub": ""}, [OPS_SCOPE]),
    ],
    ids=["no authorizer context", "claims without sub", "an empty sub"],
)
def test_without_an_identity_every_route_is_401(
    api: Api, lucias_order: str, request_: Request, identity: Identity | None
) -> None:
    before = api.snapshot()

    reply = _send(api, request_, identity)

    assert reply.status == 401
    assert reply.error["code"] == "unauthorized"
    assert api.snapshot() == before


@pytest.mark.parametrize("request_", CUSTOMER_ORDER_REQUESTS, ids=str)
def test_another_customers_order_is_404_with_the_body_a_missing_order_gets(
    api: Api, request_: Request
) -> None:
    marta = Identity.customer(OTHER_CUSTOMER)
    order_id = _own_order_id(request_)
    # Given Marta's answer while there is no such order at all
    missing = _send(api, request_, marta, order_id)
    assert missing.status == 404

    # When the order exists, but is Lucía's
    api.order_in("paid", customer=CUSTOMER, order_id=order_id)
    before = api.snapshot()
    foreign = _send(api, request_, marta, order_id)

    # Then Marta gets exactly the same answer, and nothing changed
    assert foreign.status == 404
    assert foreign.error["code"] == "order_not_found"
    assert foreign.body == missing.body
    assert api.snapshot() == before


def test_another_customers_orders_are_not_listed(api: Api, lucias_order: str) -> None:
    reply = api.call("GET", "/orders", identity=Identity.customer(OTHER_CUSTOMER))

    assert reply.status == 200
    assert reply.body == {"orders": [], "next_cursor": None}


@pytest.mark.parametrize("request_", OPS_REQUESTS, ids=str)
@pytest.mark.parametrize(
    "identity",
    [Identity.customer(CUSTOMER), Identity.agent("agent-ana")],
    ids=["a customer", "an agent"],
)
def test_without_the_ops_scope_ops_routes_are_403(
    api: Api, lucias_order: str, request_: Request, identity: Identity
) -> None:
    before = api.snapshot()

    reply = _send(api, request_, identity)

    assert reply.status == 403
    assert reply.error["code"] == "forbidden"
    assert OPS_SCOPE in reply.error["message"]
    assert api.snapshot() == before


@pytest.mark.parametrize("request_", OPS_REQUESTS, ids=str)
def test_with_the_ops_scope_ops_routes_let_the_shop_in(api: Api, request_: Request) -> None:
    # The 403 above is about the scope: the shop's own token passes the same check.
    order_id = _own_order_id(request_)
    api.order_in("created", order_id=order_id)

    reply = _send(api, request_, Identity.shop(), order_id)

    assert reply.status not in (401, 403), reply
