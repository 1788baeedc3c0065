"""Calls the template's functions in-process against moto, as API Gateway would."""

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from orderhelp.config import store_settings
from orderhelp.records import OrderRecord
from orderhelp.store import ACTIVITY_PAGE, DynamoOrderStore
from orderhelp.wiring import store_on
from orderhelp_dev.local.apigw import Authorization, HttpRequest, build_event, response_from_result
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler, match_route
from orderhelp_dev.local.template import FunctionSpec, functions

OPS_SCOPE = "orders/ops"
CUSTOMER = "cust-lucia"
OTHER_CUSTOMER = "cust-marta"


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


NEW_ADDRESS = {
    "name": "Lucía Fernández",
    "line1": "Gran Vía 1",
    "line2": "4º izquierda",
    "city": "Madrid",
    "postal_code": "28013",
    "country": "ES",
    "phone": "+34 600 123 456",
}

HELP_BODIES: dict[str, dict[str, Any]] = {
    "change_address": {"address": NEW_ADDRESS},
    "payment_issue": {"message": "I paid by card but the order still says unpaid."},
    "customs_duties": {"message": "Will I have to pay import duties?"},
    "return_request": {
        "items": [{"sku": "BULB-E27", "quantity": 2}],
        "message": "Two bulbs are the wrong colour temperature.",
    },
    "item_problem": {
        "problem": "damaged",
        "items": [{"sku": "LAMP-01", "quantity": 1}],
        "message": "The lamp's shade arrived cracked.",
    },
    "shipping_delay": {"message": "It should have shipped by now."},
    "delivery_delay": {"message": "It should have arrived by now."},
    "cancel_order": {"reason": "Ordered by mistake."},
}
"""A valid body for each help action, for an order made by `Api.create_order`."""


def path_segment(raw: str) -> str:
    """`raw` as an HTTP client puts it in a path: percent-encoded, slashes included."""
    return quote(raw, safe="")


