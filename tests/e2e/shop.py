"""The shop's systems, in one line each, over the local stack's ops API."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.stack import Http, Reply

ADDRESS = {
    "name": "Lucía Fernández",
    "line1": "Calle de Alcalá 42",
    "city": "Madrid",
    "postal_code": "28014",
    "country": "ES",
}


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def in_days(days: float) -> str:
    return iso(datetime.now(UTC) + timedelta(days=days))


def new_order_id() -> str:
    return f"ORD-{uuid.uuid4().hex[:16].upper()}"


class Shop:
    def __init__(self, http: Http, ops_token: str) -> None:
        self.http = http
        self.token = ops_token

    def create_order(self, customer_id: str, order_id: str | None = None, **changes: Any) -> Reply:
        body = {
            "order_id": order_id or new_order_id(),
            "customer_id": customer_id,
            "currency": "EUR",
            "items": [
                {"sku": "LAMP-01", "name": "Lámpara de mesa", "quantity": 1, "unit_price": "39.90"},
                {"sku": "BULB-E27", "name": "Bombilla LED", "quantity": 4, "unit_price": "3.25"},
            ],
            "shipping": "4.95",
            "tax": "10.01",
            "shipping_address": ADDRESS,
        } | changes
        return self.http.call("POST", "/ops/orders", body, token=self.token)

    def pay(self, order_id: str) -> Reply:
        body = {"payment_ref": "PAY-E2E", "estimated_ship_by": in_days(2)}
        return self.http.call("POST", f"/ops/orders/{order_id}/pay", body, token=self.token)

    def ship(self, order_id: str) -> Reply:
        body = {
            "carrier": "Correos Express",
            "tracking_number": "CX123456789ES",
            "estimated_delivery_by": in_days(4),
        }
        return self.http.call("POST", f"/ops/orders/{order_id}/ship", body, token=self.token)

    def deliver(self, order_id: str) -> Reply:
        return self.http.call("POST", f"/ops/orders/{order_id}/deliver", {}, token=self.token)

    def paid_order(self, customer_id: str) -> str:
        created = self.create_order(customer_id)
        assert created.status == 201, created.body
        order_id: str = created.body["order_id"]
        paid = self.pay(order_id)
        assert paid.status == 200, paid.body
        return order_id
