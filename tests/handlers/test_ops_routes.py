"""The ops routes' contract (issue 3, §4): the shop's systems create orders and move them along."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.handlers.client import CUSTOMER, START, Api, Identity, iso

SHOP = Identity.shop()
EVENTS = ("pay", "ship", "deliver", "cancel")


def _event(api: Api, order_id: str, event: str, body: dict[str, Any]) -> Any:
    return api.call("POST", f"/ops/orders/{order_id}/{event}", body, identity=SHOP)


def _valid_body(event: str, now: datetime) -> dict[str, Any]:
    return {
        "pay": {"payment_ref": "PAY-9", "estimated_ship_by": iso(now + timedelta(days=2))},
        "ship": {
            "carrier": "SEUR",
            "tracking_number": "SEUR-77",
            "estimated_delivery_by": iso(now + timedelta(days=3)),
        },
        "deliver": {},
        "cancel": {"reason": "Out of stock"},
    }[event]


# --- POST /ops/orders ----------------------------------------------------------------------------


def test_create_computes_the_totals_and_answers_201_with_the_order(api: Api) -> None:
    items = [
        {"sku": "MUG-01", "name": "Taza", "quantity": 3, "unit_price": "7.50"},
        {"sku": "TEA-02", "name": "Té verde", "quantity": 2, "unit_price": "4.99"},
    ]

    reply = api.create_order(CUSTOMER, "ORD-77", items=items, shipping="3.90", tax="2.46")

    assert reply.status == 201
    order = reply.body
    subtotal = Decimal("7.50") * 3 + Decimal("4.99") * 2
    assert order["subtotal"] == {"amount": str(subtotal), "currency": "EUR"}
    assert order["total"] == {
        "amount": str(subtotal + Decimal("3.90") + Decimal("2.46")),
        "currency": "EUR",
    }
    assert [item["line_total"]["amount"] for item in order["items"]] == ["22.50", "9.98"]
    assert order["item_count"] == 5
    assert (order["order_id"], order["customer_id"]) == ("ORD-77", CUSTOMER)
    assert (order["status"], order["version"]) == ("created", 1)
    assert order["placed_at"] == iso(api.clock.now)
    assert order["paid_at"] is None
    # What the shop created is what the shop reads back.
    assert api.call("GET", "/ops/orders/ORD-77", identity=SHOP).body == order


def test_create_without_an_id_generates_one(api: Api) -> None:
    reply = api.create_order(CUSTOMER, order_id=None)

    assert reply.status == 201
    assert re.fullmatch(r"ORD-[0-9A-F]{22}", reply.body["order_id"])
    order_id = reply.body["order_id"]
    assert api.call("GET", f"/ops/orders/{order_id}", identity=SHOP).status == 200


def test_create_with_an_existing_id_is_409_and_keeps_the_first_order(api: Api) -> None:
    assert api.create_order(CUSTOMER, "ORD-1").status == 201

    reply = api.create_order("cust-someone-else", "ORD-1", shipping="0.00")

    assert reply.status == 409
    assert reply.error == {
        "code": "order_exists",
        "message": "An order 'ORD-1' already exists.",
        "order_id": "ORD-1",
    }
    kept = api.call("GET", "/ops/orders/ORD-1", identity=SHOP).body
    assert (kept["customer_id"], kept["shipping"]["amount"]) == (CUSTOMER, "4.95")


def test_an_order_placed_in_the_past_is_backfilled_as_given(api: Api) -> None:
    reply = api.create_order(CUSTOMER, "ORD-OLD", placed_at="2025-12-24T18:30:00+01:00")

    assert reply.status == 201
    assert reply.body["placed_at"] == "2025-12-24T17:30:00Z"  # kept, in UTC


def test_an_order_placed_in_the_future_is_422(api: Api) -> None:
    tomorrow = iso(api.clock.now + timedelta(days=1))

    reply = api.create_order(CUSTOMER, "ORD-LATER", placed_at=tomorrow)

    assert reply.status == 422
    assert reply.error["code"] == "validation_error"
    assert "placed_at" in reply.error["message"]
    assert api.call("GET", "/ops/orders/ORD-LATER", identity=SHOP).status == 404


# --- pay, ship, deliver, cancel ------------------------------------------------------------------


def test_pay_ship_and_deliver_each_answer_200_with_the_order(api: Api) -> None:
    # Given a new order
    assert api.create_order(CUSTOMER, "ORD-1").status == 201

    # When the payment system records the payment an hour later
    paid_at = api.clock.advance(hours=1)
    paid = _event(api, "ORD-1", "pay", _valid_body("pay", paid_at))

    # Then the order is paid, at that moment, with the policy of the day snapshotted
    assert paid.status == 200
    assert (paid.body["status"], paid.body["version"]) == ("paid", 2)
    assert paid.body["paid_at"] == iso(paid_at)
    assert paid.body["payment_ref"] == "PAY-9"
    assert paid.body["estimated_ship_by"] == iso(paid_at + timedelta(days=2))
    assert paid.body["policy"] == {
        "return_window_days": 30,
        "claim_window_days": 30,
        "delay_grace_hours": 0,
        "return_drop_off_days": 14,
        "return_shipping_paid_by": "shop",
        "refund_shipping_on_full_return": True,
    }

    # When the warehouse ships it the next day
    shipped_at = api.clock.advance(days=1)
    shipped = _event(api, "ORD-1", "ship", _valid_body("ship", shipped_at))

    # Then it is shipped with its carrier, tracking number and delivery estimate
    assert shipped.status == 200
    assert (shipped.body["status"], shipped.body["version"]) == ("shipped", 3)
    assert shipped.body["shipped_at"] == iso(shipped_at)
    assert (shipped.body["carrier"], shipped.body["tracking_number"]) == ("SEUR", "SEUR-77")
    assert shipped.body["estimated_delivery_by"] == iso(shipped_at + timedelta(days=3))

    # When the carrier reports the delivery, backdated to when it happened
    delivered_at = shipped_at + timedelta(days=2)
    api.clock.advance(days=3)
    delivered = _event(api, "ORD-1", "deliver", {"delivered_at": iso(delivered_at)})

    # Then the delivery time is the one reported
    assert delivered.status == 200
    assert (delivered.body["status"], delivered.body["version"]) == ("delivered", 4)
    assert delivered.body["delivered_at"] == iso(delivered_at)
    history = api.details("ORD-1").body["history"]
    assert [(entry["event"], entry["actor"]) for entry in history] == [
        ("create", "ops"),
        ("pay", "ops"),
        ("ship", "ops"),
        ("deliver", "ops"),
    ]


@pytest.mark.parametrize(("status", "refund_due"), [("created", False), ("paid", True)])
def test_cancel_answers_200_and_marks_a_refund_due_when_paid(
    api: Api, status: str, refund_due: bool
) -> None:
    order_id = api.order_in(status)

    reply = api.cancel(order_id, reason="Sin existencias")

    assert reply.status == 200
    assert reply.body["status"] == "cancelled"
    assert reply.body["cancelled_at"] == iso(api.clock.now)
    assert reply.body["cancel_reason"] == "Sin existencias"
    assert reply.body["refund_due"] is refund_due


ALLOWED = {
    "created": {"pay", "cancel"},
    "paid": {"ship", "cancel"},
    "shipped": {"deliver"},
    "delivered": set(),
    "cancelled": set(),
}
REFUSED = [
    (status, event) for status in ALLOWED for event in EVENTS if event not in ALLOWED[status]
]


@pytest.mark.parametrize(("status", "event"), REFUSED, ids=[f"{e}-when-{s}" for s, e in REFUSED])
def test_an_event_the_state_does_not_take_is_409_transition_not_allowed(
    api: Api, status: str, event: str
) -> None:
    order_id = api.order_in(status)

    reply = _event(api, order_id, event, _valid_body(event, api.clock.now))

    assert reply.status == 409
    assert reply.error["code"] == "transition_not_allowed"
    assert (reply.error["status"], reply.error["event"]) == (status, event)
    after = api.call("GET", f"/ops/orders/{order_id}", identity=SHOP).body
    assert after["status"] == status


@pytest.mark.parametrize("event", EVENTS)
def test_an_event_for_a_missing_order_is_404(api: Api, event: str) -> None:
    reply = _event(api, "ORD-NOPE", event, _valid_body(event, api.clock.now))

    assert reply.status == 404
    assert reply.error["code"] == "order_not_found"


@dataclass(frozen=True)
class Inconsistent:
    """An event whose times do not fit the order's timeline. `body` is given the moment the
    order reached `status` (the clock has not moved since)."""

    name: str
    status: str
    event: str
    body: Callable[[datetime], dict[str, Any]]

    def __str__(self) -> str:
        return self.name


HOUR = timedelta(hours=1)
INCONSISTENT = [
    Inconsistent(
        "paid before it was placed",
        "created",
        "pay",
        lambda now: {
            "payment_ref": "P",
            "paid_at": iso(now - HOUR),
            "estimated_ship_by": iso(now + 48 * HOUR),
        },
    ),
    Inconsistent(
        "ship-by estimate at the payment",
        "created",
        "pay",
        lambda now: {"payment_ref": "P", "estimated_ship_by": iso(now)},
    ),
    Inconsistent(
        "ship-by estimate before the payment",
        "created",
        "pay",
        lambda now: {"payment_ref": "P", "estimated_ship_by": iso(now - HOUR)},
    ),
    Inconsistent(
        "paid in the future",
        "created",
        "pay",
        lambda now: {
            "payment_ref": "P",
            "paid_at": iso(now + 24 * HOUR),
            "estimated_ship_by": iso(now + 48 * HOUR),
        },
    ),
    Inconsistent(
        "shipped before it was paid",
        "paid",
        "ship",
        lambda now: {
            "carrier": "SEUR",
            "tracking_number": "S1",
            "shipped_at": iso(now - HOUR),
            "estimated_delivery_by": iso(now + 72 * HOUR),
        },
    ),
    Inconsistent(
        "delivery estimate at the shipment",
        "paid",
        "ship",
        lambda now: {"carrier": "SEUR", "tracking_number": "S1", "estimated_delivery_by": iso(now)},
    ),
    Inconsistent(
        "shipped in the future",
        "paid",
        "ship",
        lambda now: {
            "carrier": "SEUR",
            "tracking_number": "S1",
            "shipped_at": iso(now + 24 * HOUR),
            "estimated_delivery_by": iso(now + 72 * HOUR),
        },
    ),
    Inconsistent(
        "delivered before it was shipped",
        "shipped",
        "deliver",
        lambda now: {"delivered_at": iso(now - HOUR)},
    ),
    Inconsistent(
        "delivered in the future",
        "shipped",
        "deliver",
        lambda now: {"delivered_at": iso(now + 24 * HOUR)},
    ),
]


@pytest.mark.parametrize("case", INCONSISTENT, ids=str)
def test_times_that_do_not_fit_the_timeline_are_422(api: Api, case: Inconsistent) -> None:
    order_id = api.order_in(case.status)
    before = api.call("GET", f"/ops/orders/{order_id}", identity=SHOP).body

    reply = _event(api, order_id, case.event, case.body(api.clock.now))

    assert reply.status == 422
    assert reply.error["code"] == "validation_error"
    assert reply.error["errors"]
    assert api.call("GET", f"/ops/orders/{order_id}", identity=SHOP).body == before


def test_consistent_times_in_the_past_are_kept_as_given(api: Api) -> None:
    # Given an order placed three days ago that the shop's systems only now catch up on
    placed_at = START - timedelta(days=3)
    api.create_order(CUSTOMER, "ORD-1", placed_at=iso(placed_at))

    # When payment and shipment are recorded with the times they happened
    paid = _event(
        api,
        "ORD-1",
        "pay",
        {
            "payment_ref": "P",
            "paid_at": iso(placed_at + HOUR),
            "estimated_ship_by": iso(placed_at + 24 * HOUR),
        },
    )
    shipped = _event(
        api,
        "ORD-1",
        "ship",
        {
            "carrier": "SEUR",
            "tracking_number": "S1",
            "shipped_at": iso(placed_at + 30 * HOUR),
            "estimated_delivery_by": iso(START + 24 * HOUR),
        },
    )

    # Then both are accepted with those times, and the history says when they were recorded
    assert (paid.status, shipped.status) == (200, 200)
    assert shipped.body["paid_at"] == iso(placed_at + HOUR)
    assert shipped.body["shipped_at"] == iso(placed_at + 30 * HOUR)
    history = api.details("ORD-1").body["history"]
    assert [entry["at"] for entry in history[1:]] == [iso(START), iso(START)]
