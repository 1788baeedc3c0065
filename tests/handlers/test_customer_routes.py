"""The customer routes' contract (issue 3, §4): GET /orders, GET /orders/{order_id} and
POST /orders/{order_id}/help/{action}."""

import base64
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from lifecycle.actions import HelpAction
from lifecycle.help import CATALOGUE, explain
from lifecycle.i18n import translate
from lifecycle.order import Order
from tests.handlers.client import (
    CUSTOMER,
    HELP_BODIES,
    NEW_ADDRESS,
    OTHER_CUSTOMER,
    START,
    Api,
    Identity,
    iso,
)

ME = Identity.customer(CUSTOMER)

# What `Api.create_order` orders: a lamp at 39.90, four bulbs at 3.25, 4.95 shipping, 10.01 tax.
SUBTOTAL = Decimal("39.90") * 1 + Decimal("3.25") * 4
TOTAL = SUBTOTAL + Decimal("4.95") + Decimal("10.01")
ITEM_COUNT = 1 + 4


def _list(api: Api, query: str = "", customer: Identity = ME) -> Any:
    return api.call("GET", f"/orders{query}", identity=customer)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- GET /orders ---------------------------------------------------------------------------------


def test_orders_are_listed_newest_first_with_status_total_and_item_count(api: Api) -> None:
    # Given four orders of mine, two placed within the same second, and one of someone else
    placed = {
        "ORD-OLDEST": "2026-04-01T10:00:00Z",
        "ORD-SECOND": "2026-04-20T08:00:00Z",
        "ORD-HALF-A-SECOND-LATER": "2026-04-20T08:00:00.500Z",
        "ORD-NEWEST": "2026-05-01T12:30:00Z",
    }
    for order_id, placed_at in placed.items():
        assert api.create_order(CUSTOMER, order_id, placed_at=placed_at).status == 201
    assert api.create_order(OTHER_CUSTOMER, "ORD-NOT-MINE", placed_at="2026-04-25T00:00:00Z")
    assert api.pay("ORD-SECOND").status == 200

    # When I list my orders
    reply = _list(api)

    # Then they come newest first, only mine, each with its status, total and item count
    assert reply.status == 200
    assert [order["order_id"] for order in reply.body["orders"]] == [
        "ORD-NEWEST",
        "ORD-HALF-A-SECOND-LATER",
        "ORD-SECOND",
        "ORD-OLDEST",
    ]
    assert reply.body["next_cursor"] is None
    newest, _, paid, _ = reply.body["orders"]
    assert newest == {
        "order_id": "ORD-NEWEST",
        "status": "created",
        "placed_at": "2026-05-01T12:30:00Z",
        "total": {"amount": str(TOTAL), "currency": "EUR"},
        "item_count": ITEM_COUNT,
        "first_items": [
            {"sku": "LAMP-01", "name": "Lámpara de mesa", "quantity": 1, "image_url": None},
            {"sku": "BULB-E27", "name": "Bombilla LED", "quantity": 4, "image_url": None},
        ],
    }
    assert paid["status"] == "paid"


def test_a_customer_without_orders_gets_an_empty_list(api: Api) -> None:
    api.order_in("paid", customer=OTHER_CUSTOMER)
    reply = _list(api)
    assert reply.status == 200
    assert reply.body == {"orders": [], "next_cursor": None}


FIVE_ORDERS = [f"ORD-{day:02d}" for day in (5, 4, 3, 2, 1)]
"""Placed on the 1st to the 5th of April: newest first."""