class Api:
    def __init__(self, clock: Clock, dynamodb: Any, timeout: float | None = None) -> None:
        self.clock = clock
        self.dynamodb = dynamodb
        self.timeout = timeout
        """The functions' time per invocation, when not the template's."""

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
        timeout = spec.timeout if self.timeout is None else self.timeout
        result = load_handler(spec.handler)(event, LocalLambdaContext(spec.logical_id, timeout))
        response = response_from_result(result)
        headers = dict(response.headers)
        if not headers.get("content-type", "application/json").startswith("application/json"):
            return Reply(response.status, headers, response.body)  # a label's PDF, say
        text = response.body.decode("utf-8")
        return Reply(response.status, headers, json.loads(text) if text else None)

    # --- the shop's systems, in one line each -----------------------------------------------------

    def create_order(
        self,
        customer: str,
        order_id: str | None,
        headers: dict[str, str] | None = None,
        **changes: Any,
    ) -> Reply:
        """Create an order as the shop does; with `order_id` None, the API makes the id."""
        body = (
            {
                "customer_id": customer,
                "currency": "EUR",
                "items": [
                    {
                        "sku": "LAMP-01",
                        "name": "Lámpara de mesa",
                        "quantity": 1,
                        "unit_price": "39.90",
                    },
                    {
                        "sku": "BULB-E27",
                        "name": "Bombilla LED",
                        "quantity": 4,
                        "unit_price": "3.25",
                    },
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
            }
            | ({} if order_id is None else {"order_id": order_id})
            | changes
        )
        return self.call("POST", "/ops/orders", body, identity=Identity.shop(), headers=headers)

    def pay(self, order_id: str, ship_within: timedelta = timedelta(days=2)) -> Reply:
        body = {"payment_ref": "PAY-1", "estimated_ship_by": iso(self.clock.now + ship_within)}
        return self.call("POST", f"/ops/orders/{order_id}/pay", body, identity=Identity.shop())

    def ship(self, order_id: str, deliver_within: timedelta = timedelta(days=4)) -> Reply:
        body = {
            "carrier": "Correos Express",
            "tracking_number": "CX123",
            "estimated_delivery_by": iso(self.clock.now + deliver_within),
        }
        return self.call("POST", f"/ops/orders/{order_id}/ship", body, identity=Identity.shop())

    def deliver(self, order_id: str) -> Reply:
        return self.call("POST", f"/ops/orders/{order_id}/deliver", {}, identity=Identity.shop())

    def cancel(self, order_id: str, reason: str = "Out of stock") -> Reply:
        body = {"reason": reason}
        return self.call("POST", f"/ops/orders/{order_id}/cancel", body, identity=Identity.shop())

    def order_in(self, status: str, customer: str = CUSTOMER, order_id: str = "ORD-1") -> str:
        """An order of `customer` brought to `status` through the ops API (`cancelled`: after
        it was paid)."""
        steps = {
            "created": [],
            "paid": [self.pay],
            "shipped": [self.pay, self.ship],
            "delivered": [self.pay, self.ship, self.deliver],
            "cancelled": [self.pay, self.cancel],
        }[status]
        assert self.create_order(customer, order_id).status == 201
        for step in steps:
            self.clock.advance(hours=1)
            stepped = step(order_id)
            assert stepped.status == 200, stepped
        return order_id

    # --- the customer, in one line each -----------------------------------------------------------

    def details(self, order_id: str, customer: str = CUSTOMER, locale: str | None = None) -> Reply:
        headers = {"accept-language": locale} if locale else None
        return self.call(
            "GET", f"/orders/{order_id}", identity=Identity.customer(customer), headers=headers
        )

    def help(
        self,
        order_id: str,
        action: str,
        body: Any = None,
        *,
        customer: str = CUSTOMER,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """Use a help action; `body` defaults to the action's valid body in `HELP_BODIES`."""
        return self.call(
            "POST",
            f"/orders/{order_id}/help/{action}",
            HELP_BODIES[action] if body is None else body,
            identity=Identity.customer(customer),
            headers=headers,
        )

    # --- what is stored, read behind the API's back -----------------------------------------------

    @property
    def store(self) -> DynamoOrderStore:
        """The store on the test's client, as the handlers' settings name it."""
        return store_on(self.dynamodb, store_settings())

    def stored(self, order_id: str) -> OrderRecord | None:
        """The order with its cases and history, as the store reads it."""
        return self.store.load(order_id)

    def case_messages(self, case_id: str, page: int = ACTIVITY_PAGE) -> list[str]:
        """The bodies of a case's whole conversation, oldest first."""
        bodies: list[str] = []
        cursor = None
        while True:
            record = self.store.load_case(case_id, page, cursor)
            assert record is not None, f"no case {case_id}"
            bodies[:0] = [message.body for message in record.messages]
            if record.older is None:
                return bodies
            cursor = record.older

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every item of every table, sorted, as a Scan returns them (see `moto_items`)."""
        settings = store_settings()
        tables = (settings.orders_table, settings.idempotency_table)
        region = self.dynamodb.meta.region_name
        return {
            table: sorted(
                moto_items(table, region),
                key=lambda item: json.dumps(item, sort_keys=True, default=repr),
            )
            for table in tables
        }


def moto_items(table: str, region: str) -> list[dict[str, Any]]:
    """Every item of `table`, read from moto's memory in this process, where both the
    in-process mock and the embedded server (a thread of this process) keep their tables; in
    the shape boto3's client gives an item (`test_snapshot` checks it against a Scan's pages),
    and copied, so a snapshot never shares moto's own lists.

    Not a Scan: moto serializes an answer at about a millisecond per item, so the matrices that
    snapshot a shared table before and after each row grew quadratic (minutes per module)."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    items = backend.get_table(table).all_items()
    return [copy.deepcopy(item.to_json()["Attributes"]) for item in items]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


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
    header_list = list(({"content-type": "application/json"} | (headers or {})).items())
    event = build_event(
        HttpRequest(method, raw_path, query, header_list, payload),
        route_key=match.route_key,
        path_parameters=match.path_parameters,
        authorization=None if identity is None else Authorization(identity.claims, identity.scopes),
    )
    return functions()[match.route.function], event
