"""Calls the template's functions in-process against moto, as API Gateway would."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from orderhelp.local.apigw import Authorization, HttpRequest, build_event, response_from_result
from orderhelp.local.lambda_runtime import LocalLambdaContext, load_handler, match_route
from orderhelp.local.template import FunctionSpec, functions

OPS_SCOPE = "orders/ops"


@dataclass(frozen=True)
class Identity:
    """Who calls: the claims and scopes the JWT authorizer would pass on."""

    claims: dict[str, Any]
    scopes: list[str] | None = None

    @classmethod
    def customer(cls, sub: str) -> "Identity":
        return cls(
            {"sub": sub, "token_use": "access", "scope": "openid email"}, ["openid", "email"]
        )

    @classmethod
    def agent(cls, sub: str) -> "Identity":
        return cls({"sub": sub, "cognito:groups": ["agents"], "scope": "openid"}, ["openid"])

    @classmethod
    def shop(cls) -> "Identity":
        return cls(
            {"sub": "shop-systems-client", "client_id": "shop", "scope": OPS_SCOPE}, [OPS_SCOPE]
        )


ANONYMOUS = None


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = self.body["error"]
        return error


class Clock:
    """The services' clock, moved by the tests."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class Api:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        identity: Identity | None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        spec, event = api_event(method, path, body, identity=identity, headers=headers, raw=raw)
        result = load_handler(spec.handler)(
            event, LocalLambdaContext(spec.logical_id, spec.timeout)
        )
        response = response_from_result(result)
        text = response.body.decode("utf-8")
        return Reply(response.status, dict(response.headers), json.loads(text) if text else None)

    # --- the shop's systems, in one line each -----------------------------------------------------

    def create_order(self, customer: str, order_id: str, **changes: Any) -> Reply:
        body = {
            "order_id": order_id,
            "customer_id": customer,
            "currency": "EUR",
            "items": [
                {"sku": "LAMP-01", "name": "Lámpara de mesa", "quantity": 1, "unit_price": "39.90"},
                {"sku": "BULB-E27", "name": "Bombilla LED", "quantity": 4, "unit_price": "3.25"},
            ],
            "shipping": "4.95",
            "tax": "10.01",
            "shipping_address": {
                "name": "Lucía Fernández",
                "line1": "Calle de Alcalá 42",
                "city": "Madrid",
                "postal_code": "28014",
                "country": "ES",
            },
        } | changes
        return self.call("POST", "/ops/orders", body, identity=Identity.shop())

    def pay(self, order_id: str, ship_within: timedelta = timedelta(days=2)) -> Reply:
        body = {"payment_ref": "PAY-1", "estimated_ship_by": _iso(self.clock.now + ship_within)}
        return self.call("POST", f"/ops/orders/{order_id}/pay", body, identity=Identity.shop())

    def ship(self, order_id: str, deliver_within: timedelta = timedelta(days=4)) -> Reply:
        body = {
            "carrier": "Correos Express",
            "tracking_number": "CX123",
            "estimated_delivery_by": _iso(self.clock.now + deliver_within),
        }
        return self.call("POST", f"/ops/orders/{order_id}/ship", body, identity=Identity.shop())

    def deliver(self, order_id: str) -> Reply:
        return self.call("POST", f"/ops/orders/{order_id}/deliver", {}, identity=Identity.shop())

    def order_in(self, status: str, customer: str = "cust-lucia", order_id: str = "ORD-1") -> str:
        """An order of `customer` brought to `status` through the ops API."""
        steps = {
            "created": [],
            "paid": [self.pay],
            "shipped": [self.pay, self.ship],
            "delivered": [self.pay, self.ship, self.deliver],
        }[status]
        assert self.create_order(customer, order_id).status == 201
        for step in steps:
            self.clock.advance(hours=1)
            assert step(order_id).status == 200
        return order_id


def api_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    identity: Identity | None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[FunctionSpec, dict[str, Any]]:
    """The function the template routes `method path` to, and the event API Gateway sends it."""
    raw_path, _, query = path.partition("?")
    match = match_route(method, raw_path)
    assert match is not None, f"the template has no route for {method} {raw_path}"
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    header_list = [("content-type", "application/json"), *(headers or {}).items()]
    event = build_event(
        HttpRequest(method, raw_path, query, header_list, payload),
        route_key=match.route_key,
        path_parameters=match.path_parameters,
        authorization=None if identity is None else Authorization(identity.claims, identity.scopes),
    )
    return functions()[match.route.function], event


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
