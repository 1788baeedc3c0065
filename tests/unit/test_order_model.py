"""The order model: money, times and invariants, with precise messages for invalid orders."""

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from lifecycle.order import Order, OrderStatus
from tests.builders import T0, a_new_order, order_in


def errors_of(**changes: object) -> str:
    with pytest.raises(ValidationError) as invalid:
        a_new_order(**changes)
    return str(invalid.value)


def test_totals_are_computed_from_the_lines() -> None:
    order = a_new_order()
    # 39.90 + 4 × 3.25 = 52.90; + 4.95 shipping + 10.01 tax
    assert order.subtotal == Decimal("52.90")
    assert order.total == Decimal("67.86")
    assert order.item_count == 5


def test_amounts_travel_as_decimal_strings() -> None:
    dumped = json.loads(a_new_order().model_dump_json())
    assert dumped["total"] == "67.86"
    assert dumped["items"][0]["unit_price"] == "39.90"
    assert dumped["shipping"] == "4.95"


@pytest.mark.parametrize(
    ("currency", "price", "expected"),
    [
        ("EUR", "10.005", "10.01"),
        ("JPY", "1500.5", "1501"),
        ("KWD", "2.0005", "2.001"),
        ("eur", "1", "1.00"),
    ],
)
def test_money_is_rounded_to_the_currency_minor_unit(
    currency: str, price: str, expected: str
) -> None:
    order = a_new_order(
        currency=currency,
        items=[{"sku": "X", "name": "Thing", "quantity": 1, "unit_price": price}],
        shipping="0",
        tax="0",
    )
    assert order.items[0].unit_price == Decimal(expected)
    assert str(order.total) == expected
    assert order.currency == currency.upper()


def test_floats_never_reach_the_totals() -> None:
    order = a_new_order(
        items=[{"sku": "X", "name": "Thing", "quantity": 3, "unit_price": 0.1}], tax=0
    )
    assert isinstance(order.total, Decimal)
    assert order.subtotal == Decimal("0.30")


def test_an_order_round_trips_through_json() -> None:
    order = order_in(OrderStatus.DELIVERED)
    assert Order.model_validate_json(order.model_dump_json()) == order


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"currency": "EUX"}, "'EUX' is not an ISO 4217 currency code"),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": -1, "unit_price": "1"}]},
            "greater than or equal to 1",
        ),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 0, "unit_price": "1"}]},
            "greater than or equal to 1",
        ),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "-1"}]},
            "greater than or equal to 0",
        ),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "NaN"}]},
            "finite number",
        ),
        ({"items": []}, "at least 1 item"),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "1"}] * 2},
            "sku 'A' appears on more than one line",
        ),
        ({"shipping": "-0.01"}, "greater than or equal to 0"),
        ({"order_id": "ORD/1"}, "String should match pattern"),
        ({"order_id": ""}, "String should match pattern"),
        ({"placed_at": datetime(2026, 1, 1)}, "timezone info"),  # noqa: DTZ001 — the point
        ({"unexpected": 1}, "Extra inputs are not permitted"),
        (
            {
                "shipping_address": {
                    "name": "A",
                    "line1": "B",
                    "city": "C",
                    "postal_code": "1",
                    "country": "XX",
                }
            },
            "'XX' is not an ISO 3166-1 alpha-2 country code",
        ),
        ({"status": "paid"}, "a paid order needs paid_at"),
        (
            {"status": "teleported"},
            "Input should be 'created', 'paid', 'shipped', 'delivered' or 'cancelled'",
        ),
    ],
)
def test_invalid_orders_are_rejected_with_precise_messages(
    changes: dict[str, object], message: str
) -> None:
    assert message in errors_of(**changes)


def test_a_timeline_out_of_order_is_rejected() -> None:
    shipped = order_in(OrderStatus.SHIPPED).model_dump()
    shipped["shipped_at"] = T0 - timedelta(days=1)
    with pytest.raises(ValidationError, match=r"shipped_at \(.*\) must be at or after paid_at"):
        Order.model_validate(shipped)

    paid = order_in(OrderStatus.PAID).model_dump()
    paid["estimated_ship_by"] = paid["paid_at"]
    with pytest.raises(ValidationError, match=r"estimated_ship_by \(.*\) must be after paid_at"):
        Order.model_validate(paid)


def test_fields_of_milestones_not_reached_are_rejected() -> None:
    created = a_new_order().model_dump() | {"shipped_at": T0}
    with pytest.raises(ValidationError, match="a created order cannot have shipped_at"):
        Order.model_validate(created)


def test_a_cancelled_order_keeps_its_payment_but_never_a_shipment() -> None:
    cancelled = order_in(OrderStatus.CANCELLED)
    assert cancelled.paid_at is not None
    with pytest.raises(ValidationError, match="a cancelled order cannot have carrier"):
        Order.model_validate(cancelled.model_dump() | {"carrier": "UPS"})


def test_times_are_kept_in_utc() -> None:
    madrid = timezone(timedelta(hours=2))
    order = a_new_order(placed_at=datetime(2026, 6, 1, 12, 0, tzinfo=madrid))
    assert order.placed_at == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert json.loads(order.model_dump_json())["placed_at"] == "2026-06-01T10:00:00Z"


def test_computed_fields_in_input_are_recomputed_not_trusted() -> None:
    dumped = a_new_order().model_dump() | {"total": "0.01"}
    assert Order.model_validate(dumped).total == Decimal("67.86")


# --- product pictures -----------------------------------------------------------------------------


def _line(**changes: object) -> dict[str, object]:
    return {"sku": "LAMP-01", "name": "Lámpara", "quantity": 1, "unit_price": "1"} | changes


def test_a_line_may_carry_an_https_picture_of_the_product() -> None:
    url = "https://images.example.com/products/lamp-01.jpg?w=160&v=2"
    order = a_new_order(items=[_line(image_url=url)])
    assert order.items[0].image_url == url
    assert a_new_order(items=[_line()]).items[0].image_url is None


@pytest.mark.parametrize(
    ("url", "error_type"),
    [
        ("http://images.example.com/lamp.jpg", "url_scheme"),
        ("javascript:alert(1)", "url_scheme"),
        ("data:image/png;base64,iVBORw0KGgo=", "url_scheme"),
        ("//images.example.com/lamp.jpg", "url_scheme"),
        ("https://" + "a" * 2040 + ".com/x", "string_too_long"),
        ("https://user:secret@images.example.com/lamp.jpg", "url_userinfo"),
        ("https:///lamp.jpg", "url_parsing"),
        ("https://images.example.com/a lamp.jpg", "string_pattern_mismatch"),
        ('https://images.example.com/"><script>', "string_pattern_mismatch"),
        ("", "string_too_short"),
    ],
)
def test_a_picture_that_is_not_a_plain_https_url_is_refused(url: str, error_type: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        a_new_order(items=[_line(image_url=url)])
    assert [(e["loc"], e["type"]) for e in invalid.value.errors()] == [
        (("items", 0, "image_url"), error_type)
    ]