@pytest.mark.parametrize("limit", [1, 2, 5, 6, 100])
def test_pages_of_any_limit_walk_every_order_once_newest_first(api: Api, limit: int) -> None:
    for order_id in FIVE_ORDERS:
        placed_at = f"2026-04-{order_id[-2:]}T10:00:00Z"
        assert api.create_order(CUSTOMER, order_id, placed_at=placed_at).status == 201

    seen: list[str] = []
    pages = 0
    cursor = None
    while True:
        reply = _list(api, f"?limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200
        pages += 1
        assert 1 <= len(reply.body["orders"]) <= limit
        seen += [order["order_id"] for order in reply.body["orders"]]
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
        assert pages < 10, "the cursor does not move forward"

    assert seen == FIVE_ORDERS
    # A last page that is exactly full says there is nothing more (no empty extra page).
    assert pages == math.ceil(len(FIVE_ORDERS) / limit)


def _decode(cursor: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(cursor + "=" * 4))
    return decoded


def _encode(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _pointing_at_another_order(cursor: str) -> str:
    values = _decode(cursor)
    values["after"] = values["after"].replace("ORD-04", "ORD-02")
    return _encode(values)


def _one_character_changed(cursor: str) -> str:
    middle = len(cursor) // 2
    return cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]


TAMPERED_CURSORS = {
    "points at another order": _pointing_at_another_order,
    "its check removed": lambda cursor: _encode({"after": _decode(cursor)["after"]}),
    "an extra field": lambda cursor: _encode(_decode(cursor) | {"limit": 1000}),
    "one character changed": _one_character_changed,
    "truncated": lambda cursor: cursor[: len(cursor) // 2],
    "base64 of something else": lambda _: _encode({"after": "CUSTOMER#cust-marta"}),
    "not base64 at all": lambda _: "!!!not-a-cursor!!!",
    "JSON but not an object": lambda _: _encode(["ORD-04"]),
}


@pytest.mark.parametrize("tampering", TAMPERED_CURSORS)
def test_a_tampered_cursor_is_400_invalid_cursor(api: Api, tampering: str) -> None:
    for order_id in FIVE_ORDERS:
        api.create_order(CUSTOMER, order_id, placed_at=f"2026-04-{order_id[-2:]}T10:00:00Z")
    cursor = _list(api, "?limit=2").body["next_cursor"]
    assert _list(api, f"?limit=2&cursor={cursor}").status == 200

    reply = _list(api, f"?limit=2&cursor={TAMPERED_CURSORS[tampering](cursor)}")

    assert reply.status == 400
    assert reply.error["code"] == "invalid_cursor"


def test_another_customers_cursor_is_400_invalid_cursor(api: Api) -> None:
    # Given both customers have several orders, and Marta holds a cursor to her second page
    for order_id in FIVE_ORDERS:
        placed_at = f"2026-04-{order_id[-2:]}T10:00:00Z"
        api.create_order(CUSTOMER, order_id, placed_at=placed_at)
        api.create_order(OTHER_CUSTOMER, f"{order_id}-M", placed_at=placed_at)
    martas_cursor = _list(api, "?limit=2", Identity.customer(OTHER_CUSTOMER)).body["next_cursor"]

    # When Lucía pages with Marta's cursor
    reply = _list(api, f"?limit=2&cursor={martas_cursor}")

    # Then it is refused rather than answered from some position in Lucía's own orders
    assert reply.status == 400
    assert reply.error["code"] == "invalid_cursor"


# --- GET /orders/{order_id} ----------------------------------------------------------------------

MONEY = re.compile(r"^\d+\.\d{2}$")


def test_order_details_carry_every_order_field_with_amounts_as_money(api: Api) -> None:
    # Given an order created at START, paid an hour later and shipped an hour after that
    order_id = api.order_in("shipped")
    paid_at, shipped_at = START + timedelta(hours=1), START + timedelta(hours=2)

    reply = api.details(order_id)

    assert reply.status == 200
    order = reply.body
    every_order_field = set(Order.model_fields) | set(Order.model_computed_fields)
    assert every_order_field <= set(order)
    assert {"help", "cases", "history", "status_label", "returns", "refunds"} <= set(order)

    amounts = [order["subtotal"], order["shipping"], order["tax"], order["total"]]
    for item in order["items"]:
        amounts += [item["unit_price"], item["line_total"]]
    for amount in amounts:
        assert set(amount) == {"amount", "currency"}
        assert amount["currency"] == "EUR"
        assert MONEY.fullmatch(amount["amount"]), amount

    def value(amount: dict[str, str]) -> Decimal:
        return Decimal(amount["amount"])

    assert value(order["subtotal"]) == SUBTOTAL
    assert value(order["total"]) == TOTAL
    for item in order["items"]:
        assert value(item["line_total"]) == value(item["unit_price"]) * item["quantity"]
    assert order["item_count"] == ITEM_COUNT

    assert order["order_id"] == order_id
    assert order["customer_id"] == CUSTOMER
    assert (order["status"], order["status_label"]) == ("shipped", "Shipped")
    assert order["version"] == 3
    assert order["placed_at"] == iso(START)
    assert order["paid_at"] == iso(paid_at)
    assert order["estimated_ship_by"] == iso(paid_at + timedelta(days=2))
    assert order["shipped_at"] == iso(shipped_at)
    assert order["estimated_delivery_by"] == iso(shipped_at + timedelta(days=4))
    assert (order["carrier"], order["tracking_number"]) == ("Correos Express", "CX123")
    assert (order["delivered_at"], order["cancelled_at"], order["refund_due"]) == (
        None,
        None,
        False,
    )
    # The policy in force when it was paid (the template's defaults), snapshotted on the order.
    assert order["policy"] == {
        "return_window_days": 30,
        "claim_window_days": 30,
        "delay_grace_hours": 0,
        "return_drop_off_days": 14,
        "return_shipping_paid_by": "shop",
        "refund_shipping_on_full_return": True,
    }


OFFERED_RIGHT_AFTER = {
    "created": {"change_address", "payment_issue", "cancel_order"},
    "paid": {"change_address", "payment_issue", "customs_duties", "cancel_order"},
    "shipped": {"payment_issue", "return_request", "item_problem"},
    "delivered": {"payment_issue", "return_request", "item_problem"},
    "cancelled": {"payment_issue"},
}
"""The help matrix for an order that just reached each state (no delay yet, windows open)."""


@pytest.mark.parametrize("status", OFFERED_RIGHT_AFTER)
def test_help_lists_all_eight_actions_and_offers_what_the_state_allows(
    api: Api, status: str
) -> None:
    help_links = api.details(api.order_in(status)).body["help"]

    assert [link["action"] for link in help_links] == [str(action) for action in HelpAction]
    assert {link["action"] for link in help_links if link["available"]} == OFFERED_RIGHT_AFTER[
        status
    ]
    for link in help_links:
        assert link["label"]
        if not link["available"]:
            assert link["reason"]
            assert link["message"]


@pytest.mark.parametrize(
    ("accept_language", "locale"),
    [
        ("es", "es"),
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("fr, es;q=0.5", "es"),
        ("en-GB", "en"),
        ("fr-FR", "en"),
        (None, "en"),
    ],
)
def test_help_speaks_the_language_of_accept_language(
    api: Api, accept_language: str | None, locale: str
) -> None:
    order_id = api.order_in("shipped")

    reply = api.details(order_id, locale=accept_language)

    record = api.stored(order_id)
    assert record is not None
    expected = explain(record.order, api.clock.now, locale)
    assert reply.body["help"] == [link.model_dump(mode="json") for link in expected]
    assert reply.body["status_label"] == translate(locale, "states", "shipped")


def test_spanish_help_explains_why_and_since_when(api: Api) -> None:
    order_id = api.order_in("shipped")

    help_links = api.details(order_id, locale="es").body["help"]

    change_address = help_links[0]
    assert change_address == {
        "action": "change_address",
        "label": "Cambiar la dirección de entrega",
        "available": False,
        "reason": "already_shipped",
        "message": "Ya no es posible: tu pedido se envió el 4 de mayo de 2026.",
        "available_from": None,
        "available_until": iso(START + timedelta(hours=2)),
        "changes_order": True,
        "opens_case": True,
    }


def test_details_list_the_orders_cases_and_history(api: Api) -> None:
    # Given a paid order whose customer then reported a payment problem
    order_id = api.order_in("paid")
    reported_at = api.clock.advance(minutes=30)
    case = api.help(order_id, "payment_issue").body["case"]

    # When the customer opens the order
    order = api.details(order_id).body

    # Then the case is listed, and the history tells who did what, in order
    assert len(order["cases"]) == 1
    listed = order["cases"][0]
    assert listed["case_id"] == case["case_id"]
    assert (listed["action"], listed["status"]) == ("payment_issue", "open")
    assert listed["opened_at"] == iso(reported_at)
    history = [
        (entry["event"], entry["actor"], entry["from_status"], entry["to_status"], entry["at"])
        for entry in order["history"]
    ]
    assert history == [
        ("create", "ops", None, "created", iso(START)),
        ("pay", "ops", "created", "paid", iso(START + timedelta(hours=1))),
        ("payment_issue", "customer", "paid", "paid", iso(reported_at)),
    ]
    assert order["history"][1]["data"]["payment_ref"] == "PAY-1"
    assert order["history"][2]["data"]["case_id"] == case["case_id"]
    # Customers see what kind of actor acted, never the shop systems' or agents' ids.
    for entry in order["history"]:
        assert set(entry) == {"at", "event", "actor", "from_status", "to_status", "data"}


# --- POST /orders/{order_id}/help/{action} -------------------------------------------------------

WHERE_OFFERED: dict[str, tuple[str, timedelta]] = {
    "change_address": ("paid", timedelta(0)),
    "payment_issue": ("delivered", timedelta(0)),
    "customs_duties": ("paid", timedelta(0)),
    "return_request": ("delivered", timedelta(days=1)),
    "item_problem": ("shipped", timedelta(0)),
    "shipping_delay": ("paid", timedelta(days=2, minutes=1)),  # ship-by was 2 days after paying
    "delivery_delay": ("shipped", timedelta(days=4, minutes=1)),  # due 4 days after shipping
    "cancel_order": ("paid", timedelta(0)),
}
"""A state and a wait after reaching it where each action is offered."""


def test_every_help_action_has_a_place_where_it_is_offered() -> None:
    assert set(WHERE_OFFERED) == set(HelpAction) == set(HELP_BODIES)


def _order_offering(api: Api, action: str) -> str:
    status, wait = WHERE_OFFERED[action]
    order_id = api.order_in(status)
    api.clock.advance(seconds=wait.total_seconds())
    return order_id


@pytest.mark.parametrize("action", WHERE_OFFERED)
def test_a_help_action_opens_a_case_201_with_the_case_and_the_order(api: Api, action: str) -> None:
    order_id = _order_offering(api, action)
    version_before = api.details(order_id).body["version"]

    reply = api.help(order_id, action)

    assert reply.status == 201
    assert set(reply.body) == {"case", "order"}
    case, order = reply.body["case"], reply.body["order"]
    assert case["action"] == action
    assert case["order_id"] == order_id
    # What the customer did themselves needs no answer: its case is solved by the system.
    done_by_the_customer = action in ("change_address", "cancel_order")
    assert (case["status"], case["opened_by"]) == (
        "solved" if done_by_the_customer else "open",
        "customer",
    )
    assert case["opened_at"] == iso(api.clock.now)
    chooses = {"resolution": "refund"} if action in ("return_request", "item_problem") else {}
    assert case["details"] == HELP_BODIES[action] | chooses
    assert [listed["case_id"] for listed in order["cases"]] == [case["case_id"]]
    # Only an action that changes the order takes a version of it (a message does not).
    changes_order = CATALOGUE[HelpAction(action)].changes_order
    assert order["version"] == version_before + (1 if changes_order else 0)
    last = order["history"][-1]
    assert (last["event"], last["actor"], last["data"]["case_id"]) == (
        action,
        "customer",
        case["case_id"],
    )
    # The order in the answer is the order as it now is.
    assert order == api.details(order_id).body
    assert len(api.case_messages(case["case_id"])) == 1


REPEATABLE = [action for action in WHERE_OFFERED if action != "cancel_order"]
"""A cancelled order no longer offers `cancel_order`: repeating it is refused (see below)."""


@pytest.mark.parametrize("action", REPEATABLE)
def test_a_repeat_while_the_case_is_open_joins_it_200_never_a_duplicate(
    api: Api, action: str
) -> None:
    # Given the customer used the action and its case is still open
    order_id = _order_offering(api, action)
    first = api.help(order_id, action)
    assert first.status == 201
    case_id = first.body["case"]["case_id"]

    # When they use it again a little later
    api.clock.advance(minutes=10)
    again = api.help(order_id, action)

    # Then the request joins the open case as a new message
    assert again.status == 200
    assert again.body["case"]["case_id"] == case_id
    assert again.body["case"]["last_activity_at"] == iso(api.clock.now)
    cases = api.details(order_id).body["cases"]
    assert [case["case_id"] for case in cases if case["action"] == action] == [case_id]
    record = api.stored(order_id)
    assert record is not None
    assert [case.case_id for case in record.cases] == [case_id]
    assert len(api.case_messages(case_id)) == 2


def test_cancelling_again_is_refused_because_the_order_is_cancelled(api: Api) -> None:
    order_id = api.order_in("paid")
    assert api.help(order_id, "cancel_order").status == 201

    again = api.help(order_id, "cancel_order")

    assert again.status == 409
    assert (again.error["code"], again.error["reason"]) == ("action_unavailable", "order_cancelled")
    record = api.stored(order_id)
    assert record is not None
    assert len(record.cases) == 1


def _without_empty(address: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in address.items() if value is not None}


@pytest.mark.parametrize("status", ["created", "paid"])
def test_change_address_replaces_the_shipping_address(api: Api, status: str) -> None:
    order_id = api.order_in(status)

    reply = api.help(order_id, "change_address")

    assert reply.status == 201
    assert _without_empty(reply.body["order"]["shipping_address"]) == NEW_ADDRESS
    assert _without_empty(api.details(order_id).body["shipping_address"]) == NEW_ADDRESS
    assert reply.body["order"]["status"] == status
    assert reply.body["order"]["history"][-1]["data"]["address"] == NEW_ADDRESS
    # Customer service reads what happened in the case, in words.
    (opening,) = api.case_messages(reply.body["case"]["case_id"])
    assert "Gran Vía 1" in opening


@pytest.mark.parametrize(("status", "refund_due"), [("created", False), ("paid", True)])
def test_cancel_order_cancels_and_marks_a_refund_due_when_paid(
    api: Api, status: str, refund_due: bool
) -> None:
    order_id = api.order_in(status)

    reply = api.help(order_id, "cancel_order", {"reason": "Lo pedí por error 🙈"})

    assert reply.status == 201
    order = reply.body["order"]
    assert order["status"] == "cancelled"
    assert order["cancelled_at"] == iso(api.clock.now)
    assert order["cancel_reason"] == "Lo pedí por error 🙈"
    assert order["refund_due"] is refund_due
    last = order["history"][-1]
    assert (last["event"], last["from_status"], last["to_status"]) == (
        "cancel_order",
        status,
        "cancelled",
    )
    assert api.details(order_id).body["status"] == "cancelled"


ITEM_MISTAKES = {
    "a sku not on the order": ([{"sku": "CHAIR-9", "quantity": 1}], "unknown_sku"),
    "more than ordered": ([{"sku": "BULB-E27", "quantity": 5}], "quantity_exceeds_order"),
    "the same sku twice": (
        [{"sku": "BULB-E27", "quantity": 1}, {"sku": "BULB-E27", "quantity": 1}],
        "duplicate_sku",
    ),
}


@pytest.mark.parametrize("mistake", ITEM_MISTAKES)
@pytest.mark.parametrize("action", ["return_request", "item_problem"])
def test_items_must_be_on_the_order_and_at_most_as_many_as_ordered(
    api: Api, action: str, mistake: str
) -> None:
    items, error_type = ITEM_MISTAKES[mistake]
    order_id = api.order_in("shipped")

    reply = api.help(order_id, action, HELP_BODIES[action] | {"items": items})

    assert reply.status == 422
    assert reply.error["code"] == "validation_error"
    assert error_type in [error["type"] for error in reply.error["errors"]]
    record = api.stored(order_id)
    assert record is not None
    assert (record.order.version, record.cases) == (3, [])


@pytest.mark.parametrize("action", ["return_request", "item_problem"])
def test_every_item_ordered_may_be_named(api: Api, action: str) -> None:
    order_id = api.order_in("shipped")
    everything = [{"sku": "LAMP-01", "quantity": 1}, {"sku": "BULB-E27", "quantity": 4}]

    reply = api.help(order_id, action, HELP_BODIES[action] | {"items": everything})

    assert reply.status == 201
    assert reply.body["case"]["details"]["items"] == everything


@pytest.mark.parametrize("action", ["refund_me", "CANCEL_ORDER", "cancel-order", "help"])
def test_an_unknown_action_is_404_listing_the_valid_ones(api: Api, action: str) -> None:
    order_id = api.order_in("paid")

    reply = api.call("POST", f"/orders/{order_id}/help/{action}", {"message": "hi"}, identity=ME)

    assert reply.status == 404
    assert reply.error["code"] == "unknown_action"
    assert reply.error["valid_actions"] == [str(action) for action in HelpAction]
    assert action in reply.error["message"]


@dataclass(frozen=True)
class Refusal:
    action: str
    status: str
    reason: str
    wait: timedelta = timedelta(0)
    """How long after the order reached `status` the customer asks."""
    available_from: Callable[[dict[str, Any]], str] | None = None
    available_until: Callable[[dict[str, Any]], str] | None = None
    """The dates that explain the refusal, read off the order's details."""

    def __str__(self) -> str:
        return f"{self.action}-when-{self.status}-{self.reason}"


def _field(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda order: str(order[name])


def _return_window_end(order: dict[str, Any]) -> str:
    days = order["policy"]["return_window_days"]
    return iso(_at(order["delivered_at"]) + timedelta(days=days))


REFUSALS = [
    Refusal("customs_duties", "created", "not_yet_paid"),
    Refusal("return_request", "paid", "not_yet_shipped"),
    Refusal("change_address", "shipped", "already_shipped", available_until=_field("shipped_at")),
    Refusal("cancel_order", "delivered", "already_shipped", available_until=_field("shipped_at")),
    Refusal(
        "delivery_delay", "delivered", "order_delivered", available_until=_field("delivered_at")
    ),
    Refusal(
        "change_address", "cancelled", "order_cancelled", available_until=_field("cancelled_at")
    ),
    Refusal(
        "shipping_delay",
        "paid",
        "not_late_yet",
        wait=timedelta(days=1),
        available_from=_field("estimated_ship_by"),
    ),
    Refusal(
        "delivery_delay",
        "shipped",
        "not_late_yet",
        wait=timedelta(days=1),
        available_from=_field("estimated_delivery_by"),
    ),
    Refusal(
        "return_request",
        "delivered",
        "window_closed",
        wait=timedelta(days=31),
        available_until=_return_window_end,
    ),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=str)
def test_an_unavailable_action_is_409_with_the_catalogues_reason_message_and_dates(
    api: Api, refusal: Refusal
) -> None:
    order_id = api.order_in(refusal.status)
    api.clock.advance(seconds=refusal.wait.total_seconds())
    before = api.details(order_id).body

    reply = api.help(order_id, refusal.action)

    assert reply.status == 409
    dates = {
        "available_from": refusal.available_from(before) if refusal.available_from else None,
        "available_until": refusal.available_until(before) if refusal.available_until else None,
    }
    link = next(link for link in before["help"] if link["action"] == refusal.action)
    assert reply.error == {
        "code": "action_unavailable",
        "message": link["message"],
        "action": refusal.action,
        "status": refusal.status,
        "reason": refusal.reason,
        **dates,
    }
    # The same explanation the order's help links give.
    assert (link["reason"], link["available_from"], link["available_until"]) == (
        refusal.reason,
        dates["available_from"],
        dates["available_until"],
    )
    after = api.details(order_id).body
    assert (after["version"], after["cases"]) == (before["version"], [])


def test_the_refusal_speaks_the_customers_language(api: Api) -> None:
    order_id = api.order_in("shipped")

    reply = api.help(order_id, "change_address", headers={"accept-language": "es-ES"})

    assert reply.status == 409
    assert reply.error["message"] == "Ya no es posible: tu pedido se envió el 4 de mayo de 2026."
